"""Reading interview answers out of whole user messages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licence.extract import (
    BOOLEAN_SLOTS,
    PROBLEM_CODES,
    SLOTS,
    UNKNOWN,
    Extraction,
    extract_answers,
    split_clauses,
)
from licence.limits import MONEY_MAX_WAN
from zhtext.vocabulary import load_provinces


def test_one_message_answers_many_questions() -> None:
    result = extract_answers("我们是上海的有限公司，只做上海本地业务，注册资本两千万，没有外资", None)
    assert result.values == {
        "coverage": "地网",
        "province": "上海",
        "is_company": True,
        "registered_capital": 2000.0,
        "foreign_investment": False,
    }
    assert result.problems == {}
    assert not result.asked_question


@pytest.mark.parametrize(
    ("requested", "text", "expected"),
    [
        ("on_dishonest_list", "没有", {"on_dishonest_list": False}),
        ("on_dishonest_list", "是的", {"on_dishonest_list": True}),
        ("has_premises", "有的", {"has_premises": True}),
        ("has_premises", "还没有呢", {"has_premises": False}),
        ("has_premises", "有，租的写字楼", {"has_premises": True}),
        ("has_premises", "没有，不过在找", {"has_premises": False}),
        ("is_company", "嗯", {"is_company": True}),
        ("is_company", "我是个体户", {"is_company": False}),
        ("is_company", "是有限公司", {"is_company": True}),
        ("is_company", "我们是母公司的分公司", {"is_company": False}),
        ("is_company", "公司", {"is_company": True}),
        ("violations_3y", "没有", {"violations_3y": False}),
        ("business_scope_ok", "有", {"business_scope_ok": True}),
        ("registered_capital", "800w", {"registered_capital": 800.0}),
        ("registered_capital", "500", {"registered_capital": 500.0}),
        ("registered_capital", "五百万", {"registered_capital": 500.0}),
        ("registered_capital", "3000000元", {"registered_capital": 300.0}),
        ("insured_staff", "两个", {"insured_staff": 2}),
        ("insured_staff", "5", {"insured_staff": 5}),
        ("insured_staff", "大概5个左右", {"insured_staff": 5}),
        ("coverage", "全国的业务", {"coverage": "全网"}),
        ("coverage", "地网", {"coverage": "地网"}),
        ("coverage", "北京", {"coverage": "地网", "province": "北京"}),
        ("coverage", "北京和上海", {"coverage": "全网"}),
        ("province", "深圳", {"province": "广东"}),
        ("province", "粤", {"province": "广东"}),
        ("province", "内蒙古自治区", {"province": "内蒙古"}),
        ("province", "上海市浦东新区", {"province": "上海"}),
        ("coverage", "就广东省内", {"coverage": "地网", "province": "广东"}),
        ("coverage", "主要在广东,但也有外省客户", {"coverage": "全网", "province": "广东"}),
        ("violations_3y", "没有过", {"violations_3y": False}),
        ("has_service_measures", "都有", {"has_service_measures": True}),
        ("has_premises", "现在没有,下个月有", {"has_premises": False}),
        ("insured_staff", "目前交了5个人的社保", {"insured_staff": 5}),
        ("insured_staff", "社保有10来个", {"insured_staff": 10}),
    ],
)
def test_answer_to_the_requested_slot(requested: str, text: str, expected: dict[str, object]) -> None:
    result = extract_answers(text, requested)
    assert result.values == expected
    assert result.problems == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("纯内资", {"foreign_investment": False}),
        ("内资企业", {"foreign_investment": False}),
        ("有外资", {"foreign_investment": True}),
        ("外资控股", {"foreign_investment": True}),
        ("中外合资", {"foreign_investment": True}),
        ("外商独资", {"foreign_investment": True}),
        ("不是内资", {"foreign_investment": True}),
        ("没有被列入失信名单", {"on_dishonest_list": False}),
        ("不在失信名单", {"on_dishonest_list": False}),
        ("上过失信名单", {"on_dishonest_list": True}),
        ("没有违规", {"violations_3y": False}),
        ("三年内没被处罚过", {"violations_3y": False}),
        ("没有不良记录", {"violations_3y": False}),
        ("有过处罚", {"violations_3y": True}),
        ("经营范围包含增值电信", {"business_scope_ok": True}),
        ("经营范围没有", {"business_scope_ok": False}),
        ("经营范围里没有增值电信", {"business_scope_ok": False}),
        ("有办公场地", {"has_premises": True}),
        ("租了办公室", {"has_premises": True}),
        ("准备租办公室", {"has_premises": False}),
        ("有呼叫中心系统", {"has_call_centre_system": True}),
        ("租用了系统", {"has_call_centre_system": True}),
        ("有应急预案和信息安全制度", {"has_service_measures": True}),
        ("办公室和系统都没有", {"has_premises": False, "has_call_centre_system": False}),
        ("有办公室没有系统", {"has_premises": True, "has_call_centre_system": False}),
        ("有办公室但是没有系统", {"has_premises": True, "has_call_centre_system": False}),
        ("3个人交社保", {"insured_staff": 3}),
        ("社保8人", {"insured_staff": 8}),
        ("员工12个", {"insured_staff": 12}),
        ("社保交了三个人", {"insured_staff": 3}),
        ("XX有限公司北京分公司", {"is_company": False, "province": "北京"}),
        ("我们不是个体户，是有限公司", {"is_company": True}),
        ("注册资本500", {"registered_capital": 500.0}),
        ("注册资金一个亿", {"registered_capital": 10000.0}),
        (
            "我们公司没有外资，也没有失信记录，三年内没有违规",
            {"foreign_investment": False, "on_dishonest_list": False, "violations_3y": False},
        ),
        ("全網業務，註冊資本一千萬", {"coverage": "全网", "registered_capital": 1000.0}),
    ],
)
def test_explicit_mentions_fill_their_slots(text: str, expected: dict[str, object]) -> None:
    assert extract_answers(text, None).values == expected


def test_explicit_mentions_beat_the_requested_slot() -> None:
    # Asked about the dishonest list, the user talks about foreign capital.
    assert extract_answers("没有外资", "on_dishonest_list").values == {"foreign_investment": False}
    assert extract_answers("有12位员工交社保", "has_premises").values == {"insured_staff": 12}


def test_head_count_is_not_an_individual() -> None:
    # "3个人" is three people, not "个人" (an individual applicant).
    assert "is_company" not in extract_answers("我们有3个人交社保", "is_company").values


@pytest.mark.parametrize(
    ("requested", "text", "expected"),
    [
        ("insured_staff", "刚才说错了，注册资本是800万", {"registered_capital": 800.0}),
        ("province", "不对，是地网", {"coverage": "地网"}),
        ("province", "不是北京，是上海", {"province": "上海"}),
        (None, "注册资本500万，不对，是800万", {"registered_capital": 800.0}),
        ("has_premises", "不对", {"has_premises": False}),
    ],
)
def test_corrections_later_values_win(requested: str | None, text: str, expected: dict[str, object]) -> None:
    assert extract_answers(text, requested).values == expected


@pytest.mark.parametrize(
    ("requested", "text"),
    [
        ("has_premises", "注册资本要多少？"),
        ("registered_capital", "500万够吗"),
        ("coverage", "全网还是地网有什么区别"),
        ("insured_staff", "社保要交几个月"),
    ],
)
def test_a_question_is_not_an_answer(requested: str, text: str) -> None:
    result = extract_answers(text, requested)
    assert result.values == {}
    assert result.problems == {}
    assert result.asked_question


def test_answer_then_question() -> None:
    result = extract_answers("有的，办公室需要多大？", "has_premises")
    assert result.values == {"has_premises": True}
    assert result.asked_question


@pytest.mark.parametrize(
    ("requested", "text", "expected"),
    [
        ("foreign_investment", "不清楚", {"foreign_investment": UNKNOWN}),
        ("registered_capital", "不知道注册资本多少", {"registered_capital": UNKNOWN}),
        ("has_premises", "外资情况不清楚", {"foreign_investment": UNKNOWN}),
        ("on_dishonest_list", "说不好", {"on_dishonest_list": UNKNOWN}),
        ("insured_staff", "忘了", {"insured_staff": UNKNOWN}),
    ],
)
def test_unknown(requested: str, text: str, expected: dict[str, object]) -> None:
    result = extract_answers(text, requested)
    assert result.values == expected
    assert result.problems == {}


@pytest.mark.parametrize(
    ("requested", "text", "problem"),
    [
        ("registered_capital", "很多", "not_a_number"),
        ("registered_capital", "是的", "not_a_number"),
        ("registered_capital", "-5万", "negative"),
        ("registered_capital", "负五万", "negative"),
        ("registered_capital", "0", "out_of_range"),
        ("registered_capital", "1e8万", "too_large"),
        ("registered_capital", "一万亿", "too_large"),
        ("insured_staff", "很多", "not_a_number"),
        ("insured_staff", "好几个", "not_a_number"),
        ("insured_staff", "-3个", "negative"),
        (None, "注册资本500万，不对，是-5万", "negative"),
    ],
)
def test_problems(requested: str | None, text: str, problem: str) -> None:
    result = extract_answers(text, requested)
    slot = requested or "registered_capital"
    assert result.problems == {slot: problem}
    assert slot not in result.values


@pytest.mark.parametrize(
    ("requested", "text", "expected"),
    [
        ("violations_3y", "被罚款5万", {"violations_3y": True}),
        ("insured_staff", "社保每月交5000元", {}),
        (None, "注册资本1000万,实缴50万", {"registered_capital": 1000.0}),
        (None, "实缴资本50万", {}),
        # Asked outright, the amount given is the answer.
        ("registered_capital", "实缴500万", {"registered_capital": 500.0}),
    ],
)
def test_money_that_is_not_registered_capital(
    requested: str | None, text: str, expected: dict[str, object]
) -> None:
    assert extract_answers(text, requested).values == expected


def test_no_insured_staff_is_zero() -> None:
    assert extract_answers("没有", "insured_staff").values == {"insured_staff": 0}
    assert extract_answers("还没有人交社保", "insured_staff").values == {"insured_staff": 0}


def test_place_named_in_passing_does_not_change_province() -> None:
    assert extract_answers("有，在深圳", "has_premises").values == {"has_premises": True}
    assert extract_answers("有，只做深圳本地", "has_premises").values == {
        "has_premises": True,
        "coverage": "地网",
        "province": "广东",
    }


def test_unknown_requested_slot_is_ignored() -> None:
    assert extract_answers("有", "no_such_slot") == Extraction()


def test_split_clauses_keeps_numbers_whole() -> None:
    assert split_clauses("注册资本99.99万,有3,000人,但是没有系统?对") == [
        "注册资本99.99万",
        "有3000人",
        "没有系统?",
        "对",
    ]


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(), st.sampled_from([None, *SLOTS]))
def test_extract_never_raises(text: str, requested: str | None) -> None:
    result = extract_answers(text, requested)
    assert set(result.values) <= set(SLOTS)
    assert set(result.problems) <= set(SLOTS)
    assert set(result.problems.values()) <= PROBLEM_CODES
    assert not set(result.values) & set(result.problems)
    for slot, value in result.values.items():
        if value == UNKNOWN:
            continue
        if slot in BOOLEAN_SLOTS:
            assert isinstance(value, bool)
        elif slot == "registered_capital":
            assert isinstance(value, float) and 0 < value <= MONEY_MAX_WAN
        elif slot == "insured_staff":
            assert isinstance(value, int) and not isinstance(value, bool) and value >= 0
        elif slot == "coverage":
            assert value in ("全网", "地网")
        elif slot == "province":
            assert value in {entry["short"] for entry in load_provinces()}


def test_the_parser_knows_the_same_interview_slots_as_the_rule_set() -> None:
    """extract.py keeps its own slot lists (no file I/O at import); they must
    match the questions of licence/ruleset.yml, the source of truth."""
    from licence.ruleset_loader import load_ruleset
    from licence.extract import BOOLEAN_SLOTS, NUMERIC_SLOTS, SLOTS

    questions = load_ruleset().questions
    assert SLOTS == tuple(q.slot for q in questions)
    assert BOOLEAN_SLOTS == {q.slot for q in questions if q.type == "bool"}
    assert NUMERIC_SLOTS == {q.slot for q in questions if q.type in ("money_wan", "count")}
