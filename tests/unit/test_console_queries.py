"""console.queries: tracker events -> turns, outcomes, filters (hand-built events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Dict, List, Optional

import pytest

from console import metrics, queries
from console.queries import Filters

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=queries.CHINA).timestamp()


def user(
    text: str,
    intent: Optional[str],
    confidence: float = 0.9,
    t: float = 0.0,
    sender: str = "s",
    channel: str = "rest",
) -> Dict[str, Any]:
    return {
        "event": "user",
        "sender_id": sender,
        "timestamp": T0 + t,
        "text": text,
        "input_channel": channel,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": []},
    }


def bot(action: Optional[str], t: float, sender: str = "s", text: str = "回复") -> Dict[str, Any]:
    metadata = {"utter_action": action} if action else {}
    return {"event": "bot", "sender_id": sender, "timestamp": T0 + t, "text": text, "metadata": metadata}


def loop(name: Optional[str], t: float, sender: str = "s") -> Dict[str, Any]:
    return {"event": "active_loop", "sender_id": sender, "timestamp": T0 + t, "name": name}


def result(value: Any, t: float, sender: str = "s") -> Dict[str, Any]:
    return {
        "event": "slot",
        "sender_id": sender,
        "timestamp": T0 + t,
        "name": "eligibility_result",
        "value": value,
    }


def one(events: List[Dict[str, Any]]) -> queries.Conversation:
    return queries.build_conversation("s", events)


def reasons(events: List[Dict[str, Any]]) -> List[Optional[str]]:
    return [t.reason for t in one(events).turns]


def test_an_answered_message_has_no_reason() -> None:
    conversation = one([user("注册资本要多少", "faq", 0.93), bot("utter_faq/capital", 1)])
    assert reasons([user("注册资本要多少", "faq", 0.93), bot("utter_faq/capital", 1)]) == [None]
    assert conversation.outcomes == ["answered"]


def test_fallback_and_out_of_scope_come_from_the_intent_or_the_response() -> None:
    assert reasons([user("啥", "nlu_fallback", 0.3), bot("utter_default", 1)]) == ["fallback"]
    assert reasons([user("卖保险吗", "out_of_scope"), bot("utter_out_of_scope", 1)]) == ["out_of_scope"]
    # the classifier was sure, the action still could not answer
    assert reasons([user("那个呢", "followup", 0.95), bot("utter_followup_unclear", 1)]) == ["unclear"]
    assert reasons([user("材料", "faq", 0.95), bot("utter_default", 1)]) == ["fallback"]
    assert reasons([user("材料", "faq", 0.95), bot("utter_action_unavailable", 1)]) == ["error"]
    assert one([user("啥", "nlu_fallback", 0.3), bot("utter_default", 1)]).outcomes == ["fallback"]


def test_a_message_without_any_reply_is_unanswered() -> None:
    assert reasons([user("在吗", "greet"), user("你好", "greet", t=5), bot("utter_greet", 6)]) == [
        "no_reply",
        None,
    ]


def test_low_confidence_is_below_the_one_threshold_but_not_inside_the_interview() -> None:
    below = queries.LOW_CONFIDENCE - 0.01
    assert reasons([user("注册资夲", "faq", below), bot("utter_faq/capital", 1)]) == ["low_confidence"]
    assert reasons([user("注册资夲", "faq", queries.LOW_CONFIDENCE), bot("utter_faq/capital", 1)]) == [None]
    in_form = [loop("eligibility_form", 0), user("全网", "inform", 0.2, t=1), bot("utter_ask_province", 2)]
    assert reasons(in_form) == [None]
    conversation = one([user("注册资夲", "faq", below), bot("utter_faq/capital", 1)])
    assert conversation.outcomes == ["low_confidence"]


def test_a_handoff_is_asked_by_intent_or_answered_by_the_handoff_response() -> None:
    asked = one([user("转人工", "human_handoff", 0.4), bot("utter_human_handoff", 1)])
    assert asked.turns[0].handoff and asked.turns[0].reason is None
    assert "handoff" in asked.outcomes and "answered" in asked.outcomes


def test_an_interview_with_a_verdict_is_completed_even_though_the_form_closes_first() -> None:
    events = [
        user("帮我评估", "check_eligibility"),
        loop("eligibility_form", 1),
        bot("utter_ask_coverage", 1),
        user("全网", "inform", t=2),
        loop(None, 3),
        result({"eligible": False}, 4),
        bot("utter_verdict_not_eligible", 4),
    ]
    conversation = one(events)
    assert conversation.completed and not conversation.abandoned
    assert conversation.verdicts == ["ineligible"]
    assert "interview_completed" in conversation.outcomes


def test_an_interview_closed_without_a_verdict_is_abandoned() -> None:
    events = [
        user("帮我评估", "check_eligibility"),
        loop("eligibility_form", 1),
        bot("utter_ask_coverage", 1),
        user("算了", "stop_interview", t=2),
        loop(None, 3),
        bot("utter_interview_stopped", 3),
        user("注册资本要多少", "faq", t=4),
        bot("utter_faq/capital", 5),
    ]
    conversation = one(events)
    assert conversation.abandoned and not conversation.completed
    assert conversation.outcomes == ["answered", "interview_abandoned"]


def test_a_restarted_interview_that_ends_with_a_verdict_counts_both() -> None:
    events = [
        loop("eligibility_form", 1),
        {"event": "restart", "sender_id": "s", "timestamp": T0 + 2},
        loop("eligibility_form", 3),
        loop(None, 4),
        result({"eligible": None}, 5),
    ]
    conversation = one(events)
    assert conversation.abandoned and conversation.completed
    assert conversation.verdicts == ["undetermined"]


def test_a_reset_result_is_no_verdict() -> None:
    assert one([loop("eligibility_form", 1), result(None, 2)]).verdicts == []


def test_odd_events_do_not_break_a_conversation() -> None:
    events = [
        {"event": "user", "sender_id": "s", "timestamp": T0, "text": None, "parse_data": "oops"},
        {"event": "bot", "sender_id": "s", "timestamp": T0 + 1, "metadata": ["x"], "text": 5},
        {
            "event": "user",
            "sender_id": "s",
            "timestamp": T0 + 2,
            "text": "你好",
            "parse_data": {"intent": {"name": 3, "confidence": "high"}},
        },
    ]
    conversation = one(events)
    assert [(t.text, t.intent, t.confidence) for t in conversation.turns] == [
        ("", None, None),
        ("你好", None, None),
    ]
    assert conversation.channel == "unknown"


def test_parse_rows_skips_rows_whose_json_is_not_an_event() -> None:
    rows = [
        {"sender_id": "a", "timestamp": T0, "data": '{"event": "user", "text": "hi"}'},
        {"sender_id": "a", "timestamp": T0, "data": "{broken"},
        {"sender_id": "a", "timestamp": T0, "data": "[]"},
        {"sender_id": "a", "timestamp": None, "data": '{"event": "bot"}'},
        {"sender_id": None, "timestamp": T0, "data": '{"event": "bot"}'},
        {"sender_id": "a", "timestamp": T0, "data": None},
    ]
    events = queries.parse_rows(rows)
    assert events == [{"event": "user", "text": "hi", "timestamp": T0, "sender_id": "a"}]


def test_filters_by_channel_day_and_outcome() -> None:
    day = 24 * 3600
    events = [
        user("你好", "greet", sender="a", channel="rest"),
        bot("utter_greet", 1, sender="a"),
        user("啥", "nlu_fallback", 0.3, t=day, sender="b", channel="wechat"),
        bot("utter_default", day + 1, "b"),
    ]
    found = queries.conversations(events)
    assert [c.sender_id for c in found] == ["b", "a"]  # most recent first
    a_day = found[1].day
    assert [c.sender_id for c in queries.select(found, Filters(channel="wechat"))] == ["b"]
    assert [c.sender_id for c in queries.select(found, Filters(outcome="answered"))] == ["a"]
    assert [c.sender_id for c in queries.select(found, Filters(since=a_day, until=a_day))] == ["a"]
    assert queries.select(found, Filters(since=date(2030, 1, 1))) == []


def test_unanswered_lists_the_messages_newest_first_with_their_reason() -> None:
    events = [
        user("啥", "nlu_fallback", 0.3),
        bot("utter_default", 1),
        user("卖保险吗", "out_of_scope", t=5),
        bot("utter_out_of_scope", 6),
        user("你好", "greet", t=7),
        bot("utter_greet", 8),
    ]
    items = queries.unanswered(queries.conversations(events))
    assert [(u.text, u.reason) for u in items] == [("卖保险吗", "out_of_scope"), ("啥", "fallback")]


def test_metrics_count_days_shares_verdicts_and_the_slowest_turn() -> None:
    events = [
        user("你好", "greet", sender="a"),
        bot("utter_greet", 0.5, sender="a"),
        user("啥", "nlu_fallback", 0.3, t=10, sender="b", channel="wechat"),
        bot("utter_default", 14, "b"),
        loop("eligibility_form", 15, "b"),
        loop(None, 16, "b"),
        result({"eligible": True}, 17, "b"),
    ]
    figures = metrics.summary(queries.conversations(events))
    assert figures["per_day"] == {"2026-12-01": {"rest": 1, "wechat": 1}}
    assert figures["answered_share"] == 0.5 and figures["fallback_rate"] == 0.5
    assert figures["interview"]["verdicts"] == {"eligible": 1}
    assert figures["interview"]["completion_rate"] == 1.0
    assert [(row["text"], row["seconds"]) for row in figures["slowest"]] == [("啥", 4.0), ("你好", 0.5)]


def test_metrics_of_nothing_are_zero() -> None:
    figures = metrics.summary([])
    assert figures["conversations"] == 0 and figures["answered_share"] == 0.0 and figures["slowest"] == []


# --- the handoff's pause ------------------------------------------------------------


def mark(kind: str, t: float, sender: str = "s") -> Dict[str, Any]:
    """Rasa's pause, resume, restart or session_started event."""
    return {"event": kind, "sender_id": sender, "timestamp": T0 + t}


def handed_off() -> List[Dict[str, Any]]:
    return [
        user("转人工", "human_handoff", 0.95, 0, channel="wechat"),
        bot("utter_human_handoff", 0.2),
        mark("pause", 0.3),
    ]


def test_a_paused_conversation_is_listed_as_paused_since_its_pause() -> None:
    conversation = one([*handed_off(), user("在吗", "greet", 0.9, 60, channel="wechat")])
    assert conversation.paused_since == T0 + 0.3
    assert conversation.outcomes == ["answered", "handoff", "paused"]
    assert queries.select([conversation], Filters(outcome="paused")) == [conversation]


def test_messages_for_the_person_are_neither_answered_nor_unanswered() -> None:
    conversation = one(
        [*handed_off(), user("啊啊", "nlu_fallback", 0.1, 60), user("在吗", "greet", 0.2, 120)]
    )
    handoff, first, second = conversation.turns
    assert (handoff.paused, first.paused, second.paused) == (False, True, True)
    assert [t.reason for t in conversation.turns] == [None, None, None]
    assert queries.unanswered([conversation]) == []


@pytest.mark.parametrize("end", ["resume", "restart", "session_started"])
def test_a_resume_restart_or_new_session_ends_the_pause(end: str) -> None:
    conversation = one(
        [*handed_off(), user("在吗", "greet", 0.9, 60), mark(end, 90), user("年报", "faq", 0.9, 120)]
    )
    assert conversation.paused_since is None and "paused" not in conversation.outcomes
    assert [t.paused for t in conversation.turns] == [False, True, False]


def test_pauses_and_resumes_are_marked_where_they_happened() -> None:
    back = bot("utter_handoff_resumed", 1800)
    events = [*handed_off(), user("在吗", "greet", 0.9, 60), mark("resume", 1800), back, mark("pause", 1801)]
    handoff, waiting = one(events).turns
    assert [(m.event, m.after_replies) for m in handoff.marks] == [("pause", 1)]
    # resumed before the "back" reply, paused again after it
    assert [(m.event, m.after_replies) for m in waiting.marks] == [("resume", 0), ("pause", 1)]


def test_the_reply_that_ends_a_pause_is_no_slow_turn() -> None:
    events = [
        *handed_off(),
        user("在吗", "greet", 0.9, 60),
        mark("resume", 1800),
        bot("utter_handoff_resumed", 1800),
    ]
    conversation = one(events)
    assert conversation.turns[1].latency is None
    assert [row["text"] for row in metrics.slowest_turns([conversation])] == ["转人工"]


def test_answers_to_the_lead_form_are_never_unanswered() -> None:
    # a name or a phone number reads as nothing the classifier knows; the form's
    # validator read it, and it must not reach 未解决的问题 or its NLU export
    events = [
        loop("lead_form", 1.0),
        user("王磊", "nlu_fallback", 0.2, 2.0),
        bot("utter_ask_lead_company", 2.5),
        loop(None, 3.0),
        user("王磊", "nlu_fallback", 0.2, 4.0),
        bot("utter_default", 4.5),
    ]
    turns = queries.build_conversation("s", events).turns
    assert [t.reason for t in turns] == [None, "fallback"]


def test_the_metadata_rasa_adds_itself_is_not_shown_as_the_messages() -> None:
    from console.queries import build_conversation

    own = {"model_id": "3ac7", "assistant_id": "callcentre-licence-assistant"}
    events = [
        {"event": "user", "timestamp": T0, "text": "你好", "parse_data": {"metadata": own}},
        {"event": "user", "timestamp": T0 + 1, "text": "在吗", "metadata": {**own, "page": "/price"}},
    ]
    turns = build_conversation("s", events).turns
    assert turns[0].metadata is None
    assert turns[1].metadata == {"page": "/price"}
