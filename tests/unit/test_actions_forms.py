"""The form validators as rasa-sdk runs them: its hooks, and the error boundary.

Each test plays one user turn against a validator and checks the slots set and
the responses named; the wording of the responses is domain.yml's business.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.need import ValidateNeedForm
from actions.settings import settings
from licence.queries import interview_slots

TODAY = dt.date(2026, 11, 27)
DOMAIN: Dict[str, Any] = {
    "forms": {
        "eligibility_form": {"required_slots": list(interview_slots())},
        "need_form": {"required_slots": ["business_activity"]},
    },
    "slots": {},
}


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BOT_TODAY", TODAY.isoformat())
    settings.cache_clear()
    yield
    settings.cache_clear()


def tracker(
    text: str,
    intent: str = "inform",
    slots: Optional[Dict[str, Any]] = None,
    *,
    requested: Optional[str] = None,
    form: str = "eligibility_form",
) -> Tracker:
    return Tracker(
        sender_id="test-user",
        slots={**(slots or {}), "requested_slot": requested},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": form},
        latest_action_name="action_listen",
    )


async def run(action: Any, t: Tracker) -> Tuple[List[str], Dict[str, Any], List[Dict[str, Any]]]:
    """(responses named, slots set, events) of one run."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return [m["response"] for m in dispatcher.messages], slots, events


# Answers up to (not including) insured_staff, for a 上海 地网 company.
BEFORE_STAFF = {
    "coverage": "地网",
    "province": "上海",
    "is_company": True,
    "registered_capital": 2000.0,
    "foreign_investment": False,
    "on_dishonest_list": False,
    "violations_3y": False,
    "business_scope_ok": True,
}


def loop_ended(events: List[Dict[str, Any]]) -> bool:
    return any(e["event"] == "active_loop" and e.get("name") is None for e in events)


# --------------------------------------------------------------------------
# One error boundary


@pytest.mark.parametrize("failing", ["activity_of", "is_question"])
async def test_need_form_failure_answers_politely_and_ends_the_form(monkeypatch, failing) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("reader down")

    monkeypatch.setattr(f"actions.need.{failing}", broken)
    sent, _, events = await run(
        ValidateNeedForm(), tracker("嗯嗯", requested="business_activity", form="need_form")
    )
    assert sent == ["utter_action_unavailable"]
    assert loop_ended(events)


# --------------------------------------------------------------------------
# ValidateNeedForm


async def need(text: str, intent: str = "inform", slots=None, requested="business_activity"):
    return await run(ValidateNeedForm(), tracker(text, intent, slots, requested=requested, form="need_form"))


async def test_need_form_keeps_the_activity_named() -> None:
    sent, slots, _ = await need("我们是做人工客服外包的")
    assert sent == []
    assert slots == {"business_activity": "outsourcing", "requested_slot": None}


async def test_need_form_asks_when_activated_without_an_activity() -> None:
    sent, slots, _ = await need("要不要办证", requested=None)
    assert sent == []
    assert slots == {"requested_slot": "business_activity"}


async def test_need_form_done_when_the_opening_message_named_the_activity() -> None:
    sent, slots, _ = await need("嗯嗯", slots={"business_activity": "inhouse"}, requested=None)
    assert (sent, slots) == ([], {"requested_slot": None})


@pytest.mark.parametrize("attempts_before", [0, 1])
async def test_need_form_asks_again_after_an_unreadable_answer(attempts_before: int) -> None:
    sent, slots, _ = await need("嗯嗯", slots={"invalid_attempts": attempts_before})
    assert sent == ["utter_invalid_activity"]
    assert slots == {
        "business_activity": None,
        "invalid_attempts": attempts_before + 1,
        "requested_slot": "business_activity",
    }


async def test_need_form_gives_up_as_other_after_the_last_re_ask() -> None:
    sent, slots, _ = await need("嗯嗯", slots={"invalid_attempts": 2})
    assert sent == []
    assert slots == {"business_activity": "other", "invalid_attempts": 0, "requested_slot": None}


@pytest.mark.parametrize(("text", "intent"), [("做什么的？", "inform"), ("转人工", "human_handoff")])
async def test_need_form_leaves_a_question_to_the_rules(text: str, intent: str) -> None:
    assert await need(text, intent) == ([], {}, [])
