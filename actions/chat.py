"""Human handoff, and the answer to a message that could not be understood."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import continue_topic, topic_in_play
from actions.common import SafeAction, latest_text, not_understood
from actions.settings import settings
from licence.followups import continues_topic


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
    question; a short question or statement of the user's situation right after
    an answer gets that answer's topic ("线上办吗" after the process, "我们港方占70%"
    after foreign investment); a message that names nothing of the licence's
    domain ("客服KPI一般怎么定", "阿斯顿发送到发") the out-of-scope answer, which says
    what the bot can help with; anything else the usual "please rephrase"."""

    def name(self) -> Text:
        return "action_unclear"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = latest_text(tracker)
        if not text.strip():
            dispatcher.utter_message(response="utter_empty_message")
            return []
        topic = topic_in_play(tracker)
        if topic is not None and continues_topic(text):
            return continue_topic(dispatcher, tracker, topic, text)
        dispatcher.utter_message(response=not_understood(text))
        return []
