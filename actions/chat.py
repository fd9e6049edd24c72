"""Human handoff, and the answer to a message that could not be understood."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction, latest_text
from actions.settings import settings


class ActionHumanHandoff(SafeAction):
    """Contact details of the human advisers, from configuration."""

    def name(self) -> Text:
        return "action_human_handoff"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        conf = settings()
        dispatcher.utter_message(
            response="utter_human_handoff",
            phone=conf.handoff_phone,
            wechat=conf.handoff_wechat,
            hours=conf.handoff_hours,
        )
        return []


class ActionUnclear(SafeAction):
    """A message the NLU could not place: a blank one gets a prompt to type a
    question, anything else the usual "please rephrase" with examples."""

    def name(self) -> Text:
        return "action_unclear"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if not latest_text(tracker).strip():
            dispatcher.utter_message(response="utter_empty_message")
        else:
            dispatcher.utter_message(response="utter_default")
        return []
