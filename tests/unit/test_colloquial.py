"""Cantonese words, colloquial numerals and English in the text readers."""

from __future__ import annotations

import pytest

from licence.extract import extract_answers
from zhtext.normalise import normalise
from zhtext.numbers import parse_count, parse_money_wan
from zhtext.places import parse_province
from zhtext.replies import parse_yes_no


@pytest.mark.parametrize(
    "text, mandarin",
    [
        ("幾耐先批落嚟", "多久先批落来"),
        ("點續牌", "怎么续期"),
        ("使唔使辦", "需不需要办"),
        ("係咪要100萬", "是不是要100万"),
        ("冇外資", "没有外资"),
        ("我哋系統壞咗", "我们系统坏了"),  # 系统 is "system", not Cantonese 系 (是)
        ("就俩人交了", "就两个人交了"),
        ("唔辦會點", "不办会怎样"),  # 会点 ending a clause asks what happens
        ("不交年報會點啊", "不交年报会怎样啊"),
    ],
)
def test_cantonese_and_colloquial_forms_become_mandarin(text: str, mandarin: str) -> None:
    assert normalise(text) == mandarin


def test_mandarin_is_left_alone() -> None:
    for text in ["呼叫中心系统", "一点点", "使用云呼叫中心", "关系不大", "我会点英语", "百度", "百分之五十"]:
        assert normalise(text) == text


@pytest.mark.parametrize(
    "text, count",
    [
        ("就俩人交了", 2),
        ("仨", 3),
        ("a dozen", 12),
        ("about twenty", 20),
        ("一百多号人", 100),
        ("We have 6 employees on social insurance", 6),
        ("十来个", 10),
        ("两三个", 2),
        ("十二三个", 12),  # a range read as its lower bound
        ("百来号人", 100),  # a bare 百 before an approximation
        ("just 2 of us so far", 2),
    ],
)
def test_head_counts_as_people_say_them(text: str, count: int) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    "text, wan", [("五百个w", 500), ("半个亿", 5000), ("1.2千万", 1200), ("0.12亿", 1200)]
)
def test_amounts_as_people_say_them(text: str, wan: float) -> None:
    assert parse_money_wan(text) == wan


@pytest.mark.parametrize(
    "text, province",
    [
        ("Shanghai", "上海"),
        ("Harbin", "黑龙江"),
        ("we are in Shenzhen", "广东"),
        ("在魔都", "上海"),
        ("公司在羊城", "广东"),
    ],
)
def test_provinces_in_english(text: str, province: str) -> None:
    assert parse_province(text) == province


@pytest.mark.parametrize(
    "text, answer",
    [
        ("yes we rent an office in Pudong", True),
        ("Not yet, we'd need to add it", False),
        ("none yet", False),
        ("冇問題", True),
        ("还没弄", False),
    ],
)
def test_yes_no_in_english_and_dialect(text: str, answer: bool) -> None:
    assert parse_yes_no(text) is answer


@pytest.mark.parametrize(
    "text", ["我們是香港公司，內地冇註冊", "We're a US company, no entity in China yet", "在香港注册的公司"]
)
def test_a_company_registered_outside_the_mainland_cannot_apply_itself(text: str) -> None:
    assert extract_answers(text, "is_company").values.get("is_company") is False


def test_a_hong_kong_shareholder_is_foreign_investment_not_the_applicant() -> None:
    values = extract_answers("股东里有家澳门公司，持股四成左右", None).values
    assert values.get("foreign_investment") is True
    assert "is_company" not in values


def test_unsure_in_cantonese_is_unknown() -> None:
    assert extract_answers("唔係好清楚", "business_scope_ok").values["business_scope_ok"] == "unknown"
