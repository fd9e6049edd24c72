"""The widget's handoff ticket (actions/chat.py, actions/handoff.py): who answers and
when, the contact asked for (once more at most), what was recorded, and the pause."""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.chat import ActionHumanHandoff
from actions.handoff import ActionAskHandoffContact, ActionHandoffTicket, ValidateHandoffForm
from actions.settings import DEFAULT_HANDOFF_HOURS, settings
from tests.unit.test_actions import after, responses, run, slots_set, tracker

FORM_DOMAIN: Dict[str, Any] = {
    "forms": {"handoff_form": {"required_slots": ["handoff_contact"]}},
    "slots": {},
}


@pytest.fixture(autouse=True)
def hours(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HANDOFF_HOURS", "工作日 9:00-17:30")
    settings.cache_clear()
    yield
    settings.cache_clear()


async def test_a_widget_handoff_opens_a_ticket_and_says_who_answers_and_when() -> None:
    t = after(
        [],
        tracker("转人工", "human_handoff", {"handoff_contact": "old", "handoff_reasked": True}),
        "socketio",
    )
    messages, events = await run(ActionHumanHandoff(), t)
    assert responses(messages) == ["utter_handoff_ticket"]
    assert messages[0]["hours"] == "工作日 9:00-17:30"
    # a fresh ticket: the rules run handoff_form next; no pause before the contact
    assert slots_set(events) == {
        "pending_offer": None,
        "handoff_ticket": True,
        "handoff_contact": None,
        "handoff_reasked": False,
    }
    assert not [e for e in events if e["event"] == "pause"]


async def test_a_widget_handoff_inside_the_interview_gives_the_contacts_and_goes_on() -> None:
    t = after([], tracker("转人工", "human_handoff", active_loop="eligibility_form"), "socketio")
    messages, events = await run(ActionHumanHandoff(), t)
    assert responses(messages) == ["utter_human_handoff"]
    assert slots_set(events)["handoff_ticket"] is False


async def test_without_handoff_hours_the_default_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_HOURS", " ")
    settings.cache_clear()
    messages, _ = await run(ActionHumanHandoff(), after([], tracker("转人工", "human_handoff"), "socketio"))
    assert messages[0]["hours"] == DEFAULT_HANDOFF_HOURS


async def answer(text: str, reasked: bool = False) -> Dict[str, Any]:
    """The slots the validator sets for ``text`` answering the question for a contact."""
    t = tracker(
        text, "inform", {"handoff_reasked": reasked}, requested="handoff_contact", active_loop="handoff_form"
    )
    events = await ValidateHandoffForm().run(CollectingDispatcher(), t, FORM_DOMAIN)
    return slots_set(events)


async def test_an_answer_with_a_phone_fills_the_ticket_and_ends_the_form() -> None:
    assert await answer("我的手机 138 1234 5678") == {
        "handoff_contact": "13812345678",
        "requested_slot": None,
    }


async def test_an_answer_without_a_contact_is_asked_about_once_more() -> None:
    assert await answer("你们几点上班") == {
        "handoff_contact": None,
        "handoff_reasked": True,
        "requested_slot": "handoff_contact",
    }


async def test_after_the_second_ask_the_ticket_stands_without_a_contact() -> None:
    assert await answer("不方便留", reasked=True) == {"handoff_contact": "", "requested_slot": None}


@pytest.mark.parametrize(
    ("reasked", "response"), [(False, "utter_ask_handoff_contact"), (True, "utter_handoff_contact_reask")]
)
async def test_the_second_question_apologises_and_says_none_is_needed(reasked: bool, response: str) -> None:
    messages, _ = await run(ActionAskHandoffContact(), tracker("x", slots={"handoff_reasked": reasked}))
    assert responses(messages) == [response]


@pytest.mark.parametrize(
    ("contact", "response"),
    [("li@example.com", "utter_handoff_ticket_contact"), ("", "utter_handoff_ticket_no_contact")],
)
async def test_the_ticket_is_said_back_and_the_bot_pauses(contact: Optional[str], response: str) -> None:
    t: Tracker = tracker("li@example.com", slots={"handoff_contact": contact})
    messages, events = await run(ActionHandoffTicket(), t)
    assert responses(messages) == [response]
    assert messages[0]["hours"] == "工作日 9:00-17:30"
    assert messages[0].get("contact") == (contact or None)
    assert events[-1] == {"event": "pause", "timestamp": None}
    assert slots_set(events) == {"handoff_ticket": False}
