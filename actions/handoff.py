"""The widget's handoff ticket: a contact asked for once more at most, then the pause.

action_human_handoff (actions/chat.py) opens the ticket in the widget; the rules
in data/rules/chat.yml then run handoff_form, whose one slot is the contact. An
answer with a phone, an email or a WeChat id fills it; an answer without one is
asked about again, once; the next answer closes the form either way (the ticket
stands without a contact: staff can still answer in the widget). Then
action_handoff_ticket says what was recorded and pauses the bot (Rasa's
``ConversationPaused``) until staff resume it from the console.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import (
    CONTACT_SLOT,
    REASKED_SLOT,
    TICKET_SLOT,
    GuardedFormValidation,
    SafeAction,
    latest_text,
)
from actions.settings import handoff_hours
from zhtext.contacts import parse_contact

# the slot's value when the visitor left no contact (filled, so the form ends)
NO_CONTACT = ""


class ValidateHandoffForm(GuardedFormValidation):
    """Reads the contact out of the visitor's answer."""

    def name(self) -> Text:
        return "validate_handoff_form"

    def extract_handoff_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot(REQUESTED_SLOT) != CONTACT_SLOT:
            return {}  # the form just started: nothing has been asked yet
        contact = parse_contact(latest_text(tracker))
        return {CONTACT_SLOT: contact.value if contact else NO_CONTACT}

    def validate_handoff_contact(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        if value or tracker.get_slot(REASKED_SLOT):
            return {CONTACT_SLOT: value or NO_CONTACT}
        return {CONTACT_SLOT: None, REASKED_SLOT: True}


class ActionAskHandoffContact(SafeAction):
    """The form's question: the first time as such, the second time with the
    apology that no contact was found and the word that none is needed."""

    def name(self) -> Text:
        return "action_ask_handoff_contact"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        reasked = bool(tracker.get_slot(REASKED_SLOT))
        dispatcher.utter_message(
            response="utter_handoff_contact_reask" if reasked else "utter_ask_handoff_contact"
        )
        return []


class ActionHandoffTicket(SafeAction):
    """What the ticket holds, said back to the visitor; then the bot pauses."""

    def name(self) -> Text:
        return "action_handoff_ticket"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        hours = handoff_hours(domain)
        contact = tracker.get_slot(CONTACT_SLOT)
        if contact:
            dispatcher.utter_message(response="utter_handoff_ticket_contact", contact=contact, hours=hours)
        else:
            dispatcher.utter_message(response="utter_handoff_ticket_no_contact", hours=hours)
        return [SlotSet(TICKET_SLOT, False), ConversationPaused()]
