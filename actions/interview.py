"""The eligibility interview: form validation, start and stop.

All knowledge (question order, thresholds, reasons, remedies, materials, steps)
comes from ``licence``; this module only moves values between the tracker and
the engine and picks responses.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.answers import answer_topic
from actions.assessment import reset_events
from actions.common import (
    ATTEMPTS_SLOT,
    INTERRUPTIONS,
    MAX_REASKS,
    SafeAction,
    latest_intent,
    latest_text,
    profile_from,
)
from actions.settings import settings
from licence.decision import answer_then_question
from licence.eligibility import required_slots
from licence.extract import BOOLEAN_SLOTS, extract_answers
from licence.queries import answer_topics, interview_slots, question_topic
from zhtext.replies import is_question


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
