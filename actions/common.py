"""Pieces shared by the actions: error handling at the edge, the one-time notice,
and reading the interview profile out of the tracker."""

from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from licence.queries import interview_slots

logger = logging.getLogger(__name__)

DISCLAIMER_SLOT = "disclaimer_shown"
# the topic the bot answered last, which follow-ups and bare facts continue
LAST_TOPIC_SLOT = "last_topic"


class SafeAction(Action, metaclass=ABCMeta):
    """An action whose failures reach the user as a clear answer, never as silence.

    Subclasses implement ``act``; any exception is logged with the conversation id
    and the user gets ``utter_action_unavailable`` (offer of a human), while the
    conversation stays usable.
    """

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        try:
            return await self.act(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 - the edge of the action: log and answer
            logger.exception(
                "action %s failed for conversation %s", self.name(), tracker.sender_id
            )
            dispatcher.messages.clear()
            dispatcher.utter_message(response="utter_action_unavailable")
            return []

    @abstractmethod
    async def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        """The action's work."""


def notice_once(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Prefix the first substantive answer of a conversation with the notice that
    this is general guidance and the issuing authority decides."""
    if tracker.get_slot(DISCLAIMER_SLOT):
        return []
    dispatcher.utter_message(response="utter_disclaimer")
    return [SlotSet(DISCLAIMER_SLOT, True)]


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[str]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name")


# the slot holding the last verdict (part of the external contract)
RESULT_SLOT = "eligibility_result"
# the interview form, and the count of replies to its open question not understood
FORM = "eligibility_form"
ATTEMPTS_SLOT = "invalid_attempts"


def profile_from(tracker: Tracker) -> Dict[str, Any]:
    """The interview answers so far, keyed by slot name (None = not asked yet)."""
    return {slot: tracker.get_slot(slot) for slot in interview_slots()}


def bullet_list(items: List[str]) -> str:
    return "\n".join(f"{number}. {item}" for number, item in enumerate(items, 1))


# How often a question is asked again after an answer that could not be read.
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
