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

from actions.common import GuardedFormValidation, SafeAction
from actions.interview import ActionStartInterview, ValidateEligibilityForm
from actions.need import ValidateNeedForm
from actions.settings import settings
from licence.eligibility import required_slots as rule_set_slots
from licence.queries import interview_slots
from tests.unit.nlu_reading import read

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
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.95}, **read(text)},
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


def test_every_validator_and_action_shares_the_error_boundary() -> None:
    assert issubclass(ValidateEligibilityForm, GuardedFormValidation)
    assert issubclass(ValidateNeedForm, GuardedFormValidation)
    # the forms do not bypass it with a run of their own
    assert "run" not in vars(ValidateEligibilityForm)
    assert "run" not in vars(ValidateNeedForm)
    assert GuardedFormValidation.guard is SafeAction.guard


@pytest.mark.parametrize("failing", ["described_activity", "is_question"])
async def test_need_form_failure_answers_politely_and_ends_the_form(monkeypatch, failing) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("reader down")

    monkeypatch.setattr(f"actions.need.{failing}", broken)
    sent, _, events = await run(
        ValidateNeedForm(), tracker("嗯嗯", requested="business_activity", form="need_form")
    )
    assert sent == ["utter_action_unavailable"]
    assert loop_ended(events)


async def test_eligibility_form_failure_drops_what_was_said_before_it(monkeypatch) -> None:
    def half_answer(dispatcher, *args, **kwargs):
        dispatcher.utter_message(response="utter_faq/staff")
        raise RuntimeError("template broken")

    # "8个 够吗": the answer is kept and the question part answered, which fails
    monkeypatch.setattr("actions.interview.answer_topic", half_answer)
    sent, _, events = await run(
        ValidateEligibilityForm(), tracker("8个 够吗", slots=BEFORE_STAFF, requested="insured_staff")
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


# --------------------------------------------------------------------------
# ValidateEligibilityForm through rasa-sdk's hooks


async def form_required_slots(text: str, slots: Dict[str, Any], requested: Optional[str]) -> List[str]:
    form = ValidateEligibilityForm()
    t = tracker(text, slots=slots, requested=requested)
    return await form.required_slots(form.domain_slots(DOMAIN), CollectingDispatcher(), t, DOMAIN)


def test_every_question_of_the_rule_set_has_its_hooks() -> None:
    form = ValidateEligibilityForm()
    for slot in interview_slots():
        assert callable(getattr(form, f"extract_{slot}", None)), slot
        assert callable(getattr(form, f"validate_{slot}", None)), slot
    # rasa-sdk probes with getattr(..., None): no hook for slots outside the interview
    assert getattr(form, "extract_business_activity", None) is None
    assert getattr(form, "validate_last_topic", None) is None


async def test_required_slots_follow_the_rule_set_in_question_order() -> None:
    found = await form_required_slots("嗯", {}, "coverage")
    assert found == rule_set_slots({})
    assert found == [s for s in interview_slots() if s in found]
    assert "province" not in found  # asked only for a single-province scope


async def test_required_slots_count_the_answers_of_this_message() -> None:
    local = await form_required_slots("地网", {}, "coverage")
    assert local == rule_set_slots({"coverage": "地网"})
    assert local.index("coverage") < local.index("province") < local.index("is_company")
    nationwide = await form_required_slots("全网", {}, "coverage")
    assert "province" not in nationwide


async def test_required_slots_keep_a_fact_the_rule_set_no_longer_needs() -> None:
    slots = {"coverage": "地网", "province": "上海"}
    found = await form_required_slots("我是个体户，注册资本100万", slots, "is_company")
    assert found == ["coverage", "province", "is_company", "registered_capital"]
    sent, filled, _ = await run(
        ValidateEligibilityForm(), tracker("我是个体户，注册资本100万", slots=slots, requested="is_company")
    )
    assert sent == []
    assert (filled["is_company"], filled["registered_capital"]) == (False, 100.0)
    assert filled["requested_slot"] is None  # nothing after is_company applies


async def test_the_form_asks_only_what_required_slots_returns() -> None:
    async def coverage_only(domain_slots, dispatcher, tracker, domain):
        return ["coverage"]

    # an instance override, not a subclass: rasa_sdk's executor registers every
    # live Action subclass by name, so a subclass here would replace the real form
    # for any later test that registers the actions package
    form = ValidateEligibilityForm()
    form.required_slots = coverage_only  # type: ignore[method-assign]
    _, filled, _ = await run(form, tracker("地网，注册资本两千万", requested="coverage"))
    assert filled == {"coverage": "地网", "invalid_attempts": 0, "requested_slot": None}


async def test_the_form_asks_the_first_question_on_activation() -> None:
    sent, filled, _ = await run(ValidateEligibilityForm(), tracker("我想办证", requested=None))
    assert (sent, filled) == ([], {"requested_slot": interview_slots()[0]})


async def test_a_correction_and_a_new_answer_are_acknowledged_once_each() -> None:
    slots = {**BEFORE_STAFF, "registered_capital": 500.0}
    sent, filled, _ = await run(
        ValidateEligibilityForm(),
        tracker("注册资本是800万，场地是租的", slots=slots, requested="insured_staff"),
    )
    assert sent == ["utter_noted_corrected", "utter_noted_other"]
    assert (filled["registered_capital"], filled["has_premises"]) == (800.0, True)
    assert filled["requested_slot"] == "insured_staff"


# --------------------------------------------------------------------------
# A message the NLU did not read (a payload, an event posted through the API)


def unread(text: str, intent: str = "inform", **kwargs: Any) -> Tracker:
    t = tracker(text, intent, **kwargs)
    t.latest_message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return t


async def test_a_payload_without_a_reading_answers_nothing_and_the_question_is_asked_again() -> None:
    sent, slots, _ = await run(
        ValidateEligibilityForm(), unread('/inform{"coverage": "全网"}', requested="coverage")
    )
    assert slots.get("coverage") is None
    assert sent == ["utter_invalid_unclear_coverage"]


async def test_a_yes_without_a_reading_still_answers_a_yes_no_question_by_its_intent() -> None:
    _, slots, _ = await run(
        ValidateEligibilityForm(), unread("/affirm", "affirm", slots=BEFORE_STAFF, requested="has_premises")
    )
    assert slots["has_premises"] is True


async def test_an_interview_started_without_a_reading_starts_with_no_answers() -> None:
    _, slots, _ = await run(
        ActionStartInterview(), unread("/check_eligibility", "check_eligibility", form="")
    )
    assert all(slots[slot] is None for slot in set(slots) & set(interview_slots()))
