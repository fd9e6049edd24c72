"""Assessing the company and telling the verdict: shared by the interview,
its follow-ups ("那全网呢？") and corrections after the verdict."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    ATTEMPTS_SLOT,
    FORM,
    LAST_TOPIC_SLOT,
    ON_HOLD_SLOT,
    RESULT_SLOT,
    bullet_list,
    notice_once,
    profile_from,
)
from actions.settings import settings
from licence import deadlines
from licence.eligibility import assess, required_slots
from licence.models import Decision
from licence.queries import interview_slots
from licence.rendering import text
from licence.ruleset_loader import deadline_rules, load_ruleset
from licence.summary import facts_line


def reset_events() -> List[EventType]:
    slots = list(interview_slots()) + [RESULT_SLOT, "pending_offer"]
    return [SlotSet(slot, None) for slot in slots] + [SlotSet(ATTEMPTS_SLOT, 0)]


def start_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """The interview (re)starts afresh, unless it was left unfinished for a person
    (a widget ticket, actions/chat.py): then it resumes with the answers given,
    and the form asks only what is still open."""
    if tracker.get_slot(ON_HOLD_SLOT):
        dispatcher.utter_message(response="utter_interview_resumed")
        return [SlotSet("pending_offer", None), SlotSet(ON_HOLD_SLOT, False), SlotSet(ATTEMPTS_SLOT, 0)]
    dispatcher.utter_message(response="utter_start_interview")
    return reset_events()


def render_decision(dispatcher: CollectingDispatcher, decision: Decision, today: dt.date) -> List[EventType]:
    """Tell the user the verdict: reasons, fixes, warnings, materials, dated steps."""
    common = {
        "scope": decision.scope or "",
        "authority": decision.authority or "",
        "licence_name": decision.licence_name or "",
    }
    if decision.unmet == ("company",):
        dispatcher.utter_message(
            response="utter_company_only",
            reason=decision.reasons["company"],
            remedy=decision.remedies["company"],
        )
        dispatcher.utter_message(response="utter_basis", basis=decision.basis["company"])
        return [SlotSet(RESULT_SLOT, decision.as_slot())]

    if decision.eligible is True:
        dispatcher.utter_message(response="utter_verdict_eligible", **common)
    elif decision.eligible is False:
        dispatcher.utter_message(response="utter_verdict_not_eligible", **common)
        dispatcher.utter_message(response="utter_verdict_unmet", items=bullet_list(unmet_items(decision)))
    else:
        dispatcher.utter_message(response="utter_verdict_undetermined", **common)
    if decision.warnings:
        items = [
            text("note_item", label=decision.labels[c], note=decision.notes[c]) for c in decision.warnings
        ]
        dispatcher.utter_message(response="utter_verdict_warnings", items=bullet_list(items))
    if decision.unknown:
        dispatcher.utter_message(response="utter_verdict_unknown", items=bullet_list(unknown_items(decision)))
    dispatcher.utter_message(response="utter_verdict_materials", items=bullet_list(list(decision.materials)))
    dispatcher.utter_message(
        response="utter_verdict_next_steps",
        items=bullet_list(dated_steps(decision, today)),
    )
    events: List[EventType] = [SlotSet(RESULT_SLOT, decision.as_slot())]
    if decision.alternative:
        dispatcher.utter_message(
            response="utter_offer_local_scope",
            local_capital=load_ruleset().scopes[decision.alternative["scope"]].min_capital_wan,
        )
        events.append(SlotSet("pending_offer", "local_scope"))
    return events


def unmet_items(decision: Decision) -> List[str]:
    return [
        text(
            "unmet_item",
            label=decision.labels[c],
            reason=decision.reasons[c],
            remedy=decision.remedies[c],
            basis=decision.basis[c],
        )
        for c in decision.unmet
    ]


def unknown_items(decision: Decision) -> List[str]:
    return [
        text("check_item", label=decision.labels[c], check=decision.checks.get(c, ""))
        for c in decision.unknown
    ]


def dated_steps(decision: Decision, today: dt.date) -> List[str]:
    """The engine's next steps, with the date each falls on if the user applies today."""
    rules = deadline_rules()
    check = deadlines.completeness_deadline(today, rules)
    dates = {
        "completeness_check_working_days": check.deadline,
        "decision_days_after_acceptance": deadlines.decision_deadline(check.deadline, rules),
    }
    lines = []
    for step in decision.next_steps:
        fields = {"title": step.title, "who": step.who, "timing": step.timing or ""}
        when = dates.get(step.deadline_key or "")
        if when is not None:
            lines.append(text("step_item_dated", date=deadlines.format_date(when), **fields))
        else:
            lines.append(text("step_item", **fields))
    return lines


def verdict_events(
    dispatcher: CollectingDispatcher, tracker: Tracker, profile: Dict[str, Any]
) -> List[EventType]:
    events = notice_once(dispatcher, tracker)
    facts = facts_line(profile)
    if facts:
        # the facts first: a mistyped answer shows before the result it changed
        dispatcher.utter_message(response="utter_verdict_facts", facts=facts)
    decision = assess(profile)
    events += render_decision(dispatcher, decision, settings().today())
    return events + [SlotSet(LAST_TOPIC_SLOT, "verdict")]


def reassess(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    scope: Optional[str] = None,
    province: Optional[str] = None,
) -> List[EventType]:
    """Assess the same company again with another scope (or province)."""
    changes: Dict[str, Any] = {}
    if scope:
        changes["coverage"] = scope
    if province:
        changes["province"] = province
    profile = {**profile_from(tracker), **changes}
    events: List[EventType] = [SlotSet(k, v) for k, v in changes.items()]
    if any(profile.get(slot) is None for slot in required_slots(profile)):
        # e.g. 地网 needs the province: let the form ask what is missing
        return events + [SlotSet(RESULT_SLOT, None), FollowupAction(FORM)]
    return events + verdict_events(dispatcher, tracker, profile)
