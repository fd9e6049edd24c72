"""Summarise a `rasa test nlu` report: intent accuracy and macro-F1, with retrieval
sub-intents (faq/capital, ...) counted as the classes a user actually sees.

Usage: python scripts/nlu_report.py REPORT_DIR [--min-f1 0.90]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def summary(report_dir: Path) -> dict:
    intents = json.loads((report_dir / "intent_report.json").read_text(encoding="utf-8"))
    result = {
        "intent_accuracy": intents["accuracy"],
        "intent_macro_f1": intents["macro avg"]["f1-score"],
        "intent_examples": intents["macro avg"]["support"],
    }
    selector_file = report_dir / "response_selection_report.json"
    # Rasa writes this report even with no ResponseSelector in the pipeline
    # (the fine label picks the answer now), then with every score 0: skip it.
    faq = json.loads(selector_file.read_text(encoding="utf-8")) if selector_file.exists() else {}
    if faq.get("accuracy"):
        result["faq_accuracy"] = faq["accuracy"]
        result["faq_macro_f1"] = faq["macro avg"]["f1-score"]
    errors_file = report_dir / "intent_errors.json"
    errors = json.loads(errors_file.read_text(encoding="utf-8")) if errors_file.exists() else []
    result["errors"] = [
        {"text": e["text"], "expected": e["intent"], "predicted": e["intent_prediction"]["name"]}
        for e in errors
    ]
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report_dir", type=Path)
    parser.add_argument("--min-f1", type=float, default=0.90)
    args = parser.parse_args()
    result = summary(args.report_dir)
    (args.report_dir / "summary.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    print(f"intent accuracy {result['intent_accuracy']:.3f}  macro-F1 {result['intent_macro_f1']:.3f}")
    if "faq_accuracy" in result:
        print(
            f"FAQ response selection accuracy {result['faq_accuracy']:.3f}  macro-F1 {result['faq_macro_f1']:.3f}"
        )
    for error in result["errors"][:10]:
        print(f"  miss: {error['text']!r} expected {error['expected']} got {error['predicted']}")
    # The gate is the intent classifier's macro-F1 (the FAQ selection is reported
    # beside it; the FAQ action also uses the classifier's fine label, see
    # actions/faq.py).
    if result["intent_macro_f1"] < args.min_f1:
        print(f"FAILED: intent macro-F1 {result['intent_macro_f1']:.3f} below {args.min_f1}")
        return 1
    print(f"passed (threshold {args.min_f1})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
