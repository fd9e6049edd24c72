"""The widget's handoff ticket (actions/chat.py, actions/handoff.py): who answers and
when, the contact asked for (once more at most), what was recorded, and the pause;
inside the interview or the need check the ticket ends the form, and the interview
resumes later with its answers."""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.chat import ActionHumanHandoff
from actions.handoff import ActionAskHandoffContact, ActionHandoffTicket, ValidateHandoffForm
from actions.interview import ActionStartInterview, ValidateEligibilityForm
from actions.verdict import ActionHandleInform
from actions.settings import settings
from tests.unit.test_actions import after, domain_dict, responses, run, slots_set, tracker

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


# two questions of the interview answered before the visitor asks for a person
ANSWERED = {"coverage": "地网", "province": "广东", "is_company": True}


async def test_a_widget_handoff_inside_the_interview_opens_a_ticket_and_puts_it_on_hold() -> None:
    t = after(
        [],
        tracker(
            "转人工",
            "human_handoff",
            ANSWERED,
            requested="registered_capital",
            active_loop="eligibility_form",
        ),
        "socketio",
    )
    messages, events = await run(ActionHumanHandoff(), t)
    assert responses(messages) == ["utter_handoff_ticket"]
    # a ticket (the rules end the form, then run handoff_form); the answers are
    # not touched, and the interview is on hold
    assert slots_set(events) == {
        "pending_offer": None,
        "interview_on_hold": True,
        "handoff_ticket": True,
        "handoff_contact": None,
        "handoff_reasked": False,
    }


async def test_a_widget_handoff_inside_the_need_check_opens_a_ticket() -> None:
    t = after(
        [],
        tracker("找个真人", "human_handoff", requested="business_activity", active_loop="need_form"),
        "socketio",
    )
    messages, events = await run(ActionHumanHandoff(), t)
    assert responses(messages) == ["utter_handoff_ticket"]
    filled = slots_set(events)
    assert filled["handoff_ticket"] is True
    assert "interview_on_hold" not in filled


@pytest.mark.parametrize("requested", ["coverage", "registered_capital", "insured_staff"])
async def test_a_request_for_a_person_is_not_read_as_an_answer(requested: str) -> None:
    t = tracker("转人工", "human_handoff", ANSWERED, requested=requested, active_loop="eligibility_form")
    dispatcher = CollectingDispatcher()
    events = await ValidateEligibilityForm().run(dispatcher, t, domain_dict())
    # the form steps aside for the rules (no "需要一个具体数字" re-ask), nothing is filled
    assert dispatcher.messages == []
    assert slots_set(events) == {}


@pytest.mark.parametrize(
    ("channel", "form"),
    [("rest", "eligibility_form"), ("cmdline", "need_form"), ("socketio", "lead_form")],
)
async def test_elsewhere_a_handoff_inside_a_form_gives_the_contacts_and_the_form_goes_on(
    channel: str, form: str
) -> None:
    t = after([], tracker("转人工", "human_handoff", ANSWERED, active_loop=form), channel)
    messages, events = await run(ActionHumanHandoff(), t)
    assert responses(messages) == ["utter_human_handoff"]
    assert slots_set(events) == {"pending_offer": None, "handoff_ticket": False}


async def test_the_interview_on_hold_resumes_with_its_answers() -> None:
    t = tracker("继续评估", "check_eligibility", {**ANSWERED, "interview_on_hold": True})
    messages, events = await run(ActionStartInterview(), t)
    assert responses(messages) == ["utter_interview_resumed"]
    filled = slots_set(events)
    # nothing recorded is wiped: the form asks only what is still open
    assert not set(filled) & set(ANSWERED)
    assert (filled["interview_on_hold"], filled["pending_offer"]) == (False, None)


async def test_an_answer_to_its_open_question_resumes_the_interview_on_hold() -> None:
    t = tracker("注册资本500万", "inform", {**ANSWERED, "interview_on_hold": True})
    messages, events = await run(ActionHandleInform(), t)
    assert responses(messages) == ["utter_interview_resumed"]
    filled = slots_set(events)
    assert filled["registered_capital"] == 500.0
    assert not set(filled) & set(ANSWERED)
    assert {"event": "followup", "name": "eligibility_form", "timestamp": None} in events


async def test_an_interview_not_on_hold_starts_afresh() -> None:
    messages, events = await run(ActionStartInterview(), tracker("帮我评估", "check_eligibility", ANSWERED))
    assert responses(messages) == ["utter_start_interview"]
    assert all(slots_set(events)[slot] is None for slot in ANSWERED)


async def test_without_handoff_hours_the_default_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_HOURS", " ")
    settings.cache_clear()
    messages, _ = await run(ActionHumanHandoff(), after([], tracker("转人工", "human_handoff"), "socketio"))
    assert messages[0]["hours"] == domain_dict()["responses"]["utter_handoff_hours"][0]["text"]


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
