"""components/answer_first.py: fact-carrying questions are answered, not interviewed."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.answer_first import AnswerFirstRule


def message(
    text: str,
    intent: str = "check_eligibility",
    entities: Optional[List[Dict[str, Any]]] = None,
    fine: Optional[List[Dict[str, Any]]] = None,
) -> Message:
    m = Message(data={"text": text})
    m.set("intent", {"name": intent, "confidence": 0.6})
    m.set("intent_ranking", [{"name": intent, "confidence": 0.6}, {"name": "faq", "confidence": 0.3}])
    m.set("entities", entities or [])
    m.set("fine_ranking", fine or [])
    return m


RULE = AnswerFirstRule(AnswerFirstRule.get_default_config())


def test_a_question_with_an_amount_is_answered_first() -> None:
    m = message("注册资本才80万，办省内的够吗", entities=[{"entity": "money", "value": "80万"}])
    RULE.process([m])
    assert m.get("intent")["name"] == "faq"
    assert [r["name"] for r in m.get("intent_ranking")] == ["faq", "check_eligibility"]


def test_a_question_whose_likely_topic_is_an_faq_is_answered_first() -> None:
    m = message("我们是分公司能申请吗", fine=[{"name": "faq/individual", "confidence": 0.4}])
    RULE.process([m])
    assert m.get("intent")["name"] == "faq"


@pytest.mark.parametrize(
    "text",
    ["帮我评估一下，注册资本500万能办吗", "我们符合条件吗，注册资本500万", "can we qualify with 5 million capital?"],
)
def test_asking_to_be_assessed_starts_the_interview(text: str) -> None:
    m = message(text, entities=[{"entity": "money", "value": "500万"}])
    RULE.process([m])
    assert m.get("intent")["name"] == "check_eligibility"


def test_a_statement_of_facts_is_left_alone() -> None:
    m = message("我们注册资本500万，有10个人交社保", entities=[{"entity": "money", "value": "500万"}])
    RULE.process([m])
    assert m.get("intent")["name"] == "check_eligibility"


def test_other_intents_are_left_alone() -> None:
    m = message("注册资本要多少？", intent="faq", entities=[])
    RULE.process([m])
    assert m.get("intent")["name"] == "faq"
