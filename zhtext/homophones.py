"""Pinyin-input slips in the domain's own words: "注测资本" -> 注册资本, "变跟" -> 变更.

Users type Chinese through pinyin input methods, so a slip is a homophone of
the word meant. A span of Chinese characters is replaced by a domain word when
both read the same (toneless pinyin, character by character) and they share at
least one character in the same place: a slip changes a character or two, not
the whole word, and this keeps real words that happen to sound alike (公式 is
not 公司) as typed, and so does the general dictionary of the jieba segmenter:
a span that is a word of it, or cuts through one (办公室, 个人缴), is no slip.
Readings are compared as fuzzy pinyin (eng = en). The domain words are the segmenter's dictionary
(data/jieba/userdict.txt), the one list of the domain's vocabulary, and the
extra words under ``homophone_words`` in zhtext/data/vocabulary.yml. No library
on PyPI corrects homophones against a given vocabulary (pycorrector needs a
language model that cannot be downloaded here)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

from zhtext.vocabulary import vocabulary_words

USERDICT = Path(__file__).resolve().parents[1] / "data" / "jieba" / "userdict.txt"
MIN_CHARS, MAX_CHARS = 2, 6
_HAN = re.compile(r"[\u4e00-\u9fff]+")


# Pinyin input methods offer "fuzzy" readings (模糊音) that many users switch on,
# and slips follow them: 变跟 for 变更 (gen/geng), 资制 for 资质 (z/zh).
# (Only the finals: z/zh and s/sh turned 办公室 into 办公司.)
_FUZZY = ((re.compile(r"([aei])ng$"), r"\1n"),)


def _fuzzy(syllable: str) -> str:
    for pattern, replacement in _FUZZY:
        syllable = pattern.sub(replacement, syllable)
    return syllable


def _readings(chars: str) -> tuple[str, ...]:
    # one character at a time: a slip's characters have no phrase context
    return tuple(_fuzzy(s) for s in lazy_pinyin(list(chars)))


@lru_cache(maxsize=1)
def _words() -> dict[tuple[str, ...], str]:
    words = set(vocabulary_words("homophone_words"))
    if USERDICT.exists():
        for line in USERDICT.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                words.add(line.split()[0])
    table: dict[tuple[str, ...], str] = {}
    ambiguous: set[tuple[str, ...]] = set()
    for word in words:
        if not _HAN.fullmatch(word) or not MIN_CHARS <= len(word) <= MAX_CHARS:
            continue
        key = _readings(word)
        if key in table and table[key] != word:
            ambiguous.add(key)
        table[key] = word
    for key in ambiguous:
        del table[key]
    return table


@lru_cache(maxsize=1)
def _segmenter() -> Any:  # a jieba.Tokenizer (jieba ships no types)
    import jieba

    jieba.setLogLevel(60)
    return jieba.Tokenizer()


def _word_spans(run: str) -> tuple[set[int], set[tuple[int, int]]]:
    """Where the general dictionary's words of two characters or more start and
    end in ``run`` (their inner boundaries), and the words themselves as spans."""
    inner: set[int] = set()
    words: set[tuple[int, int]] = set()
    for word, start, end in _segmenter().tokenize(run, HMM=False):
        if end - start > 1:
            inner.update(range(start + 1, end))
            words.add((start, end))
    return inner, words


@lru_cache(maxsize=1)
def _exceptions() -> frozenset[str]:
    return frozenset(vocabulary_words("homophone_exceptions"))


def _is_slip(start: int, end: int, inner: set[int], words: set[tuple[int, int]]) -> bool:
    """A span is a slip only where it cuts no real word: it neither starts nor
    ends inside a word of the general dictionary (办公室, 个人, 全资子公司) and is
    not a word itself (合资, 纸质, 公示)."""
    return start not in inner and end not in inner and (start, end) not in words


def _correct_run(run: str, table: dict[tuple[str, ...], str], known: frozenset[str]) -> str:
    readings = _readings(run)
    inner, words = _word_spans(run)
    out: list[str] = []
    i = 0
    while i < len(run):
        replaced = False
        for length in range(min(MAX_CHARS, len(run) - i), MIN_CHARS - 1, -1):
            span = run[i : i + length]
            if span in known:
                out.append(span)  # the word itself: keep it, and skip past it
                i += length
                replaced = True
                break
            word = table.get(readings[i : i + length])
            if (
                word
                and span not in _exceptions()
                and any(a == b for a, b in zip(span, word))
                and _is_slip(i, i + length, inner, words)
            ):
                out.append(word)
                i += length
                replaced = True
                break
        if not replaced:
            out.append(run[i])
            i += 1
    return "".join(out)


def correct_homophones(text: str) -> str:
    """``text`` with pinyin slips in domain words corrected (see the module)."""
    table = _words()
    if not table:
        return text
    known = frozenset(table.values())
    return _HAN.sub(lambda m: _correct_run(m.group(), table, known), text)
