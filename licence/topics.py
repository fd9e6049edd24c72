"""Recognise the context word of a follow-up and the business activity of the
"do I need the licence?" check. Vocabulary: licence/topics.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from zhtext.normalise import normalise

_FILE = Path(__file__).with_name("topics.yml")


@lru_cache(maxsize=1)
def vocabulary() -> Dict[str, Any]:
    with _FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError("topics.yml: expected a mapping at the top level")
    return data


def _first_match(text: str, groups: Dict[str, List[str]]) -> Optional[str]:
    clean = normalise(text)
    lowered = clean.lower()
    for key, words in groups.items():
        if any(word.lower() in lowered for word in words):
            return key
    return None


def facet_of(text: str) -> Optional[str]:
    """ "foreign" for 外资企业呢, "branches" for 分公司呢, else None."""
    return _first_match(text, vocabulary()["facets"])


def activity_of(text: str) -> Optional[str]:
    """The business activity a message describes, as a need_check activity id."""
    return _first_match(text, vocabulary()["activities"])
