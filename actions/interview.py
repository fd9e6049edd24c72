"""The eligibility interview: form validation, verdict, restarts and corrections.

All knowledge (question order, thresholds, reasons, remedies, materials, steps)
comes from ``licence``; this module only moves values between the tracker and
the engine and picks responses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import (
    ATTEMPTS_SLOT,
    FORM,
    LAST_TOPIC_SLOT,
    RESULT_SLOT,
    SafeAction,
    bullet_list,
    latest_intent,
    latest_text,
    notice_once,
    profile_from,
)
from actions.answers import (
    FACT_TOPICS,
    answer_dated,
    answer_from_facts,
    answer_topic,
    continue_topic,
    faq_prediction,
    offer_assessment,
    topic_in_play,
)
from actions.settings import settings
from licence import deadlines
from licence.eligibility import assess, required_slots
from licence.models import Decision
from licence.queries import answer_topics, interview_slots, question_topic
from licence.rendering import text
from licence.ruleset_loader import deadline_rules, load_ruleset
from licence.extract import BOOLEAN_SLOTS
from licence.extract import extract_answers
from licence.decision import answer_then_question
from licence.followups import continues_topic
from licence.summary import facts_line
from zhtext.dates import parse_date
from zhtext.replies import is_question

MAX_REASKS = 2

# Intents that, when the message answers nothing, mean the user stepped aside
# (a question, a request for a human, a stop): the form rejects and the rules
# in data/rules/interview.yml answer, after which the interview resumes.
INTERRUPTIONS = {
    "faq",
    "out_of_scope",
    "human_handoff",
    "bot_challenge",
    "stop_interview",
    "restart",
    "greet",
    "goodbye",
    "thank",
    "check_need",
    "check_eligibility",
    "followup",
    "ask_why",
}


class ValidateEligibilityForm(FormValidationAction):
    """Fills every interview slot a message answers; asks the next one the rules need."""

    def name(self) -> Text:
        return "validate_eligibility_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        return required_slots(profile_from(tracker))

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        try:
            return self._validate(dispatcher, tracker)
        except Exception:  # noqa: BLE001 - edge of the action
            import logging

            logging.getLogger(__name__).exception(
                "eligibility form validation failed for %s", tracker.sender_id
            )
            dispatcher.utter_message(response="utter_action_unavailable")
            return [SlotSet(REQUESTED_SLOT, None), ActiveLoop(None)]

    def _validate(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> List[EventType]:
        requested: Optional[str] = tracker.get_slot(REQUESTED_SLOT)
        text = latest_text(tracker)
        intent = latest_intent(tracker)
        # "8个 够吗": the answer is read from the part before the question
        split = answer_then_question(text) if requested else None
        found = extract_answers(split[0] if split else text, requested, settings().today())
        values = {k: v for k, v in found.values.items() if k in interview_slots()}
        problem = found.problems.get(requested) if requested else None

        if requested and requested not in values and problem is None:
            bare = _answer_from_intent(intent, requested)
            if bare is not None:
                values[requested] = bare

        if not values and problem is None:
            if requested is None:
                # the form was just activated with nothing to prefill
                return self._next(dispatcher, tracker, {}, [])
            if intent in INTERRUPTIONS or is_question(text):
                return []  # reject: let the rules answer, then resume here
            problem = SLOT_PROBLEMS.get(requested, "not_understood")

        events: List[EventType] = [SlotSet(slot, value) for slot, value in values.items()]
        if requested and values and requested not in values and problem is None:
            # "租的写字楼" to the credit question: keep it, say so, ask again
            before = {slot: tracker.get_slot(slot) for slot in values}
            corrected = answer_topics(s for s in values if before[s] not in (None, values[s]))
            if corrected:
                dispatcher.utter_message(response="utter_noted_corrected", topics="、".join(corrected))
            noted = answer_topics(s for s in values if before[s] is None)
            if noted:
                dispatcher.utter_message(response="utter_noted_other", topics="、".join(noted))
        if requested and problem is not None and requested not in values:
            attempts = int(tracker.get_slot(ATTEMPTS_SLOT) or 0) + 1
            if attempts > MAX_REASKS:
                dispatcher.utter_message(response="utter_invalid_giveup")
                values[requested] = "unknown"
                events += [SlotSet(requested, "unknown"), SlotSet(ATTEMPTS_SLOT, 0)]
            else:
                dispatcher.utter_message(response=f"utter_invalid_{problem}")
                events += [SlotSet(requested, None), SlotSet(ATTEMPTS_SLOT, attempts)]
        elif requested in values:
            events.append(SlotSet(ATTEMPTS_SLOT, 0))
            topic = question_topic(requested)
            if split and topic:
                # "8个 够吗", "没有，要怎么加": the answer is kept, the question answered
                answer_topic(dispatcher, topic, text, settings().today(), {**profile_from(tracker), **values})
        return self._next(dispatcher, tracker, values, events)

    @staticmethod
    def _next(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        values: Dict[str, Any],
        events: List[EventType],
    ) -> List[EventType]:
        profile = {**profile_from(tracker), **values}
        missing = (slot for slot in required_slots(profile) if profile.get(slot) is None)
        return events + [SlotSet(REQUESTED_SLOT, next(missing, None))]


# What to say when an answer to these questions could not be read; the rest
# are yes/no questions ("not_understood" suggests 有/没有/不清楚).
SLOT_PROBLEMS = {"province": "unknown_province", "coverage": "unclear_coverage"}


def _answer_from_intent(intent: Optional[str], slot: str) -> Any:
    """A bare 是的/不是/不清楚 classified by intent, for a yes/no question."""
    if intent == "dont_know":
        return "unknown"
    if slot in BOOLEAN_SLOTS:
        if intent == "affirm":
            return True
        if intent == "deny":
            return False
    return None


def reset_events() -> List[EventType]:
    slots = list(interview_slots()) + [RESULT_SLOT, "pending_offer"]
    return [SlotSet(slot, None) for slot in slots] + [SlotSet(ATTEMPTS_SLOT, 0)]


class ActionStartInterview(SafeAction):
    """Start (or restart) the interview, keeping what the opening message told."""

    def name(self) -> Text:
        return "action_start_interview"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_start_interview")
        found = extract_answers(latest_text(tracker), None, settings().today())
        prefill = [
            SlotSet(slot, value)
            for slot, value in found.values.items()
            if slot in interview_slots()
        ]
        return reset_events() + prefill


class ActionStopInterview(SafeAction):
    def name(self) -> Text:
        return "action_stop_interview"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_interview_stopped")
        return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), SlotSet(ATTEMPTS_SLOT, 0)]


def render_decision(
    dispatcher: CollectingDispatcher, decision: Decision, today: dt.date
) -> List[EventType]:
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
        return [SlotSet(RESULT_SLOT, decision.as_slot())]

    if decision.eligible is True:
        dispatcher.utter_message(response="utter_verdict_eligible", **common)
    elif decision.eligible is False:
        dispatcher.utter_message(response="utter_verdict_not_eligible", **common)
        dispatcher.utter_message(
            response="utter_verdict_unmet", items=bullet_list(unmet_items(decision))
        )
    else:
        dispatcher.utter_message(response="utter_verdict_undetermined", **common)
    if decision.warnings:
        items = [
            text("note_item", label=decision.labels[c], note=decision.notes[c])
            for c in decision.warnings
        ]
        dispatcher.utter_message(response="utter_verdict_warnings", items=bullet_list(items))
    if decision.unknown:
        dispatcher.utter_message(
            response="utter_verdict_unknown", items=bullet_list(unknown_items(decision))
        )
    dispatcher.utter_message(
        response="utter_verdict_materials", items=bullet_list(list(decision.materials))
    )
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


class ActionEligibilityVerdict(SafeAction):
    def name(self) -> Text:
        return "action_eligibility_verdict"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        return verdict_events(dispatcher, tracker, profile_from(tracker))


class ActionExplainVerdict(SafeAction):
    """为什么不行？ — the reasons of the last verdict, again."""

    def name(self) -> Text:
        return "action_explain_verdict"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if not tracker.get_slot(RESULT_SLOT):
            topic = topic_in_play(tracker)
            if tracker.active_loop_name == FORM:
                # "为啥不行" halfway through the questions: no verdict yet
                dispatcher.utter_message(response="utter_why_interview_open")
            elif topic is not None:
                # "没通过会说原因吗" after the review-time answer: about that answer
                return continue_topic(dispatcher, tracker, topic, latest_text(tracker))
            else:
                dispatcher.utter_message(response="utter_no_verdict_yet")
            return []
        decision = assess(profile_from(tracker))
        if decision.unmet:
            dispatcher.utter_message(
                response="utter_verdict_unmet", items=bullet_list(unmet_items(decision))
            )
        elif decision.unknown:
            dispatcher.utter_message(
                response="utter_verdict_unknown", items=bullet_list(unknown_items(decision))
            )
        else:
            dispatcher.utter_message(response="utter_why_none")
        return [SlotSet(LAST_TOPIC_SLOT, "verdict")]


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


class ActionAcceptOffer(SafeAction):
    """The user accepted the offer to be assessed for 地网 instead of 全网."""

    def name(self) -> Text:
        return "action_accept_offer"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        return [SlotSet("pending_offer", None)] + reassess(
            dispatcher, tracker, scope="地网"
        )


class ActionHandleInform(SafeAction):
    """A statement outside any form: a date for the last deadline question, a
    correction after a verdict, or facts about the company that start an interview."""

    def name(self) -> Text:
        return "action_handle_inform"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = latest_text(tracker)
        today = settings().today()
        topic = tracker.get_slot(LAST_TOPIC_SLOT)
        if answer_dated(dispatcher, topic, text, today):
            return []
        if topic in FACT_TOPICS and not tracker.get_slot(RESULT_SLOT):
            # "我们认缴了800万" after the capital answer: that answer, from the fact
            if answer_from_facts(dispatcher, topic, text):
                return offer_assessment(dispatcher, tracker, computed=True)
        found = extract_answers(text, None, today)
        values = {k: v for k, v in found.values.items() if k in interview_slots()}
        if values and tracker.get_slot(RESULT_SLOT):
            # a correction after the verdict: the verdict follows it
            profile = {**profile_from(tracker), **values}
            events: List[EventType] = [SlotSet(k, v) for k, v in values.items()]
            if any(profile.get(slot) is None for slot in required_slots(profile)):
                return events + [SlotSet(RESULT_SLOT, None), FollowupAction(FORM)]
            return events + verdict_events(dispatcher, tracker, profile)
        in_play = topic_in_play(tracker)
        if in_play is not None and continues_topic(text):
            # "我们港方占70%" after the foreign-investment answer: that answer, for
            # them; facts of the interview also bring the offer to assess them all
            events = continue_topic(dispatcher, tracker, in_play, text)
            return events + offer_assessment(dispatcher, tracker, computed=bool(values))
        if values:
            # facts about the company without a request: start the interview with them
            dispatcher.utter_message(response="utter_start_interview")
            return reset_events() + [SlotSet(k, v) for k, v in values.items()] + [
                FollowupAction(FORM)
            ]
        if parse_date(text, today) is not None:
            dispatcher.utter_message(response="utter_ask_date_topic")
            return []
        if is_question(text):
            # a question taken for a statement ("注册资金一百万够不够全国的"):
            # the FAQ topic the selector picked, when it is sure enough
            topic, confidence = faq_prediction(tracker)
            if topic and confidence >= settings().faq_min_confidence:
                events = notice_once(dispatcher, tracker)
                answer_topic(dispatcher, topic, text, today)
                return events + [SlotSet(LAST_TOPIC_SLOT, topic)]
        dispatcher.utter_message(response="utter_default")
        return []


class ActionClearOffer(SafeAction):
    """The user declined the 地网 offer; forget it so a later 好的 means nothing."""

    def name(self) -> Text:
        return "action_clear_offer"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        return [SlotSet("pending_offer", None)]
