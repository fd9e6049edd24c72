"""The "do we need this licence?" check."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.answers import NEED_TOPIC
from actions.common import (
    described_activity,
    replied_activity,
    ATTEMPTS_SLOT,
    INTERRUPTIONS,
    LAST_TOPIC_SLOT,
    MAX_REASKS,
    GuardedFormValidation,
    SafeAction,
    latest_intent,
    latest_text,
    notice_once,
)
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
        # only an activity the question names in words: read by meaning, a
        # question about the licence itself lands near "system rental"; but a
        # description sent while the check waited for one ("我们帮几家连锁药店接
        # 顾客的咨询电话", heard as a new need question) is that check's answer
        activity = activity_of(latest_text(tracker))
        if activity is None and tracker.get_slot(REQUESTED_SLOT) == SLOT:
            activity = replied_activity(tracker)
        return [
            SlotSet(SLOT, activity),
            SlotSet("licence_needed", None),
            SlotSet(ATTEMPTS_SLOT, 0),
        ]


class ValidateNeedForm(GuardedFormValidation):
    """Asks what the business does until the answer names an activity; after
    too many unreadable answers the activity counts as "other"."""

    def name(self) -> Text:
        return "validate_need_form"

    def steps_aside(self, tracker: Tracker) -> bool:
        if tracker.get_slot(SLOT) or tracker.get_slot(REQUESTED_SLOT) is None:
            return False
        text = latest_text(tracker)
        if described_activity(tracker):
            return False
        return latest_intent(tracker) in INTERRUPTIONS or is_question(text)

    def extract_business_activity(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot(SLOT):
            return {}  # named by the message that started the check
        if tracker.get_slot(REQUESTED_SLOT) is None:
            return {}  # the question that started the check, not an answer yet
        activity = described_activity(tracker)
        if activity:
            return {SLOT: activity}
        if self.steps_aside(tracker):
            return {}  # just asked, or a question for the rules to answer
        # an answer to "what does your business do?": its likeliest activity,
        # or, when none is likely enough, asked again (validated below)
        return {SLOT: replied_activity(tracker)}

    def validate_business_activity(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        if value:
            return {SLOT: value}
        attempts = int(tracker.get_slot(ATTEMPTS_SLOT) or 0) + 1
        if attempts > MAX_REASKS:
            return {SLOT: "other", ATTEMPTS_SLOT: 0}
        dispatcher.utter_message(response="utter_invalid_activity")
        return {SLOT: None, ATTEMPTS_SLOT: attempts}


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
            SlotSet(LAST_TOPIC_SLOT, NEED_TOPIC),
        ]
