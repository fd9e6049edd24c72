"""components/decision.py: the signals gathered from a real message, and the relabelling."""

from __future__ import annotations

import pytest
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.decision import MessageDecision
from licence.context import DECIDED


def classified(text: str, nlp, intent: str, confidence: float = 0.7) -> Message:
    message = Message(data={TEXT: text})
    message.set(SPACY_DOCS[TEXT], nlp(text))
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(
        INTENT_RANKING_KEY,
        [
            {"name": intent, "confidence": confidence},
            {"name": "out_of_scope", "confidence": 0.2},
            {"name": "inform", "confidence": 0.1},
        ],
    )
    return message


def run(message: Message) -> Message:
    return MessageDecision(MessageDecision.get_default_config()).process([message])[0]


@pytest.mark.parametrize(
    "text, intent",
    [
        ("我们做网店的,需要办EDI证吗", "check_need"),
        ("EDI证注册资本是认缴还是实缴", "faq"),
        ("we're based in shenzhen, do we need an EDI licence for our online store?", "check_need"),
        ("营业性演出许可证办下来要多久", "faq"),
    ],
)
def test_a_licence_question_naming_only_another_licence_is_out_of_scope(text: str, intent: str, nlp) -> None:
    message = run(classified(text, nlp, intent))
    # certain: never read again in context as a follow-up of the last answer
    assert message.get(INTENT) == {"name": "out_of_scope", "confidence": 1.0}
    assert message.get(DECIDED) == {"rule": "another_licence", "certain": True}
    ranking = message.get(INTENT_RANKING_KEY)
    assert [r["name"] for r in ranking] == ["out_of_scope", intent, "inform"]


@pytest.mark.parametrize(
    "text, intent",
    [
        ("ICP和呼叫中心证有什么区别", "faq"),  # names ours too
        ("有了ICP还要办B24吗", "check_need"),
        ("我们已经有ICP证了", "inform"),  # a statement, not a question about it
        ("注册资本要多少", "faq"),  # names no other licence
        ("we're based in shenzhen, do we need the licence?", "check_need"),  # no EDI here
    ],
)
def test_everything_else_is_left_alone(text: str, intent: str, nlp) -> None:
    message = run(classified(text, nlp, intent))
    assert message.get(INTENT)["name"] == intent


def test_a_message_without_a_spacy_doc_is_left_alone() -> None:
    message = Message(data={TEXT: "EDI证要多久"})
    message.set(INTENT, {"name": "faq", "confidence": 0.9})
    assert run(message).get(INTENT)["name"] == "faq"


def test_a_fact_carrying_question_is_answered_first(nlp) -> None:
    message = classified("注册资本才80万，办省内的够吗", nlp, "check_eligibility")
    message.set("entities", [{"entity": "money", "value": "80万"}])
    message = run(message)
    assert message.get(INTENT)["name"] == "faq"
    assert message.get(INTENT_RANKING_KEY)[-1]["name"] == "check_eligibility"


def test_a_likely_faq_topic_counts_as_a_specific_question(nlp) -> None:
    message = classified("我们是分公司能申请吗", nlp, "check_eligibility")
    message.set("fine_ranking", [{"name": "faq/individual", "confidence": 0.4}])
    assert run(message).get(INTENT)["name"] == "faq"


def test_unreadable_text_is_out_of_scope_with_certainty(nlp) -> None:
    message = run(classified("啊啊啊啊啊啊", nlp, "affirm", confidence=0.25))
    assert message.get(INTENT) == {"name": "out_of_scope", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY)[0] == {"name": "out_of_scope", "confidence": 1.0}


def test_a_message_nearest_to_an_out_of_scope_example_is_out_of_scope(nlp) -> None:
    message = classified("番茄炒蛋先放蛋还是先放番茄", nlp, "deny", confidence=0.25)
    message.set("nearest_example", {"intent": "out_of_scope", "similarity": 0.91})
    # certain, so that the fallback does not turn it into "please rephrase"
    assert run(message).get(INTENT) == {"name": "out_of_scope", "confidence": 1.0}


def test_naming_the_licence_outweighs_the_nearest_example(nlp) -> None:
    message = classified("呼叫中心那个东西咋弄", nlp, "faq", confidence=0.6)
    message.set("nearest_example", {"intent": "out_of_scope", "similarity": 0.91})
    assert run(message).get(INTENT)["name"] == "faq"


def test_a_described_question_is_answered_on_the_topic_of_its_last_question(nlp) -> None:
    text = "我们是做金融客服外包的，条件都准备好了。想问从递交材料到拿证大概需要多长时间？"
    message = classified(text, nlp, "check_eligibility", confidence=0.6)
    # the whole message hints at the timeline, among other things
    whole = [{"name": "check_eligibility", "confidence": 0.5}, {"name": "faq/timeline", "confidence": 0.1}]
    message.set("fine_ranking", whole)
    ranking = [
        {"name": "faq/timeline", "confidence": 0.4},
        {"name": "faq/acceptance_time", "confidence": 0.2},
    ]
    message.set("last_question", {"text": "想问从递交材料到拿证大概需要多长时间？", "ranking": ranking})
    decided = run(message)
    assert decided.get(INTENT)["name"] == "faq"
    # the FAQ action reads the fine ranking: it is the question's, not the description's
    assert decided.get("fine_ranking")[0]["name"] == "faq/timeline"


def test_a_last_question_without_a_clear_lead_changes_nothing(nlp) -> None:
    text = "我们是做金融客服外包的，条件都准备好了。想问从递交材料到拿证大概需要多长时间？"
    message = classified(text, nlp, "check_eligibility", confidence=0.6)
    ranking = [
        {"name": "faq/timeline", "confidence": 0.3},
        {"name": "faq/acceptance_time", "confidence": 0.25},
    ]
    message.set("last_question", {"text": "想问从递交材料到拿证大概需要多长时间？", "ranking": ranking})
    assert run(message).get(INTENT)["name"] == "check_eligibility"
