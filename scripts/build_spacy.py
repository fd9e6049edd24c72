"""Build the spaCy pipeline that SpacyNLP loads: blank ``zh`` + an EntityRuler.

spaCy's Chinese models are not on PyPI, and the project only needs rule-based
entities, so the pipeline is built from data in the repository:
``data/spacy/patterns.yml`` (money, head counts, dates, coverage) and the province
names, aliases and cities of ``zhtext/data/provinces.yml``.

One-character abbreviations (粤, 沪) are not patterns, neither alone nor in the
compound forms that zhtext.places reads (沪企, 在京; ``abbreviation_compounds``
in provinces.yml): those are read only by the characters around them (在京 but
not 在京东, 京企 but not 东京企业), and a ruler pattern cannot look at its
neighbours, so it would tag words the interview's parser rightly rejects.

Usage: python scripts/build_spacy.py OUTPUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
PATTERNS = ROOT / "data" / "spacy" / "patterns.yml"
PROVINCES = ROOT / "zhtext" / "data" / "provinces.yml"


def province_names(data: Any) -> Iterator[str]:
    """Every spelling of every province in provinces.yml (names, aliases, cities);
    not the abbreviations (``abbr``, ``abbreviation_compounds``): see the module."""
    entries = data.get("provinces", data) if isinstance(data, dict) else data
    for entry in entries:
        for key in ("short", "full", "name"):
            if isinstance(entry.get(key), str):
                yield entry[key]
        for key in ("aliases", "cities"):
            for name in entry.get(key) or []:
                # one-character aliases (粤, 沪) are too ambiguous for free text
                if isinstance(name, str) and len(name) > 1:
                    yield name


def ruler_patterns() -> List[Dict[str, Any]]:
    spec = yaml.safe_load(PATTERNS.read_text(encoding="utf-8"))["patterns"]
    patterns: List[Dict[str, Any]] = []
    for label, items in spec.items():
        for item in items:
            patterns.append({"label": label, "pattern": item})
    provinces = yaml.safe_load(PROVINCES.read_text(encoding="utf-8"))
    for name in sorted(set(province_names(provinces))):
        patterns.append({"label": "province", "pattern": name})
    return patterns


def build(output: Path) -> None:
    import spacy

    nlp = spacy.blank("zh")  # character segmenter: nothing to download
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(ruler_patterns())
    # The same patterns again, every match kept (doc.spans["ruler"]): the entity ruler
    # keeps only the longest of overlapping matches, so in "ISP许可" the "SP许可" it
    # keeps hides "ISP"; the whole-word check (components/entity_features.py) must
    # choose among all matches, not among the survivors.
    spans = nlp.add_pipe("span_ruler", config={"spans_key": "ruler", "phrase_matcher_attr": "LOWER"})
    spans.add_patterns(ruler_patterns())
    nlp.meta["name"] = "callcentre_zh"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Rule-based entities for the call-centre licence assistant"
    nlp.to_disk(output)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build(Path(sys.argv[1]))
