"""The canonical form every reader works on, and the cleanup before matching.

``normalise`` turns what a user typed into standard simplified Mandarin
(NFKC, OpenCC traditional to simplified, Cantonese and colloquial forms of
``colloquial.yml``, pinyin-input slips of ``zhtext.homophones``); the NLU
pipeline, the parsers and the interview all read a message through it.
``strip_fillers`` removes punctuation and leading hedges before a word list is
matched against a short answer.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from opencc import OpenCC

from zhtext.homophones import correct_homophones
from zhtext.vocabulary import load_yaml, longest_first, starts_with_any, vocabulary_words

__all__ = ["normalise", "to_mandarin", "rewrite", "strip_fillers"]


@functools.lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@functools.lru_cache(maxsize=None)
def _rewrite_table(section: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """One section of ``colloquial.yml``: a pattern of its keys, longest first,
    and the replacement of each. A key ending in 系 does not match before
    统/列/数 (系统 is "system", not Cantonese 是); one ending in 点 only ends a
    clause ("唔办会点" asks what happens; "会点英语" is Mandarin)."""
    table = {str(k).lower(): str(v) for k, v in load_yaml("colloquial.yml")[section].items()}
    parts = []
    for key in longest_first(table):
        guard = "(?![统列数])" if key.endswith("系") else ""
        if key.endswith("点"):
            guard = r"(?=$|[^\u4e00-\u9fff]|[啊呀啦呢喎嘅])"
        if key.isascii():
            parts.append(rf"\b{re.escape(key)}\b")
        else:
            parts.append(re.escape(key) + guard)
    return re.compile("|".join(parts)), table


def rewrite(text: str, section: str) -> str:
    """``text`` with the words of one section of ``colloquial.yml`` replaced
    ("cantonese", "numerals", or "english_numbers": "a dozen" -> "12")."""
    pattern, table = _rewrite_table(section)
    return pattern.sub(lambda m: table[m.group().lower()], text)


def to_mandarin(text: str) -> str:
    """Cantonese words and colloquial numerals in their standard Mandarin
    form: "幾耐先批" (after t2s "几耐先批") -> "多久先批", "俩" -> "两个"."""
    return rewrite(rewrite(text, "cantonese"), "numerals")


_WHITESPACE_RE = re.compile(r"\s+")


def _normalise_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    kept: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp"):
            kept.append(" ")
        elif category in ("Cf", "Cs"):
            continue
        else:
            kept.append(char)
    text = "".join(kept)
    try:
        text = _t2s().convert(text)
    except Exception:  # noqa: BLE001 - a converter bug must not cost the user's message
        pass
    return _WHITESPACE_RE.sub(" ", correct_homophones(to_mandarin(text))).strip()


@functools.lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Canonical form of user input (cached: every parser and rule reads the
    same message through it, and the homophone pass costs a few milliseconds).

    NFKC (full-width to half-width: "１０" -> "10", "，" -> ","), traditional to
    simplified Chinese, Cantonese words and colloquial numerals to Mandarin
    (``to_mandarin``), pinyin-input slips in domain words corrected
    (``zhtext.homophones``: 注测资本 -> 注册资本), control and format characters removed (line breaks
    become spaces), whitespace collapsed, ends stripped. Idempotent; never
    raises on a ``str``.
    """
    result = text
    for _ in range(5):
        following = _normalise_once(result)
        if following == result:
            break
        result = following
    return result


def strip_fillers(text: str) -> str:
    """Remove punctuation and leading fillers/hedges (我们, 应该, 嗯 ...)."""
    text = re.sub(r"[\W_]+", "", text)
    leading = vocabulary_words("yes_no", "leading_fillers")
    while text:
        word = starts_with_any(text, leading)
        if not word or len(word) >= len(text):
            break
        text = text[len(word) :]
    return text
