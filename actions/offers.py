"""The offers an answer may end with, which a later yes or no takes up
(``pending_offer``, see data/rules/): the full assessment after an answer
computed from the user's facts, a consultant's call-back after the cost answer."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import HANDOFF_OFFER

# The offer of a consultant's call-back (the lead form), made after the cost
# answer; "lead_submitted" says it was taken up in this conversation already.
CALLBACK_OFFER = "callback"
LEAD_SUBMITTED_SLOT = "lead_submitted"
COST_RESPONSE = "utter_faq/cost"


def answered_cost(dispatcher: CollectingDispatcher) -> bool:
    """The turn's answer included the cost answer (alone or beside another topic)."""
    return any(message.get("response") == COST_RESPONSE for message in dispatcher.messages)


def offer_assessment(dispatcher: CollectingDispatcher, tracker: Tracker, computed: bool) -> List[EventType]:
    """After an answer computed from the user's own facts (outside the
    interview), offer the full assessment; after the cost answer, a
    consultant's call-back (what it costs depends on the company, which a
    person works out); any other answer withdraws an earlier offer (of an
    assessment, a human or a call-back), so that a later "好的" starts no
    interview, handoff or lead form."""
    if tracker.active_loop_name:
        return []
    if computed:
        dispatcher.utter_message(response="utter_offer_assessment")
        return [SlotSet("pending_offer", "assessment")]
    if answered_cost(dispatcher) and not tracker.get_slot(LEAD_SUBMITTED_SLOT):
        dispatcher.utter_message(response="utter_offer_callback")
        return [SlotSet("pending_offer", CALLBACK_OFFER)]
    if tracker.get_slot("pending_offer") in ("assessment", HANDOFF_OFFER, CALLBACK_OFFER):
        return [SlotSet("pending_offer", None)]
    return []


def offer_callback(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """After a follow-up: the call-back offer when it was answered with the cost;
    otherwise an open call-back offer is withdrawn (other offers stay as they were)."""
    if tracker.active_loop_name:
        return []
    if answered_cost(dispatcher) and not tracker.get_slot(LEAD_SUBMITTED_SLOT):
        dispatcher.utter_message(response="utter_offer_callback")
        return [SlotSet("pending_offer", CALLBACK_OFFER)]
    if tracker.get_slot("pending_offer") == CALLBACK_OFFER:
        return [SlotSet("pending_offer", None)]
    return []
