"""The call-back offer after the cost answer and the lead form, as rasa-sdk runs them.

Each test plays one user turn and checks what the visitor would see (the
responses named) and what the conversation keeps (slots set).
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional, Tuple

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.chat import ActionUnclear
from actions.faq import ActionAnswerFaq, ActionFollowup
from actions.lead import ActionStartLead, ActionSubmitLead, ValidateLeadForm
from actions.settings import settings
from tests.unit.test_actions import button_intents
from tests.unit.nlu_reading import read

FORM = "lead_form"
FULL = {"lead_name": "王磊", "lead_company": "深圳某某科技有限公司", "lead_contact": "13812345678"}


@pytest.fixture(autouse=True)
def pinned_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BOT_TODAY", "2026-11-27")
    monkeypatch.setenv("HANDOFF_HOURS", "工作日 9:00-18:00")
    settings.cache_clear()
    yield
    settings.cache_clear()


def tracker(
    text: str,
    intent: str = "inform",
    slots: Optional[Dict[str, Any]] = None,
    *,
    requested: Optional[str] = None,
    active_loop: Optional[str] = None,
    faq: Optional[str] = None,
) -> Tracker:
    latest: Dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 0.95}, **read(text)}
    if faq is not None:
        latest["fine_intent"] = {"name": faq, "confidence": 0.9}
        latest["fine_ranking"] = [{"name": faq, "confidence": 0.9}]
    return Tracker(
        sender_id="visitor",
        slots={"disclaimer_shown": True, **(slots or {}), "requested_slot": requested},
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@functools.lru_cache(maxsize=1)
def domain() -> Dict[str, Any]:
    with open("domain.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


async def run(action: Action, t: Tracker) -> Tuple[List[str], Dict[str, Any], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain())
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return [m["response"] for m in dispatcher.messages], slots, events


# --- the offer -----------------------------------------------------------------


async def test_the_cost_answer_offers_a_call_back() -> None:
    said, slots, _ = await run(ActionAnswerFaq(), tracker("办证要多少钱", "faq", faq="faq/cost"))
    assert said == ["utter_faq/cost", "utter_basis", "utter_offer_callback"]
    assert slots["pending_offer"] == "callback"


def test_the_cost_answer_names_no_official_fee_and_the_offer_has_two_buttons() -> None:
    cost = domain()["responses"]["utter_faq/cost"][0]["text"]
    assert "不收" in cost and "代办服务费" in cost and "{local_capital}" in cost
    assert button_intents("utter_offer_callback") == ["affirm", "deny"]


async def test_no_second_offer_once_a_lead_was_left() -> None:
    t = tracker("办证要多少钱", "faq", {"lead_submitted": True}, faq="faq/cost")
    said, slots, _ = await run(ActionAnswerFaq(), t)
    assert "utter_offer_callback" not in said and "pending_offer" not in slots


async def test_another_question_after_the_offer_is_answered_and_withdraws_it() -> None:
    t = tracker("有效期几年", "faq", {"pending_offer": "callback", "last_topic": "cost"}, faq="faq/validity")
    said, slots, _ = await run(ActionAnswerFaq(), t)
    assert said[0] == "utter_faq/validity" and "utter_offer_callback" not in said
    assert slots["pending_offer"] is None and slots["last_topic"] == "validity"


async def test_a_follow_up_on_the_cost_offers_too_and_another_withdraws() -> None:
    said, slots, _ = await run(ActionFollowup(), tracker("那费用呢", "followup", {"last_topic": "timeline"}))
    assert "utter_faq/cost" in said and said[-1] == "utter_offer_callback"
    assert slots["pending_offer"] == "callback"
    t = tracker("要多久", "followup", {"last_topic": "cost", "pending_offer": "callback"})
    said, slots, _ = await run(ActionFollowup(), t)
    assert "utter_offer_callback" not in said and slots["pending_offer"] is None


# --- the form --------------------------------------------------------------------


async def form(text: str, requested: str, slots=None, intent: str = "inform"):
    t = tracker(text, intent, {"invalid_attempts": 0, **(slots or {})}, requested=requested, active_loop=FORM)
    return await run(ValidateLeadForm(), t)


async def test_starting_clears_the_offer_and_any_earlier_lead() -> None:
    said, slots, _ = await run(
        ActionStartLead(), tracker("好的", "affirm", {"pending_offer": "callback", **FULL})
    )
    assert said == ["utter_start_lead"]
    assert slots == {
        "pending_offer": None,
        **{k: None for k in FULL},
        "lead_submitted": None,
        "invalid_attempts": 0,
    }


async def test_the_form_asks_name_then_company_then_contact() -> None:
    _, slots, _ = await form("好的", None)  # activation: nothing to read yet
    assert slots == {"requested_slot": "lead_name"}
    said, slots, _ = await form("我叫王磊", "lead_name")
    assert said == [] and slots["lead_name"] == "王磊" and slots["requested_slot"] == "lead_company"
    _, slots, _ = await form("深圳某某科技有限公司", "lead_company", {"lead_name": "王磊"})
    assert slots["requested_slot"] == "lead_contact"
    _, slots, _ = await form("微信 wang_lei88", "lead_contact", {"lead_name": "王磊", "lead_company": "某某"})
    assert slots["lead_contact"] == "wang_lei88" and slots["requested_slot"] is None


@pytest.mark.parametrize(
    ("requested", "text"),
    [
        ("lead_name", "好的"),
        ("lead_name", "我想先问一下要准备多少钱"),
        ("lead_company", "无"),
        ("lead_contact", "12345"),
        ("lead_contact", "1abcde"),
    ],
)
async def test_an_unreadable_answer_is_asked_again_politely(requested: str, text: str) -> None:
    before = {slot: FULL[slot] for slot in list(FULL)[: list(FULL).index(requested)]}
    said, slots, _ = await form(text, requested, before)
    assert said == [f"utter_invalid_{requested}"]
    assert (
        slots[requested] is None and slots["invalid_attempts"] == 1 and slots["requested_slot"] == requested
    )


async def test_after_the_last_re_ask_the_form_ends_without_a_lead() -> None:
    said, slots, _ = await form(
        "12345", "lead_contact", {**FULL, "lead_contact": None, "invalid_attempts": 2}
    )
    assert said == ["utter_lead_giveup"]
    assert slots["requested_slot"] is None and slots["lead_name"] is None


@pytest.mark.parametrize(
    ("text", "intent"), [("算了", "stop_interview"), ("不用了", "deny"), ("不方便留", "inform")]
)
async def test_a_refusal_at_any_question_ends_the_form(text: str, intent: str) -> None:
    said, slots, _ = await form(text, "lead_company", {"lead_name": "王磊"}, intent)
    assert said == ["utter_lead_stopped"]
    assert slots["requested_slot"] is None and slots["lead_name"] is None and slots["lead_company"] is None


async def test_a_question_instead_of_an_answer_is_left_to_the_rules() -> None:
    said, _, events = await form("有效期几年？", "lead_contact", {"lead_name": "王磊"}, "faq")
    assert said == [] and events == []  # Rasa rejects the form; the FAQ rule answers


async def test_the_lead_is_recorded_only_when_complete() -> None:
    said, slots, _ = await run(ActionSubmitLead(), tracker("13812345678", slots=FULL))
    assert said == ["utter_lead_received"] and slots == {"lead_submitted": True}
    said, slots, _ = await run(ActionSubmitLead(), tracker("算了", slots={"lead_name": None}))
    assert said == [] and slots == {"lead_submitted": None}


async def test_the_cost_answer_given_again_to_an_unclear_question_offers_too() -> None:
    t = tracker("为啥这么贵？", "nlu_fallback", {"last_topic": "cost"})
    t.events = [
        {"event": "user", "text": "办证多少钱"},
        {"event": "action", "name": "action_answer_faq"},
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_faq/cost"}},
        {"event": "user", "text": "为啥这么贵？"},
    ]
    said, slots, _ = await run(ActionUnclear(), t)
    assert "utter_faq/cost" in said and said[-1] == "utter_offer_callback"
    assert slots["pending_offer"] == "callback"
