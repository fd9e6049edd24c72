"""Pieces shared by the actions: the error boundary every action runs in, the
base of the form validators, the one-time notice, and reading the interview
profile and the NLU's reading of the latest message out of the tracker."""

from __future__ import annotations

import logging
from abc import ABC, ABCMeta, abstractmethod
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from licence.context import BUSINESS_ACTIVITY, LAST_TOPIC, LIKELY_ACTIVITY
from licence.decision import mentions_the_domain
from licence.extract import Extraction
from licence.queries import interview_slots
from licence.reading import Facts, answers_in, facts_in
from licence.topics import activity_of

logger = logging.getLogger(__name__)

DISCLAIMER_SLOT = "disclaimer_shown"
# the topic the bot answered last, which follow-ups and bare facts continue
LAST_TOPIC_SLOT = LAST_TOPIC


class ErrorBoundary:
    """The one place where an action's failure becomes an answer, never silence.

    Any exception is logged with the conversation id, whatever the action had
    said so far is dropped (half an answer misleads), and the user gets
    ``utter_action_unavailable`` (offer of a human) while the conversation
    stays usable. Every action in this package runs inside it: ``SafeAction``
    for plain actions, ``GuardedFormValidation`` for the forms.
    """

    def events_after_failure(self) -> List[EventType]:
        """What the conversation needs after a failure; nothing by default."""
        return []

    async def guard(
        self,
        work: Callable[[CollectingDispatcher, Tracker, Dict[Text, Any]], Awaitable[List[EventType]]],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        try:
            return await work(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 - the edge of the action: log and answer
            logger.exception(
                "action %s failed for conversation %s",
                self.name(),
                tracker.sender_id,
            )
            dispatcher.messages.clear()
            dispatcher.utter_message(response="utter_action_unavailable")
            return self.events_after_failure()


class SafeAction(ErrorBoundary, Action, metaclass=ABCMeta):
    """A plain action inside the error boundary: subclasses implement ``act``."""

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        return await self.guard(self.act, dispatcher, tracker, domain)

    @abstractmethod
    async def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        """The action's work."""


class GuardedFormValidation(ErrorBoundary, FormValidationAction, ABC):
    """A form validator run by rasa-sdk's own hooks, inside the error boundary.

    Subclasses say which questions remain (``required_slots``) and read and
    check answers (``extract_<slot>``, ``validate_<slot>``); rasa-sdk calls
    them in that order. A failure ends the form, so the user is not asked the
    same question by a validator that cannot read the answer.
    """

    @abstractmethod
    def name(self) -> Text:
        """The validator's action name, ``validate_<form>``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return await self.guard(super().run, dispatcher, tracker, domain)

    def events_after_failure(self) -> List[EventType]:
        return [SlotSet(REQUESTED_SLOT, None), ActiveLoop(None)]

    def steps_aside(self, tracker: Tracker) -> bool:
        """True when the message answers nothing and asks something else
        instead: the form rejects it, the rules answer, and the question is
        asked again afterwards."""
        return False

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        # rasa-sdk leaves the choice to Rasa when required_slots equals the
        # domain's list; naming it always keeps the order the rule set's, and
        # returning nothing on a message that steps aside is what lets Rasa
        # reject the form for the rules to answer.
        if self.steps_aside(tracker):
            return None
        slots = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = (slot for slot in slots if tracker.slots.get(slot) is None)
        return SlotSet(REQUESTED_SLOT, next(missing, None))


# The slot of the offer a later yes or no answers (categorical, see domain.yml).
PENDING_OFFER_SLOT = "pending_offer"
HANDOFF_OFFER = "handoff"
# The widget's handoff ticket (actions/handoff.py): opened by action_human_handoff,
# the contact the visitor left, and whether the question for it was asked again.
TICKET_SLOT = "handoff_ticket"
CONTACT_SLOT = "handoff_contact"
REASKED_SLOT = "handoff_reasked"
# The channel whose handed-off visitors get a ticket: the website widget. Staff answer
# it from the console, through Rasa's HTTP API to the connected socket.
TICKET_CHANNELS = frozenset({"socketio"})
# What the bot says when it could not answer a message (the NLU fallback and
# out-of-scope questions), and the offer of a human that may follow it.
FAILED_ANSWERS = frozenset({"utter_default", "utter_out_of_scope", "utter_offer_handoff"})


def previous_answer_failed(tracker: Tracker) -> bool:
    """True when the bot's answer to the user's previous message was a failure."""
    users = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users == 2:
                return False
        elif users == 1 and kind == "bot":
            if (event.get("metadata") or {}).get("utter_action") in FAILED_ANSWERS:
                return True
    return False


def offer_handoff_after_failure(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Called after a failed answer: the second one in a row offers a human
    (a later 好的 takes it, see data/rules/chat.yml); a first one withdraws an
    offer still open. Not inside a form: a yes or no there answers its question,
    and the failure texts already say that "转人工" reaches a person."""
    if tracker.active_loop_name:
        return []
    if previous_answer_failed(tracker):
        dispatcher.utter_message(response="utter_offer_handoff")
        return [SlotSet(PENDING_OFFER_SLOT, HANDOFF_OFFER)]
    if tracker.get_slot(PENDING_OFFER_SLOT) == HANDOFF_OFFER:
        return [SlotSet(PENDING_OFFER_SLOT, None)]
    return []


def notice_once(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Prefix the first substantive answer of a conversation with the notice that
    this is general guidance and the issuing authority decides."""
    if tracker.get_slot(DISCLAIMER_SLOT):
        return []
    dispatcher.utter_message(response="utter_disclaimer")
    return [SlotSet(DISCLAIMER_SLOT, True)]


def not_understood(text: str) -> str:
    """The reply to a message no answer fits: "please rephrase" when it is about
    the licence, else what the bot covers ("没有烤箱能做蛋糕吗")."""
    return "utter_default" if mentions_the_domain(text) else "utter_out_of_scope"


def answer_not_understood(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> List[EventType]:
    """Says ``not_understood(text)``, with the offer of a human when the answer
    before failed too (``offer_handoff_after_failure``)."""
    dispatcher.utter_message(response=not_understood(text))
    return offer_handoff_after_failure(dispatcher, tracker)


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def stated_answers(tracker: Tracker, requested: Optional[str] = None) -> Extraction:
    """The interview answers of the latest message, as the NLU read them
    (components/reading.py): as the reply to the question about ``requested``,
    or as stated outright when ``requested`` is None. A message the NLU did
    not read (a payload, an injected event) gives none."""
    return answers_in(tracker.latest_message or {}, requested)


def stated_facts(tracker: Tracker, part: Optional[int] = None) -> Facts:
    """The facts the latest message states (of its question ``part``, the
    index in ``question_parts``), as the NLU read them; none without a reading."""
    return facts_in(tracker.latest_message or {}, part)


def described_activity(tracker: Tracker) -> Optional[str]:
    """The business activity the latest message describes: read by meaning in
    the NLU when that reading is clear (components/activity.py writes it only
    then), else named by its words (licence/topics.py). The whole description
    outweighs one word in it: "电销，推广我们自家的贷款产品" names 自家 (a hotline
    of one's own) but is telemarketing."""
    return _activity_reading(tracker, BUSINESS_ACTIVITY) or activity_of(latest_text(tracker))


def replied_activity(tracker: Tracker) -> Optional[str]:
    """The business activity of a reply to the need check's question: as
    ``described_activity``, or else its likeliest activity by meaning."""
    return described_activity(tracker) or _activity_reading(tracker, LIKELY_ACTIVITY)


def _activity_reading(tracker: Tracker, key: str) -> Optional[str]:
    """The activity components/activity.py wrote under ``key``, if any."""
    reading = (tracker.latest_message or {}).get(key) or {}
    name = reading.get("name") if isinstance(reading, dict) else None
    return str(name) if name else None


def latest_intent(tracker: Tracker) -> Optional[str]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name")


# the slot holding the last verdict (part of the external contract)
RESULT_SLOT = "eligibility_result"
# the interview form, and the count of replies to its open question not understood
FORM = "eligibility_form"
ATTEMPTS_SLOT = "invalid_attempts"
# true while the interview waits, unfinished, for a person to answer a widget
# ticket: its next start keeps the answers and asks only what is still open
ON_HOLD_SLOT = "interview_on_hold"
# The forms a widget ticket ends: Rasa runs one form at a time, and the ticket's
# own form (handoff_form) must run. The lead form is not among them: it already
# takes a contact, and its rule asks its question again after the handoff.
FORMS_A_TICKET_ENDS = frozenset({FORM, "need_form"})


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
