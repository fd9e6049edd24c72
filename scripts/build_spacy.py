"""Build the spaCy pipeline that SpacyNLP loads: blank ``zh`` + an EntityRuler.

spaCy's Chinese models are not on PyPI, and the project only needs rule-based
entities, so the pipeline is built from data in the repository. One grammar: the
words the interview's parsers (``zhtext``) read are the words the ruler matches.

- ``province``: every name, alias, city and English name of
  ``zhtext/data/provinces.yml``, the list ``zhtext.places`` reads.
- the phrase lists of ``phrases`` in ``data/spacy/patterns.yml`` (``coverage``):
  word lists of ``zhtext/data/vocabulary.yml``, named by their key path.
- the token patterns of ``patterns`` there (money, head counts, dates): their
  shapes are written in patterns.yml, their words come from vocabulary.yml and
  their character classes from ``zhtext.numbers`` and ``zhtext.dates`` (see
  ``expand``). The topic markers (another licence, company admin, the licence's
  own words) are read by the NLU alone and are written there in full.

One-character abbreviations (粤, 沪) are not patterns, neither alone nor in the
compound forms that zhtext.places reads (沪企, 在京; ``abbreviation_compounds``
in provinces.yml): those are read only by the characters around them (在京 but
not 在京东, 京企 but not 东京企业), and a ruler pattern cannot look at its
neighbours, so it would tag words the interview's parser rightly rejects. Latin
words cannot see their neighbours either; the NLU keeps a Latin match only as a
whole word (``components/entity_features.py``), as the parsers read them.

Usage: python scripts/build_spacy.py OUTPUT_DIR
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Sequence

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's packages (zhtext/)
    sys.path.insert(0, str(ROOT))

from zhtext.dates import DATE_CN_NUMERALS  # noqa: E402
from zhtext.numbers import LARGE_UNITS, NUMERAL_CHARS  # noqa: E402
from zhtext.vocabulary import load_provinces, load_vocabulary  # noqa: E402

PATTERNS = ROOT / "data" / "spacy" / "patterns.yml"

# The character classes a pattern names with {CHARS: name}.
DIGITS = "0123456789"
CHAR_CLASSES: Mapping[str, str] = {
    "digit": DIGITS,
    "numeral": NUMERAL_CHARS,
    "large_unit": LARGE_UNITS,
    "date_numeral": DIGITS + DATE_CN_NUMERALS,
}

Token = Dict[str, Any]


def province_names(entries: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    """Every spelling of every province that zhtext.places reads anywhere in a
    message (short and full names, aliases, cities, English names); not the
    abbreviations (``abbr``, ``abbreviation_compounds``): see the module."""
    for entry in entries:
        yield str(entry["short"])
        yield str(entry["full"])
        for key in ("aliases", "cities", "english"):
            for name in entry.get(key) or []:
                yield str(name)


def vocabulary_list(path: str) -> List[str]:
    """The words of vocabulary.yml at a key path ("coverage.nationwide"); a
    mapping gives its keys (``dates.relative_years``: 今年, 明年...)."""
    node: Any = load_vocabulary()
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            raise KeyError(f"zhtext/data/vocabulary.yml has no list {path!r}")
        node = node[key]
    words = [str(word).lower() for word in node]
    if not words:
        raise ValueError(f"zhtext/data/vocabulary.yml: {path!r} is empty")
    return words


def characters(word: str) -> List[str]:
    """The tokens of ``word`` in the pipeline (spaCy's character segmenter: one per
    character, spaces dropped)."""
    return [char for char in word if not char.isspace()]


def expand(spec: Token) -> List[List[Token]]:
    """The alternatives (token sequences) one token spec of patterns.yml stands for.

    - ``{WORDS: path or [paths]}``: one of the words of those vocabulary.yml lists;
      single characters go in one token, each longer word is a sequence of its own.
    - ``{CHARS: name}``: one character of a class of ``CHAR_CLASSES``.
    - ``{ANY: [spec, ...]}``: any of the specs.
    - anything else is a spaCy token pattern, kept as it is.
    ``OP: "?"`` makes any of them optional; ``OP: "+"`` needs single tokens.
    """
    spec = dict(spec)
    op = spec.pop("OP", None)
    if "WORDS" in spec:
        paths = spec.pop("WORDS")
        words = [w for path in ([paths] if isinstance(paths, str) else paths) for w in vocabulary_list(path)]
        singles = sorted({w for w in words if len(characters(w)) == 1})
        alternatives: List[List[Token]] = [[{"LOWER": {"IN": singles}}]] if singles else []
        alternatives += [
            [{"LOWER": char} for char in characters(w)] for w in sorted(set(words)) if len(characters(w)) > 1
        ]
    elif "CHARS" in spec:
        alternatives = [[{"TEXT": {"IN": list(CHAR_CLASSES[spec.pop("CHARS")])}}]]
    elif "ANY" in spec:
        alternatives = [alt for item in spec.pop("ANY") for alt in expand(item)]
    else:
        alternatives, spec = [[spec]], {}
    if spec:
        raise ValueError(f"patterns.yml: unknown keys {sorted(spec)} beside WORDS, CHARS or ANY")
    if op is None:
        return alternatives
    if op == "?":
        return [[]] + alternatives
    if all(len(alt) == 1 for alt in alternatives):
        return [[{**alt[0], "OP": op}] for alt in alternatives]
    raise ValueError(f"patterns.yml: OP {op!r} on words of several characters")


def token_patterns(pattern: Sequence[Token]) -> List[List[Token]]:
    """Every token sequence a pattern of patterns.yml stands for."""
    choices = [expand(spec) for spec in pattern]
    return [[token for part in combination for token in part] for combination in itertools.product(*choices)]


def ruler_patterns() -> List[Dict[str, Any]]:
    spec = yaml.safe_load(PATTERNS.read_text(encoding="utf-8"))
    patterns: List[Dict[str, Any]] = []
    for name in sorted(set(province_names(load_provinces()))):
        patterns.append({"label": "province", "pattern": name})
    for label, paths in spec["phrases"].items():
        for word in sorted({w for path in paths for w in vocabulary_list(path)}):
            patterns.append({"label": label, "pattern": word})
    for label, items in spec["patterns"].items():
        for item in items:
            if isinstance(item, str):  # a phrase
                patterns.append({"label": label, "pattern": item})
                continue
            for tokens in token_patterns(item):
                patterns.append({"label": label, "pattern": tokens})
    return patterns


def pipeline() -> Any:
    """The pipeline, in memory: blank ``zh``, the entity ruler and the span ruler."""
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
    return nlp


def build(output: Path) -> None:
    pipeline().to_disk(output)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build(Path(sys.argv[1]))
