"""Numbers in what users type: money in 万元, head counts, and the amounts stated."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licence.limits import MONEY_MAX_WAN, money_problem, money_value_problem
from zhtext.numbers import (
    MoneyMatch,
    find_money,
    format_wan,
    parse_count,
    parse_money_wan,
    stated_amounts_wan,
)

PROPERTY = settings(max_examples=300, deadline=None, database=None)


# --- money ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wan"),
    [
        ("五百万", 500),
        ("500万元", 500),
        ("500万人民币", 500),
        ("1千万", 1000),
        ("0.2亿", 2000),
        ("两千万", 2000),
        ("800w", 800),
        ("800W", 800),
        ("1kw", 1000),  # k (千) times w (万)
        ("注册资本5KW", 5000),
        ("1.5kw", 1500),
        ("1000万", 1000),
        ("一千万", 1000),
        ("一个亿", 10000),
        ("1.5亿", 15000),
        ("一点五亿", 15000),
        ("3000000元", 300),
        ("300万元整", 300),
        ("五十万", 50),
        ("99.99万", 99.99),
        ("100 万", 100),
        ("RMB 5 million", 500),
        ("5 million", 500),
        ("5m", 500),
        ("1,000万", 1000),
        ("１０００万", 1000),
        ("伍佰万", 500),
        ("500", 500),  # bare, below 10,000: 万
        ("3000000", 300),  # bare, from 10,000 up: 元
        ("五百", 500),
        ("我们注册资本是五百万够吗", 500),
        ("500万够吗", 500),
        ("注册资本3个人交社保500万", 500),
        ("从100万增资到500万", 500),
        ("註冊資本五百萬", 500),
        # ranges and "about" read as the lower bound
        ("三四百万", 300),
        ("一百来万", 100),
        ("两百多万", 200),
    ],
)
def test_parse_money_wan(text: str, wan: float) -> None:
    assert parse_money_wan(text) == pytest.approx(wan)
    assert money_problem(text) is None


@pytest.mark.parametrize(
    "text", ["很多", "不少", "挺多的", "", "3个人", "2027年", "三个月", "一般般", "20来个人", "十几个员工"]
)
def test_no_amount(text: str) -> None:
    assert parse_money_wan(text) is None
    assert money_problem(text) == "not_a_number"


@pytest.mark.parametrize(
    ("text", "wan", "problem"),
    [
        ("-5万", -5, "negative"),
        ("负五万", -5, "negative"),
        ("0元", 0, "out_of_range"),
        ("1e8万", 1e8, "too_large"),
        ("一万亿", 1e8, "too_large"),
        ("1000万亿", 1e11, "too_large"),
    ],
)
def test_unusable_amounts(text: str, wan: float, problem: str) -> None:
    assert parse_money_wan(text) == pytest.approx(wan)
    assert money_problem(text) == problem


def test_money_range_edges() -> None:
    assert money_value_problem(MONEY_MAX_WAN) is None
    assert money_value_problem(MONEY_MAX_WAN + 1) == "too_large"
    assert money_value_problem(0.01) is None


def test_find_money_reports_whether_a_unit_was_written() -> None:
    assert find_money("500万") == MoneyMatch(500.0, True)
    assert find_money("500") == MoneyMatch(500.0, False)
    assert find_money("一百万和5") == MoneyMatch(100.0, True)


@pytest.mark.parametrize(
    ("wan", "shown"), [(500, "500万元"), (99.99, "99.99万元"), (2000.0, "2000万元"), (0.5, "0.5万元")]
)
def test_format_wan(wan: float, shown: str) -> None:
    assert format_wan(wan) == shown


@PROPERTY
@given(st.text())
def test_money_parsers_never_raise(text: str) -> None:
    value = parse_money_wan(text)
    assert value is None or isinstance(value, float)
    assert money_problem(text) in (None, "not_a_number", "negative", "out_of_range", "too_large")


@PROPERTY
@given(st.text(alphabet="0123456789.,-万亿元块wW个人一二两三十百千点负 ", max_size=20))
def test_money_parsers_never_raise_on_number_soup(text: str) -> None:
    parse_money_wan(text)
    parse_count(text)


# --- counts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("3个人", 3),
        ("三名", 3),
        ("5人", 5),
        ("十个", 10),
        ("两个", 2),
        ("社保交了8个", 8),
        ("有12位员工交社保", 12),
        ("5", 5),
        ("五", 5),
        ("大概5个左右", 5),
        ("社保人数是5", 5),
        ("员工12", 12),
        ("-3个", -3),
        # approximate counts and ranges read as their lower bound
        ("十几个", 10),
        ("20来个人", 20),
        ("二十多人", 20),
        ("50余名员工", 50),
        ("两三个人", 2),
        ("七八个", 7),
        ("二三十个人", 20),
        ("二十三个人", 23),
    ],
)
def test_parse_count(text: str, count: int) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    "text", ["500万", "800w", "3000元", "三个月", "一个亿", "十几个月", "2.5个", "很多", "2027年"]
)
def test_not_a_count(text: str) -> None:
    assert parse_count(text) is None


@pytest.mark.parametrize(
    "text, amounts",
    [
        ("认缴1000万，实缴100万", [1000, 100]),
        ("注册资本1kw", [1000]),
        ("二百万够吗", [200]),
        ("B24要3个人吗", []),  # no unit: not an amount
        ("2027年到期", []),
    ],
)
def test_every_amount_with_a_unit_is_listed(text: str, amounts: list) -> None:
    assert stated_amounts_wan(text) == amounts
