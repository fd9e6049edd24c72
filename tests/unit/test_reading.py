"""licence/reading.py and components/reading.py: the NLU reads a message's
interview answers and facts once, and the actions read them back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.reading import MessageReader
from licence.extract import SLOTS, extract_answers
from licence.reading import (
    ANSWER,
    ENTITY_NAMES,
    FACT,
    PROBLEM,
    READER,
    REPLIES,
    Facts,
    answers_in,
    facts_in,
)
from licence.message_shape import answer_then_question
from tests.unit.nlu_reading import read

ROOT = Path(__file__).resolve().parents[2]


def nlu(text: str) -> Dict[str, Any]:
    """The message's parse data after the component, through JSON as the tracker keeps it."""
    message = Message(data={TEXT: text})
    message.set(ENTITIES, [{"entity": "money", "value": "800万", "start": 4, "end": 8}], add_to_output=True)
    MessageReader().process([message])
    return json.loads(json.dumps(message.as_dict(only_output_properties=True), ensure_ascii=False))


def test_the_extractor_name_is_the_component_name() -> None:
    assert MessageReader.__name__ == READER


def test_the_entity_names_are_declared_in_the_domain() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
    assert set(ENTITY_NAMES) <= set(domain["entities"])


def test_the_component_writes_the_answers_stated_and_keeps_the_ruler_entities() -> None:
    data = nlu("注册资本800万，地网，5个人交社保")
    assert data[ENTITIES][0]["entity"] == "money"  # the ruler's, untouched
    answers = [(e["role"], e["value"]) for e in data[ENTITIES] if e["entity"] == ANSWER]
    assert answers == [("registered_capital", 800.0), ("coverage", "地网"), ("insured_staff", 5)]
    assert all(e["extractor"] == READER for e in data[ENTITIES] if e["entity"] in ENTITY_NAMES)
    assert answers_in(data).values == {"registered_capital": 800.0, "coverage": "地网", "insured_staff": 5}


def test_a_reply_reads_as_the_answer_to_the_question_asked() -> None:
    data = nlu("有")
    assert answers_in(data).values == {}
    assert answers_in(data, "has_premises").values == {"has_premises": True}
    assert answers_in(data, "on_dishonest_list").values == {"on_dishonest_list": True}
    # "有" is no head count: the question is asked again
    staff = answers_in(data, "insured_staff")
    assert staff.values == {} and staff.problems == {"insured_staff": "not_a_number"}


def test_a_count_alone_answers_only_the_staff_question() -> None:
    data = nlu("5个")
    assert answers_in(data, "insured_staff").values == {"insured_staff": 5}
    assert answers_in(data, "has_premises").values == {}


def test_the_answer_before_a_question_is_read_for_the_question_asked() -> None:
    data = nlu("8个 够吗")
    assert answers_in(data, "insured_staff").values == {"insured_staff": 8}
    assert facts_in(data).count == 8


def test_a_negated_province_is_not_the_answer() -> None:
    data = nlu("是上海，不是北京")
    assert answers_in(data).values == {"province": "上海"}
    assert facts_in(data).province == "上海"
    assert facts_in(data).provinces == ("上海",)


def test_an_amount_with_thousands_separators_is_its_value() -> None:
    data = nlu("1,000,000元")
    assert answers_in(data).values == {"registered_capital": 100.0}
    assert facts_in(data).amounts_wan == (100.0,)


def test_an_unusable_amount_is_a_problem_not_an_answer() -> None:
    data = nlu("注册资本0元")
    assert [(e["role"], e["value"]) for e in data[ENTITIES] if e["entity"] == PROBLEM] == [
        ("registered_capital", "out_of_range")
    ]
    assert answers_in(data).problems == {"registered_capital": "out_of_range"}


def test_the_facts_the_faq_answers_compute_from() -> None:
    facts = facts_in(nlu("我们在江苏和浙江做，认缴1000万实缴100万，3个人交社保，想办全网"))
    assert facts == Facts(
        count=3, amounts_wan=(1000.0, 100.0), provinces=("江苏", "浙江"), coverage="全网", province="浙江"
    )


def test_a_province_outside_the_mainland_is_no_fact_of_a_local_licence() -> None:
    facts = facts_in(nlu("香港公司呢"))
    assert facts.province is None and facts.provinces == ()


def test_each_question_of_a_message_has_its_own_facts() -> None:
    data = nlu("注册资本50万够不够？社保要交几个人？我们有3个人")
    assert facts_in(data, 0).amounts_wan == (50.0,)
    assert facts_in(data, 0).count is None
    assert facts_in(data, 1).count == 3


@pytest.mark.parametrize(
    "text",
    [
        "注册资本800万，地网，5个人交社保",
        "有",
        "是上海，不是北京",
        "没有没有，信用好得很",
        "有的 不过是租的 可以吗",
        "你好",
    ],
)
def test_every_reading_is_what_the_parser_says(text: str) -> None:
    data = json.loads(json.dumps(read(text), ensure_ascii=False))
    stated = extract_answers(text, None)
    assert (answers_in(data).values, answers_in(data).problems) == (stated.values, stated.problems)
    split = answer_then_question(text)  # "有的 不过是租的 可以吗": the answer before the question
    for slot in SLOTS:
        found = answers_in(data, slot)
        expected = extract_answers(split[0] if split else text, slot)
        assert (found.values, found.problems) == (expected.values, expected.problems), slot
        assert list(found.values) == list(expected.values), slot  # the order the form follows


def test_only_the_questions_that_read_otherwise_are_stored() -> None:
    stored = read("注册资本800万，地网，5个人交社保").get(REPLIES) or {}
    assert len(json.dumps(stored, ensure_ascii=False)) < 600
    assert "has_premises" not in stored  # the same as stated outright
    assert len(json.dumps(read("有"), ensure_ascii=False)) < 1000


@pytest.mark.parametrize(
    "latest",
    [
        {"text": '/inform{"coverage": "全网"}', "intent": {"name": "inform"}, "entities": []},
        # an entity of that name the reader did not write (a payload's JSON)
        {"text": "/inform", "entities": [{"entity": ANSWER, "role": "coverage", "value": "全网"}]},
        {"text": "8个", "entities": None, REPLIES: "not a reading"},
        {},
    ],
)
def test_a_message_without_a_reading_gives_no_answers_and_no_facts(latest: Dict[str, Any]) -> None:
    for requested in (None, "coverage", "insured_staff"):
        found = answers_in(latest, requested)
        assert found.values == {} and found.problems == {}
    assert facts_in(latest) == Facts()


def test_a_reading_with_a_wrong_value_type_drops_that_value() -> None:
    latest = {
        ENTITIES: [
            {"entity": FACT, "role": "count", "value": "five", "extractor": READER},
            {"entity": FACT, "role": "amount_wan", "value": True, "extractor": READER},
            {"entity": ANSWER, "role": "coverage", "value": {"x": 1}, "extractor": READER},
        ],
        REPLIES: {"insured_staff": {"values": [["insured_staff"], ["nonsense", 3]]}},
    }
    assert facts_in(latest) == Facts()
    assert answers_in(latest).values == {}
    assert answers_in(latest, "insured_staff").values == {}


def test_an_empty_message_is_not_read() -> None:
    message = Message(data={TEXT: ""})
    MessageReader().process([message])
    assert not message.get(ENTITIES) and message.get(REPLIES) is None


def test_the_dates_a_message_states_are_read_relative_to_today(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    monkeypatch.setenv("BOT_TODAY", "2026-11-27")
    facts = facts_in(nlu("证书6月30日到期"))
    # a date without a year: the next 30 June for an expiry, the last one for a submission
    assert facts.date_ahead == dt.date(2027, 6, 30)
    assert facts.date_behind == dt.date(2026, 6, 30)
    assert not facts.issue_date
    assert facts_in(nlu("2022年3月15日拿的证")).issue_date
    assert facts_in(nlu("要多久")).date_ahead is None


def test_the_nlu_and_the_actions_read_today_from_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from actions.settings import settings

    monkeypatch.setenv("BOT_TODAY", "2026-03-01")
    settings.cache_clear()
    try:
        assert settings().today() == dt.date(2026, 3, 1)
        assert facts_in(nlu("明天提交")).date_behind == dt.date(2026, 3, 2)
    finally:
        settings.cache_clear()
