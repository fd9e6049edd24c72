"""FAQ answers and context-dependent follow-ups ("那全网呢？")."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import (
    answer_dated,
    answer_need,
    answer_topic,
    faq_prediction,
)
from actions.common import SafeAction, latest_text, notice_once
from actions.settings import settings
from licence.engine import faq_vars, scope_facts
from licence.followups import followup_topic
from licence.parsing import parse_coverage, parse_province, vocabulary_words, word_pattern
from licence.topics import activity_of, facet_of

# "做电销外呼要不要这个证": a need question about one named activity gets the
# verdict for that activity, not the general list of who needs the licence.
NEED_TOPICS = {"who_needs", "outbound"}


class ActionAnswerFaq(SafeAction):
    """Answer the FAQ sub-intent, computing dates when the user gave one."""

    def name(self) -> Text:
        return "action_answer_faq"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        topic, confidence = faq_prediction(tracker)
        if topic is None or confidence < settings().faq_min_confidence:
            dispatcher.utter_message(response="utter_default")
            return []
        events = notice_once(dispatcher, tracker)
        text = latest_text(tracker)
        activity = activity_of(text) if topic in NEED_TOPICS else None
        if activity == "other" and topic == "outbound":
            # only 电销/外呼 named: the outbound answer says what that takes
            activity = None
        if activity and word_pattern(vocabulary_words("need_question")).search(text.lower()):
            return events + answer_need(dispatcher, activity) + [SlotSet("last_topic", "need")]
        computed = answer_topic(dispatcher, topic, text, settings().today())
        return events + [SlotSet("last_topic", topic)] + offer_assessment(
            dispatcher, tracker, computed
        )


def offer_assessment(
    dispatcher: CollectingDispatcher, tracker: Tracker, computed: bool
) -> List[EventType]:
    """After an answer computed from the user's own facts (outside the
    interview), offer the full assessment; any other answer withdraws an
    earlier offer, so that a later "好的" does not start an interview."""
    if tracker.active_loop_name:
        return []
    if computed:
        dispatcher.utter_message(response="utter_offer_assessment")
        return [SlotSet("pending_offer", "assessment")]
    if tracker.get_slot("pending_offer") == "assessment":
        return [SlotSet("pending_offer", None)]
    return []


class ActionFollowup(SafeAction):
    """Answer a fragment that only makes sense after the previous answer."""

    def name(self) -> Text:
        return "action_followup"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = latest_text(tracker)
        topic = tracker.get_slot("last_topic")
        today = settings().today()
        scope = parse_coverage(text)
        province = parse_province(text)
        if scope is None and province is not None:
            scope = "地网"
        facet = facet_of(text)
        events = notice_once(dispatcher, tracker)

        if topic == "need":
            # "那我们自己的热线呢？" after the need check: check this activity
            activity = activity_of(text)
            if activity:
                return events + answer_need(dispatcher, activity)
        if topic == "verdict" and scope:
            # "那全网呢？" after a verdict: assess the same company for the other scope
            from actions.interview import reassess

            return events + reassess(dispatcher, tracker, scope=scope, province=province)
        if answer_dated(dispatcher, topic, text, today):
            return events
        if facet == "foreign":
            if topic == "materials":
                dispatcher.utter_message(response="utter_materials_foreign")
            else:
                answer_topic(dispatcher, "foreign", text, today)
                return events + [SlotSet("last_topic", "foreign")]
            return events
        if facet == "branches":
            if topic == "materials":
                dispatcher.utter_message(response="utter_materials_branches")
            else:
                answer_topic(dispatcher, "individual", text, today)
            return events
        if scope is not None:
            facts = scope_facts(scope, province)
            if topic in ("authority", "scope_difference", "process"):
                dispatcher.utter_message(response="utter_authority_for_scope", **facts)
            else:
                dispatcher.utter_message(
                    response="utter_capital_for_scope", **facts, **faq_vars()
                )
            return events
        inherited = followup_topic(text, topic)
        if inherited is not None:
            answer_topic(dispatcher, inherited, text, today)
            return events + [SlotSet("last_topic", inherited)]
        if topic and f"utter_faq/{topic}" in domain.get("responses", {}):
            answer_topic(dispatcher, topic, text, today)
            return events
        dispatcher.utter_message(response="utter_followup_unclear")
        return events
