"""The "do we need this licence?" check."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import SafeAction, latest_intent, latest_text, notice_once
from actions.common import ATTEMPTS_SLOT, INTERRUPTIONS, LAST_TOPIC_SLOT, MAX_REASKS
from licence.queries import need_check
from licence.topics import activity_of
from zhtext.replies import is_question

SLOT = "business_activity"


class ActionStartNeedCheck(SafeAction):
    def name(self) -> Text:
        return "action_start_need_check"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        activity = activity_of(latest_text(tracker))
        return [
            SlotSet(SLOT, activity),
            SlotSet("licence_needed", None),
            SlotSet(ATTEMPTS_SLOT, 0),
        ]


class ValidateNeedForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_need_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if tracker.get_slot(SLOT):
            return [SlotSet(REQUESTED_SLOT, None)]
        text = latest_text(tracker)
        activity = activity_of(text)
        if activity:
            return [SlotSet(SLOT, activity), SlotSet(REQUESTED_SLOT, None)]
        if tracker.get_slot(REQUESTED_SLOT) is None:
            return [SlotSet(REQUESTED_SLOT, SLOT)]
        if latest_intent(tracker) in INTERRUPTIONS or is_question(text):
            return []
        attempts = int(tracker.get_slot(ATTEMPTS_SLOT) or 0) + 1
        if attempts > MAX_REASKS:
            return [SlotSet(SLOT, "other"), SlotSet(ATTEMPTS_SLOT, 0), SlotSet(REQUESTED_SLOT, None)]
        dispatcher.utter_message(response="utter_invalid_activity")
        return [SlotSet(SLOT, None), SlotSet(ATTEMPTS_SLOT, attempts), SlotSet(REQUESTED_SLOT, SLOT)]


class ActionNeedVerdict(SafeAction):
    def name(self) -> Text:
        return "action_need_verdict"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        result = need_check(tracker.get_slot(SLOT) or "other")
        events = notice_once(dispatcher, tracker)
        dispatcher.utter_message(response="utter_need_answer", answer=result.answer)
        return events + [
            SlotSet("licence_needed", result.licence_needed),
            SlotSet(LAST_TOPIC_SLOT, "need"),
        ]
