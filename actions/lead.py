"""A consultant's call-back: the lead form (name, company, phone / WeChat / e-mail).

The visitor accepts the offer made after the cost answer (``actions.offers``);
the form asks the three questions, reads each answer with ``zhtext.contacts``
and asks again politely when it cannot. "算了"/"不用了" (or the stop intent) ends
the form at any question. The lead is the conversation's own slots
(``lead_*``), kept in the tracker store, which the staff console reads; no other
visitor's conversation can see them.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import (
    ATTEMPTS_SLOT,
    MAX_REASKS,
    PENDING_OFFER_SLOT,
    GuardedFormValidation,
    SafeAction,
    latest_intent,
    latest_text,
)
from actions.offers import LEAD_SUBMITTED_SLOT
from actions.settings import handoff_hours
from zhtext.contacts import is_refusal, parse_company, parse_contact, parse_name
from zhtext.replies import is_bare_yes_no, is_question

FORM = "lead_form"
NAME, COMPANY, CONTACT = "lead_name", "lead_company", "lead_contact"
LEAD_SLOTS = (NAME, COMPANY, CONTACT)


def _contact(text: str) -> Optional[str]:
    found = parse_contact(text)
    return found.value if found else None


def _name(text: str) -> Optional[str]:
    # "好的", "ok" right after accepting: a yes, not a name
    return None if is_bare_yes_no(text) else parse_name(text)


READERS: Dict[str, Callable[[str], Optional[str]]] = {
    NAME: _name,
    COMPANY: parse_company,
    CONTACT: _contact,
}
# Intents whose question is answered by the rules before the form asks again
# (data/rules/lead.yml), when the message is no answer to the open question.
ASIDE_INTENTS = frozenset({"faq", "followup"})
HANDOFF_INTENT = "human_handoff"
STOP_INTENT = "stop_interview"
# Set on the tracker rasa-sdk hands to every hook of one run when the form
# ends early (a refusal, too many unreadable answers): no next question then.
_STOP_ATTRIBUTE = "_lead_stopped"


def wants_to_stop(tracker: Tracker) -> bool:
    """ "算了", "不用了", "不方便留": the visitor no longer wants a call-back."""
    return latest_intent(tracker) == STOP_INTENT or is_refusal(latest_text(tracker))


class ValidateLeadForm(GuardedFormValidation):
    """Reads the answer to the open question of the lead form; re-asks, stops or steps aside."""

    def name(self) -> Text:
        return "validate_lead_form"

    def reading(self, tracker: Tracker) -> Optional[str]:
        """The open question's answer in the latest message, None when unreadable."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        reader = READERS.get(requested or "")
        return reader(latest_text(tracker)) if reader else None

    def steps_aside(self, tracker: Tracker) -> bool:
        if tracker.get_slot(REQUESTED_SLOT) not in READERS or wants_to_stop(tracker):
            return False
        if self.reading(tracker) is not None:
            return False
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        return intent == HANDOFF_INTENT or (intent in ASIDE_INTENTS and is_question(text))

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        if getattr(tracker, _STOP_ATTRIBUTE, False):
            return SlotSet(REQUESTED_SLOT, None)
        return await super().next_requested_slot(dispatcher, tracker, domain)

    def read_answer(self, slot: str, tracker: Tracker) -> Dict[Text, Any]:
        if tracker.get_slot(REQUESTED_SLOT) != slot or self.steps_aside(tracker):
            return {}  # not asked yet, or a question for the rules to answer
        return {slot: self.reading(tracker)}  # None: validate_<slot> asks again

    def check_answer(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        if wants_to_stop(tracker):
            return self.stop(dispatcher, tracker, response="utter_lead_stopped")
        if value:
            return {slot: value, ATTEMPTS_SLOT: 0}
        attempts = int(tracker.get_slot(ATTEMPTS_SLOT) or 0) + 1
        if attempts > MAX_REASKS:
            return self.stop(dispatcher, tracker, response="utter_lead_giveup")
        dispatcher.utter_message(response=f"utter_invalid_{slot}")
        return {slot: None, ATTEMPTS_SLOT: attempts}

    def stop(self, dispatcher: CollectingDispatcher, tracker: Tracker, response: str) -> Dict[Text, Any]:
        """End the form without a lead: what was given so far is dropped."""
        dispatcher.utter_message(response=response)
        setattr(tracker, _STOP_ATTRIBUTE, True)
        return {**{slot: None for slot in LEAD_SLOTS}, ATTEMPTS_SLOT: 0}

    # rasa-sdk's hooks, one pair per question

    def extract_lead_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.read_answer(NAME, tracker)

    def extract_lead_company(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.read_answer(COMPANY, tracker)

    def extract_lead_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.read_answer(CONTACT, tracker)

    def validate_lead_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.check_answer(NAME, value, dispatcher, tracker)

    def validate_lead_company(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.check_answer(COMPANY, value, dispatcher, tracker)

    def validate_lead_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.check_answer(CONTACT, value, dispatcher, tracker)


class ActionStartLead(SafeAction):
    """The call-back offer was accepted: clear the offer and any earlier lead."""

    def name(self) -> Text:
        return "action_start_lead"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_start_lead")
        return [
            SlotSet(PENDING_OFFER_SLOT, None),
            *(SlotSet(slot, None) for slot in LEAD_SLOTS),
            SlotSet(LEAD_SUBMITTED_SLOT, None),
            SlotSet(ATTEMPTS_SLOT, 0),
        ]


class ActionSubmitLead(SafeAction):
    """The form ended: with all three answers the lead is recorded
    (``lead_submitted``) and the visitor told who calls and when; a form the
    visitor stopped has said so already and records nothing."""

    def name(self) -> Text:
        return "action_submit_lead"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        values = {slot: tracker.get_slot(slot) for slot in LEAD_SLOTS}
        if not all(values.values()):
            return [SlotSet(LEAD_SUBMITTED_SLOT, None)]
        dispatcher.utter_message(
            response="utter_lead_received",
            name=values[NAME],
            company=values[COMPANY],
            contact=values[CONTACT],
            hours=handoff_hours(domain),
        )
        return [SlotSet(LEAD_SUBMITTED_SLOT, True)]
