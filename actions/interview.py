"""The eligibility interview: form validation, start and stop.

All knowledge (question order, thresholds, reasons, remedies, materials, steps)
comes from ``licence``; this module only moves values between the tracker and
the engine and picks responses.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.answers import answer_topic
from actions.assessment import start_events
from actions.common import (
    ATTEMPTS_SLOT,
    INTERRUPTIONS,
    MAX_REASKS,
    GuardedFormValidation,
    SafeAction,
    latest_intent,
    latest_text,
    profile_from,
    stated_answers,
    stated_facts,
)
from actions.settings import settings
from licence.message_shape import answer_then_question
from licence.eligibility import required_slots
from licence.extract import BOOLEAN_SLOTS
from licence.followups import ENOUGH, asked_facet
from licence.reading import Facts
from licence.queries import answer_topics, interview_slots, question_topic
from zhtext.replies import is_question


# What to say when an answer to these questions could not be read; the rest
# are yes/no questions ("not_understood" suggests 有/没有/不清楚).
SLOT_PROBLEMS = {"province": "unknown_province", "coverage": "unclear_coverage"}


def _answer_from_intent(intent: Optional[str], slot: str) -> Any:
    """A bare 是的/不是/不清楚 classified by intent, for a yes/no question."""
    if intent == "dont_know":
        return "unknown"
    if slot in BOOLEAN_SLOTS:
        if intent == "affirm":
            return True
        if intent == "deny":
            return False
    return None


@dataclass(frozen=True)
class Turn:
    """What the latest message says, read once for the whole run.

    One message often answers several questions ("上海的有限公司，注册资本两千万")
    or answers one and asks another ("8个 够吗"), so it is read as a whole and
    each ``extract_<slot>`` hook hands out its own slot's part. ``before``
    holds the answers recorded before this message: rasa-sdk writes the
    extracted values into the tracker before it validates them, and the
    acknowledgement of a correction compares with what was there.
    """

    requested: Optional[str]
    text: str
    split: Optional[Tuple[str, str]]
    values: Dict[str, Any]
    problem: Optional[str]
    steps_aside: bool
    before: Dict[str, Any]
    facts: Facts

    @property
    def answers_elsewhere(self) -> bool:
        """Answers only to other questions ("租的写字楼" to the credit question)."""
        return bool(
            self.requested and self.values and self.requested not in self.values and self.problem is None
        )


def read_turn(tracker: Tracker) -> Turn:
    requested: Optional[str] = tracker.get_slot(REQUESTED_SLOT)
    text = latest_text(tracker)
    intent = latest_intent(tracker)
    # "8个 够吗": the NLU read the answer from the part before the question;
    # the question after it is answered too (validate_answer)
    split = answer_then_question(text) if requested else None
    found = stated_answers(tracker, requested)
    values = {k: v for k, v in found.values.items() if k in interview_slots()}
    problem = found.problems.get(requested) if requested else None
    if requested and requested not in values and problem is None:
        bare = _answer_from_intent(intent, requested)
        if bare is not None:
            values[requested] = bare
    if intent == "human_handoff" and not values:
        # a request for a person answers nothing, even to a question that
        # wants a number ("转人工" is not an unreadable amount)
        problem = None
    steps_aside = False
    if requested and not values and problem is None:
        if intent in INTERRUPTIONS or is_question(text):
            steps_aside = True
        else:
            problem = SLOT_PROBLEMS.get(requested, "not_understood")
    return Turn(
        requested, text, split, values, problem, steps_aside, profile_from(tracker), stated_facts(tracker)
    )


# Where a run's Turn is kept: on the tracker rasa-sdk hands to every hook of
# that run, so concurrent conversations never share one.
_TURN_ATTRIBUTE = "_eligibility_turn"


class ValidateEligibilityForm(GuardedFormValidation):
    """Fills every interview slot a message answers; asks the next one the rules need.

    rasa-sdk calls ``required_slots`` (the questions that apply), then
    ``extract_<slot>`` and ``validate_<slot>`` for each of them, then
    ``next_requested_slot``. The per-question hooks are made from the rule
    set's questions (``__getattr__``), so a question added to
    licence/ruleset.yml needs no code here.
    """

    def name(self) -> Text:
        return "validate_eligibility_form"

    def turn(self, tracker: Tracker) -> Turn:
        # required_slots is the first hook rasa-sdk calls, before it writes any
        # extracted value into the tracker: the Turn is read from the tracker
        # as the message found it
        turn = getattr(tracker, _TURN_ATTRIBUTE, None)
        if turn is None:
            turn = read_turn(tracker)
            setattr(tracker, _TURN_ATTRIBUTE, turn)
        return turn

    def steps_aside(self, tracker: Tracker) -> bool:
        return self.turn(tracker).steps_aside

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        turn = self.turn(tracker)
        # this message's answers count too: "地网，在上海" brings in the province
        applicable = required_slots({**profile_from(tracker), **turn.values})
        # a fact the user gives is kept even where the rule set no longer asks
        # for it ("个体户，注册资本100万"), so a later correction finds it
        return applicable + [slot for slot in turn.values if slot not in applicable]

    def __getattr__(self, attribute: str) -> Any:
        hook, _, slot = attribute.partition("_")
        if slot in interview_slots():
            if hook == "extract":
                return functools.partial(self.extract_answer, slot)
            if hook == "validate":
                return functools.partial(self.validate_answer, slot)
        raise AttributeError(attribute)

    def extract_answer(
        self,
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        """``extract_<slot>``: this message's answer to the question for ``slot``."""
        turn = self.turn(tracker)
        if slot in turn.values:
            return {slot: turn.values[slot]}
        if slot == turn.requested and turn.problem is not None:
            return {slot: None}  # an unreadable answer: validate_<slot> asks again
        return {}

    def validate_answer(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        """``validate_<slot>``: re-ask or give up on an unreadable answer to the
        open question, answer a question asked with the answer, acknowledge
        answers to other questions."""
        turn = self.turn(tracker)
        if slot == turn.requested and value is None and turn.problem is not None:
            return ask_again(dispatcher, tracker, slot, turn.problem)
        if slot == turn.requested and slot in turn.values:
            topic = question_topic(slot)
            if turn.split and topic:
                # "8个 够吗", "没有，要怎么加": the answer is kept, the question answered
                answer_topic(dispatcher, topic, turn.facts, settings().today(), profile_from(tracker))
            return {slot: value, ATTEMPTS_SLOT: 0}
        if turn.answers_elsewhere and slot == next(iter(turn.values)):
            # once for the message, whichever slot rasa-sdk validates first
            if not answer_whether_enough(dispatcher, tracker, turn):
                acknowledge(dispatcher, turn)
        return {slot: value}


def answer_whether_enough(dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn) -> bool:
    """ "我们认缴120万，注册资本够吗" while another question is open: the figure
    is kept and the question it asks answered from it (against each scope),
    instead of a bare "noted"; the open question is asked again after it."""
    if asked_facet(turn.text) != ENOUGH:
        return False
    topics = [topic for topic in (question_topic(s) for s in turn.values) if topic]
    answered = False
    for topic in dict.fromkeys(topics):
        trial = CollectingDispatcher()
        if answer_topic(trial, topic, turn.facts, settings().today(), profile_from(tracker)):
            dispatcher.messages.extend(trial.messages)  # computed from the figure, not the general answer
            answered = True
    return answered


def ask_again(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, problem: str) -> Dict[Text, Any]:
    """Say why the answer could not be read; after MAX_REASKS, record "unknown"
    and move on, so that one question never blocks the verdict."""
    attempts = int(tracker.get_slot(ATTEMPTS_SLOT) or 0) + 1
    if attempts > MAX_REASKS:
        dispatcher.utter_message(response="utter_invalid_giveup")
        return {slot: "unknown", ATTEMPTS_SLOT: 0}
    dispatcher.utter_message(response=f"utter_invalid_{problem}")
    return {slot: None, ATTEMPTS_SLOT: attempts}


def acknowledge(dispatcher: CollectingDispatcher, turn: Turn) -> None:
    """ "租的写字楼" to the credit question: say the answer was kept (or that
    it replaced an earlier one); the open question is asked again."""
    before, values = turn.before, turn.values
    corrected = answer_topics(s for s in values if before.get(s) not in (None, values[s]))
    if corrected:
        dispatcher.utter_message(response="utter_noted_corrected", topics="、".join(corrected))
    noted = answer_topics(s for s in values if before.get(s) is None)
    if noted:
        dispatcher.utter_message(response="utter_noted_other", topics="、".join(noted))


class ActionStartInterview(SafeAction):
    """Start (or restart) the interview, keeping what the opening message told;
    one left unfinished for a person resumes instead (``start_events``). A user
    who wants to start over stops the resumed interview first."""

    def name(self) -> Text:
        return "action_start_interview"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        found = stated_answers(tracker)
        prefill = [SlotSet(slot, value) for slot, value in found.values.items() if slot in interview_slots()]
        return start_events(dispatcher, tracker) + prefill


class ActionStopInterview(SafeAction):
    def name(self) -> Text:
        return "action_stop_interview"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_interview_stopped")
        return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), SlotSet(ATTEMPTS_SLOT, 0)]
