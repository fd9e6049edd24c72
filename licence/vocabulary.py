"""The licence domain's word lists (``licence/data/vocabulary.yml``).

Company types, the cue words of the interview's yes/no slots, clause breaks and
correction markers (read by ``licence.extract``), and the words that tell an
assessment request, a near-domain subject or a need question (``licence.decision``,
``actions.faq``). Loaded lazily on first use, then cached. The text-level
vocabulary (yes/no, numbers, provinces, dates) is ``zhtext.vocabulary``'s.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from zhtext.vocabulary import longest_first

__all__ = ["DATA_DIR", "load_domain_vocabulary", "domain_words"]

DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.lru_cache(maxsize=1)
def load_domain_vocabulary() -> Mapping[str, Any]:
    """The parsed ``licence/data/vocabulary.yml`` (cached)."""
    with (DATA_DIR / "vocabulary.yml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError("vocabulary.yml: expected a mapping at the top level")
    return data


@functools.lru_cache(maxsize=None)
def domain_words(*path: str) -> tuple[str, ...]:
    """A word list of the domain vocabulary by its key path, lower-cased, longest first."""
    node: Any = load_domain_vocabulary()
    for key in path:
        node = node[key]
    return longest_first(str(word).lower() for word in node)
