"""NLU evaluation of one pipeline: held-out split and k-fold cross-validation.

Run as its own process (one per pipeline), so TensorFlow and the pipeline's
components are loaded once for all trainings:

    python -m bench.nlu --config bench/peer/config.yml --name peer \
        --split build/bench/nlu/split --out build/bench/nlu/peer --folds 5 --seed 42

Held-out: the split of scripts/test_nlu.sh (`rasa data split nlu`, seed 42, 20%),
made once by bench/run.py and passed with --split. Cross-validation: our own
StratifiedKFold (seeded, unlike `rasa test nlu --cross-validation`), stratified on
the full intent (faq/<topic>), each fold trained with Rasa's Python API and tested
with Rasa's own evaluation (`rasa.nlu.test.run_evaluation`), so the reports are
exactly what `rasa test nlu` writes. Writes <out>/nlu.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parents[1]


def count_entities(path: Path) -> int:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return sum(len(e.get("entities") or []) for e in data.training_examples)


def write_folds(nlu_dir: Path, out: Path, folds: int, seed: int) -> List[Dict[str, Path]]:
    from sklearn.model_selection import StratifiedKFold

    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(nlu_dir))
    examples = list(data.intent_examples)
    labels = [e.get_full_intent() for e in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    paths = []
    for i, (train_idx, test_idx) in enumerate(splitter.split(examples, labels)):
        fold_dir = out / f"fold{i}"
        fold_dir.mkdir(parents=True, exist_ok=True)
        for name, idx in (("train", train_idx), ("test", test_idx)):
            part = TrainingData(
                training_examples=[examples[j] for j in idx],
                entity_synonyms=data.entity_synonyms,
                regex_features=data.regex_features,
                lookup_tables=data.lookup_tables,
                responses=data.responses,
            )
            RasaYAMLWriter().dump(fold_dir / f"{name}.yml", part)
        paths.append({"train": fold_dir / "train.yml", "test": fold_dir / "test.yml", "dir": fold_dir})
    return paths


def read_report(report_dir: Path, entities_annotated: int) -> Dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from bench.stats import intent_metrics

    intent = intent_metrics(json.loads((report_dir / "intent_report.json").read_text("utf-8")))
    result: Dict[str, Any] = {
        "intent_accuracy": intent["accuracy"],
        "intent_macro_f1": intent["macro_f1"],
        "intent_weighted_f1": intent["weighted_f1"],
        "test_examples": intent["support"],
        "response_accuracy": None,
        "response_macro_f1": None,
        "entity_f1": None,
    }
    selector = report_dir / "response_selection_report.json"
    if selector.exists():
        faq = json.loads(selector.read_text("utf-8"))
        result["response_accuracy"] = float(faq["accuracy"])
        result["response_macro_f1"] = float(faq["macro avg"]["f1-score"])
    if entities_annotated:
        # One report per extractor; the micro average over entity types.
        scores = {}
        for f in report_dir.glob("*Extractor*_report.json"):
            rep = json.loads(f.read_text("utf-8"))
            avg = rep.get("micro avg") or rep.get("weighted avg")
            if avg:
                scores[f.name.replace("_report.json", "")] = float(avg["f1-score"])
        for f in report_dir.glob("DIETClassifier_report.json"):
            rep = json.loads(f.read_text("utf-8"))
            avg = rep.get("micro avg") or rep.get("weighted avg")
            if avg:
                scores["DIETClassifier"] = float(avg["f1-score"])
        result["entity_f1_by_extractor"] = scores
        result["entity_f1"] = max(scores.values()) if scores else None
    # Every prediction (expected, predicted) for the confusion matrix.
    pairs = []
    for name in ("intent_successes.json", "intent_errors.json"):
        f = report_dir / name
        if f.exists():
            for e in json.loads(f.read_text("utf-8")):
                pairs.append([e["intent"], (e.get("intent_prediction") or {}).get("name") or "None"])
    result["pairs"] = pairs
    return result


async def train_and_test(config: Path, train: Path, test: Path, out: Path, name: str) -> Dict[str, Any]:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.nlu.test import run_evaluation

    out.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    model = train_nlu(
        config=str(config),
        nlu_data=str(train),
        output=str(out / "model"),
        fixed_model_name=name,
        domain=str(ROOT / "domain.yml"),
    )
    train_s = time.monotonic() - start
    if not model:
        raise RuntimeError(f"training {name} on {train} gave no model")
    agent = Agent.load(model)
    start = time.monotonic()
    await run_evaluation(
        str(test),
        agent.processor,
        output_directory=str(out / "report"),
        successes=True,
        errors=True,
        disable_plotting=True,
        report_as_dict=True,
        domain_path=str(ROOT / "domain.yml"),
    )
    test_s = time.monotonic() - start
    result = read_report(out / "report", count_entities(test))
    result["train_s"] = round(train_s, 1)
    result["test_s"] = round(test_s, 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--split", type=Path, required=True, help="dir with training_data.yml, test_data.yml")
    parser.add_argument("--nlu", type=Path, default=ROOT / "data" / "nlu")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from bench.stats import aggregate_folds

    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    heldout = asyncio.run(
        train_and_test(
            args.config,
            args.split / "training_data.yml",
            args.split / "test_data.yml",
            args.out / "heldout",
            f"{args.name}-heldout",
        )
    )
    print(
        f"[{args.name}] held-out intent macro-F1 {heldout['intent_macro_f1']:.3f} "
        f"(train {heldout['train_s']} s)",
        flush=True,
    )
    folds = []
    fold_paths = write_folds(args.nlu, args.out / "folds", args.folds, args.seed) if args.folds >= 2 else []
    for i, paths in enumerate(fold_paths):
        r = asyncio.run(
            train_and_test(args.config, paths["train"], paths["test"], paths["dir"], f"{args.name}-fold{i}")
        )
        print(
            f"[{args.name}] fold {i + 1}/{args.folds} intent macro-F1 {r['intent_macro_f1']:.3f} "
            f"(train {r['train_s']} s)",
            flush=True,
        )
        folds.append(r)
    metric_keys = [
        "intent_accuracy",
        "intent_macro_f1",
        "intent_weighted_f1",
        "response_accuracy",
        "response_macro_f1",
        "entity_f1",
    ]
    cv = aggregate_folds([{k: f.get(k) for k in metric_keys} for f in folds])
    train_times = [heldout["train_s"]] + [f["train_s"] for f in folds]
    result = {
        "heldout": heldout,
        "cv": cv,
        "cv_folds": [
            {k: f.get(k) for k in metric_keys + ["train_s", "test_s", "test_examples"]} for f in folds
        ],
        "entities_annotated": count_entities(args.nlu),
        "mean_train_s": round(sum(train_times) / len(train_times), 1),
        "duration_s": round(time.monotonic() - started, 1),
    }
    (args.out / "nlu.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
