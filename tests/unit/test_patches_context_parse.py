"""patches/context_parse.py: a short follow-up right after an answer is parsed
again with the user's previous words in front, and read on the topic just
answered when that reading says so; anything else keeps its own parse."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from patches import context_parse

QUESTION = "上了失信名单的公司还能申请吗"
FOLLOWUP = "要是这个上了呢"


def parse_of(text: str) -> Dict[str, Any]:
    """A graph that reads the follow-up alone as unplaced, and in context as credit."""
    if text == FOLLOWUP:
        fine = [{"name": "followup", "confidence": 0.9}, {"name": "faq/changes", "confidence": 0.05}]
        intent = "followup"
    elif text.endswith(FOLLOWUP):
        fine = [{"name": "faq/credit", "confidence": 0.85}, {"name": "faq/changes", "confidence": 0.1}]
        intent = "faq"
    else:
        fine = [{"name": "faq/credit", "confidence": 0.95}]
        intent = "faq"
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
        "fine_ranking": fine,
        "fine_intent": fine[0],
        "entities": [],
    }


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    runs: List[str] = []

    def run(self: Any, message: UserMessage, tracker: Any, only_output_properties: bool = True) -> Dict:
        runs.append(message.text)
        return parse_of(message.text)

    monkeypatch.setattr(context_parse, "_inner", run)
    return runs


def answered(
    topic: str = "credit", action: str = "action_answer_faq", reply: str = "utter_faq/credit"
) -> list:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(QUESTION, {"name": "faq"}),
        ActionExecuted(action),
        BotUttered("...", metadata={"utter_action": reply}),
        SlotSet("last_topic", topic),
        ActionExecuted("action_listen"),
    ]


def parse(events: list, text: str = FOLLOWUP) -> Dict[str, Any]:
    tracker = DialogueStateTracker.from_events("s", events)
    return context_parse._parse_message_with_graph(None, UserMessage(text, sender_id="s"), tracker)  # type: ignore[arg-type]


def test_a_followup_after_an_answer_is_read_on_that_topic(graph: List[str]) -> None:
    result = parse(answered())
    assert result["intent"]["name"] == "faq"
    assert result["fine_intent"]["name"] == "faq/credit"
    assert result["fine_ranking"][0]["name"] == "faq/credit"
    assert result["context"] == {"text": QUESTION, "topic": "credit", "intent": "followup"}
    assert graph == [FOLLOWUP, f"{QUESTION} {FOLLOWUP}"]


def test_no_second_parse_without_an_answered_topic(graph: List[str]) -> None:
    # the last turn said "please rephrase": no topic is in play
    result = parse(answered(reply="utter_default"))
    assert result["intent"]["name"] == "followup" and "context" not in result
    # a new conversation
    result = parse([ActionExecuted("action_listen")])
    assert "context" not in result
    # the last answer was the need check, not an FAQ topic
    assert "context" not in parse(answered(topic="need"))
    assert graph == [FOLLOWUP, FOLLOWUP, FOLLOWUP]


def test_an_open_form_keeps_the_message_as_it_is(graph: List[str]) -> None:
    from rasa.shared.core.events import ActiveLoop

    result = parse(answered() + [ActiveLoop("eligibility_form")])
    assert "context" not in result and graph == [FOLLOWUP]


def test_a_certain_decision_is_not_read_again(graph: List[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def certain(self: Any, message: UserMessage, tracker: Any, only_output_properties: bool = True) -> Dict:
        graph.append(message.text)
        return {**parse_of(message.text), "decided": {"rule": "near_domain", "certain": True}}

    monkeypatch.setattr(context_parse, "_inner", certain)
    assert "context" not in parse(answered())
    assert graph == [FOLLOWUP]


def test_a_message_off_topic_on_its_own_is_not_read_again(
    graph: List[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def off_topic(self: Any, message: UserMessage, tracker: Any, only_output_properties: bool = True) -> Dict:
        graph.append(message.text)
        return {
            **parse_of(message.text),
            "intent": {"name": "out_of_scope", "confidence": 0.8},
            "nearest_example": {"intent": "out_of_scope", "similarity": 0.95},
        }

    monkeypatch.setattr(context_parse, "_inner", off_topic)
    result = parse(answered(), "失眠怎么办")
    assert "context" not in result and result["intent"]["name"] == "out_of_scope"
    assert graph == ["失眠怎么办"]


def test_a_failure_in_context_keeps_the_own_parse(graph: List[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(context_parse, "reread", broken)
    result = parse(answered())
    assert result["intent"]["name"] == "followup"


def test_the_previous_turn_stops_at_the_session_start() -> None:
    tracker = DialogueStateTracker.from_events(
        "s",
        [
            UserUttered("旧的问题"),
            SessionStarted(),
            UserUttered(QUESTION),
            ActionExecuted("action_answer_faq"),
        ],
    )
    turn, texts = context_parse.last_turn(tracker, 3)
    assert texts == [QUESTION]
    assert [event["name"] for event in turn] == ["action_answer_faq"]


def test_apply_wraps_once_and_restore_undoes_it() -> None:
    from rasa.core.processor import MessageProcessor

    saved = MessageProcessor._parse_message_with_graph, context_parse._inner
    try:
        context_parse.restore()  # whatever an earlier test applied
        before = MessageProcessor._parse_message_with_graph
        context_parse.apply()
        context_parse.apply()
        assert MessageProcessor._parse_message_with_graph is context_parse._parse_message_with_graph
        assert context_parse._inner is before
        context_parse.restore()
        assert MessageProcessor._parse_message_with_graph is before
    finally:
        MessageProcessor._parse_message_with_graph, context_parse._inner = saved  # type: ignore[method-assign]


def test_a_certain_facet_question_still_takes_its_topic_from_the_context(
    graph: List[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def facet_question(
        self: Any, message: UserMessage, tracker: Any, only_output_properties: bool = True
    ) -> Dict:
        graph.append(message.text)
        return {**parse_of(message.text), "decided": {"rule": "facet_question", "certain": True}}

    monkeypatch.setattr(context_parse, "_inner", facet_question)
    assert parse(answered())["context"]["topic"] == "credit"
