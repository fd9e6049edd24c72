"""normalise: the canonical form every reader of user text works on, and the
promise of the readers built on it: no exception on any ``str``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhtext.normalise import normalise
from zhtext.numbers import parse_count
from zhtext.places import parse_coverage, parse_province
from zhtext.replies import is_question, is_unknown, parse_yes_no

PROPERTY = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("註冊資本五百萬", "注册资本五百万"),
        ("１０００万", "1000万"),
        ("有，沒有", "有,没有"),
        ("  多个   空格\n换行\t制表 ", "多个 空格 换行 制表"),
        ("零宽\u200b字符", "零宽字符"),
        ("ＡＢＣ", "ABC"),
        ("", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@PROPERTY
@given(st.text())
def test_normalise_never_raises_and_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip()
    assert "  " not in once


@PROPERTY
@given(st.text())
def test_other_parsers_never_raise(text: str) -> None:
    parse_count(text)
    parse_yes_no(text)
    is_unknown(text)
    is_question(text)
    parse_province(text)
    parse_coverage(text)
