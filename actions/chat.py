"""Greeting and human handoff."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction
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
