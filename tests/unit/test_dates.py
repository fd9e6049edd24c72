"""Dates in what users type, and issue dates told from expiry dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhtext.dates import is_issue_date, parse_date

PROPERTY = settings(max_examples=300, deadline=None, database=None)


# --- dates ------------------------------------------------------------------

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027年6月30日", dt.date(2027, 6, 30)),
        ("2027-06-30", dt.date(2027, 6, 30)),
        ("2027/6/30", dt.date(2027, 6, 30)),
        ("2027.6.30", dt.date(2027, 6, 30)),
        ("20270630", dt.date(2027, 6, 30)),
        ("二〇二七年六月三十日", dt.date(2027, 6, 30)),
        ("二零二七年六月三十日", dt.date(2027, 6, 30)),
        ("27年6月30号", dt.date(2027, 6, 30)),
        ("许可证2027年6月30日到期", dt.date(2027, 6, 30)),
        ("6月30号", dt.date(2027, 6, 30)),  # already past this year: next year
        ("12月1日", dt.date(2026, 12, 1)),  # still ahead this year
        ("11月27日", dt.date(2026, 11, 27)),  # today counts
        ("明年6月底", dt.date(2027, 6, 30)),
        ("明年6月30日", dt.date(2027, 6, 30)),
        ("明年2月底", dt.date(2027, 2, 28)),
        ("后年2月底", dt.date(2028, 2, 29)),
        ("今年年底", dt.date(2026, 12, 31)),
        ("年底", dt.date(2026, 12, 31)),
        ("下个月15号", dt.date(2026, 12, 15)),
        ("下个月十五号", dt.date(2026, 12, 15)),
        ("明年3月", dt.date(2027, 3, 1)),
        ("明年3月初", dt.date(2027, 3, 1)),
        ("明年3月中旬", dt.date(2027, 3, 15)),
        ("2027年6月", dt.date(2027, 6, 1)),
        ("2027年6月底", dt.date(2027, 6, 30)),
        ("后年", dt.date(2028, 1, 1)),
        ("2028年", dt.date(2028, 1, 1)),
        ("明天", dt.date(2026, 11, 28)),
        ("3个月后", dt.date(2027, 2, 27)),
        ("三个月后", dt.date(2027, 2, 27)),
        ("10天后", dt.date(2026, 12, 7)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2027年6月", dt.date(2027, 6, 30)), ("明年2月", dt.date(2027, 2, 28)), ("后年", dt.date(2028, 12, 31))],
)
def test_parse_date_month_end_option(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY, month_only="end") == expected


@pytest.mark.parametrize("text", ["2027年2月30日", "13月1日", "很快", "", "500万", "12.5", "不知道"])
def test_no_date(text: str) -> None:
    assert parse_date(text, TODAY) is None


def test_date_without_year_rolls_into_next_year_at_year_end() -> None:
    assert parse_date("1月5日", dt.date(2026, 12, 31)) == dt.date(2027, 1, 5)
    assert parse_date("2月29日", dt.date(2027, 3, 1)) == dt.date(2028, 2, 29)


@PROPERTY
@given(st.text(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_parse_date_never_raises(text: str, today: dt.date) -> None:
    result = parse_date(text, today)
    assert result is None or isinstance(result, dt.date)


@pytest.mark.parametrize(
    "text, issued",
    [
        ("我们的证2022年3月15日拿的,啥时候续期", True),
        ("2022年3月拿到的证,啥时候到期", True),
        ("许可证是21年10月批下来的", True),
        ("证2027年6月30日到期,最晚什么时候续", False),
        ("有效期至2027年3月14日,哪天前续", False),
        ("2027年6月底过期", False),
        ("续期要提前多久", False),
    ],
)
def test_issue_date_or_expiry(text: str, issued: bool) -> None:
    assert is_issue_date(text) is issued
