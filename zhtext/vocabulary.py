"""The recognition vocabulary of the text readers and the word matching built on it.

The data lives in ``zhtext/data`` (``vocabulary.yml``, ``colloquial.yml``,
``provinces.yml``) and is loaded lazily on first use, then cached. Word lists
are matched longest first, so "没有" is seen before "有".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "DATA_DIR",
    "load_yaml",
    "load_vocabulary",
    "load_provinces",
    "vocabulary_words",
    "longest_first",
    "word_pattern",
    "starts_with_any",
]

DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.lru_cache(maxsize=None)
def load_yaml(name: str) -> Mapping[str, Any]:
    """The parsed data file ``name`` of ``zhtext/data`` (cached); it must hold a mapping."""
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping at the top level")
    return data


def load_vocabulary() -> Mapping[str, Any]:
    """The parsed ``vocabulary.yml`` (cached)."""
    return load_yaml("vocabulary.yml")


def load_provinces() -> Sequence[Mapping[str, Any]]:
    """The province entries of ``provinces.yml`` (cached)."""
    return load_yaml("provinces.yml")["provinces"]  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=None)
def vocabulary_words(*path: str) -> tuple[str, ...]:
    """A word list from ``vocabulary.yml`` by its key path, lower-cased, longest first."""
    node: Any = load_vocabulary()
    for key in path:
        node = node[key]
    return longest_first(str(word).lower() for word in node)


def longest_first(words: Iterable[str]) -> tuple[str, ...]:
    """Distinct ``words``, longest first (ties alphabetical), for greedy matching."""
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


@functools.lru_cache(maxsize=None)
def word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """A compiled regex matching any of ``words``, longest first (cached)."""
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(re.escape(word) for word in longest_first(words)))


def starts_with_any(text: str, words: Iterable[str]) -> str | None:
    """The first of ``words`` that ``text`` starts with (pass them longest first), or ``None``."""
    for word in words:
        if text.startswith(word):
            return word
    return None
