"""The verdict and what follows it: the reasons again, the 地网 offer, and
statements outside the interview (corrections, dates, facts).

The assessment itself lives in ``actions.assessment``; these actions only pick
which of its answers a message gets.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import (
    FACT_TOPICS,
    answer_from_facts,
    answer_topic,
    continue_need_check,
    continue_topic,
    faq_prediction,
    topic_in_play,
)
from actions.deadline_answers import answer_dated
from actions.assessment import (
    reassess,
    start_events,
    unknown_items,
    unmet_items,
    verdict_events,
)
from actions.common import (
    FORM,
    LAST_TOPIC_SLOT,
    RESULT_SLOT,
    SafeAction,
    answer_not_understood,
    bullet_list,
    latest_text,
    notice_once,
    profile_from,
    stated_answers,
    stated_facts,
)
from actions.offers import offer_assessment, offer_callback
from actions.settings import settings
from licence.eligibility import assess, required_slots
from licence.followups import continues_topic
from licence.queries import interview_slots
from zhtext.replies import is_question


class ActionEligibilityVerdict(SafeAction):
    def name(self) -> Text:
        return "action_eligibility_verdict"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        return verdict_events(dispatcher, tracker, profile_from(tracker))


class ActionExplainVerdict(SafeAction):
    """为什么不行？ — the reasons of the last verdict, again."""

    def name(self) -> Text:
        return "action_explain_verdict"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if not tracker.get_slot(RESULT_SLOT):
            topic = topic_in_play(tracker)
            if tracker.active_loop_name == FORM:
                # "为啥不行" halfway through the questions: no verdict yet
                dispatcher.utter_message(response="utter_why_interview_open")
            elif topic is not None:
                # "没通过会说原因吗" after the review-time answer: about that answer
                return continue_topic(dispatcher, tracker, topic, latest_text(tracker))
            else:
                dispatcher.utter_message(response="utter_no_verdict_yet")
            return []
        decision = assess(profile_from(tracker))
        if decision.unmet:
            dispatcher.utter_message(response="utter_verdict_unmet", items=bullet_list(unmet_items(decision)))
        elif decision.unknown:
            dispatcher.utter_message(
                response="utter_verdict_unknown", items=bullet_list(unknown_items(decision))
            )
        else:
            dispatcher.utter_message(response="utter_why_none")
        return [SlotSet(LAST_TOPIC_SLOT, "verdict")]


class ActionAcceptOffer(SafeAction):
    """The user accepted the offer to be assessed for 地网 instead of 全网."""

    def name(self) -> Text:
        return "action_accept_offer"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        return [SlotSet("pending_offer", None)] + reassess(dispatcher, tracker, scope="地网")


class ActionHandleInform(SafeAction):
    """A statement outside any form: a date for the last deadline question, a
    correction after a verdict, or facts about the company that start an interview."""

    def name(self) -> Text:
        return "action_handle_inform"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = latest_text(tracker)
        today = settings().today()
        topic = tracker.get_slot(LAST_TOPIC_SLOT)
        if answer_dated(dispatcher, topic, stated_facts(tracker), today):
            return []
        described = continue_need_check(dispatcher, tracker, text)
        if described is not None:
            # "只接自己家客户的电话" after the need answer: that business checked
            return described
        if topic in FACT_TOPICS and not tracker.get_slot(RESULT_SLOT):
            # "我们认缴了800万" after the capital answer: that answer, from the fact
            if answer_from_facts(dispatcher, topic, stated_facts(tracker)):
                return offer_assessment(dispatcher, tracker, computed=True)
        found = stated_answers(tracker)
        values = {k: v for k, v in found.values.items() if k in interview_slots()}
        if values and tracker.get_slot(RESULT_SLOT):
            # a correction after the verdict: the verdict follows it
            profile = {**profile_from(tracker), **values}
            events: List[EventType] = [SlotSet(k, v) for k, v in values.items()]
            if any(profile.get(slot) is None for slot in required_slots(profile)):
                return events + [SlotSet(RESULT_SLOT, None), FollowupAction(FORM)]
            return events + verdict_events(dispatcher, tracker, profile)
        in_play = topic_in_play(tracker)
        if in_play is not None and continues_topic(text):
            # "我们港方占70%" after the foreign-investment answer: that answer, for
            # them; facts of the interview also bring the offer to assess them all
            events = continue_topic(dispatcher, tracker, in_play, text)
            return events + offer_assessment(dispatcher, tracker, computed=bool(values))
        if values:
            # facts about the company without a request: start the interview with
            # them (or resume one left for a person: "500万" answering its question)
            facts: List[EventType] = [SlotSet(k, v) for k, v in values.items()]
            return start_events(dispatcher, tracker) + facts + [FollowupAction(FORM)]
        if stated_facts(tracker).date_ahead is not None:
            dispatcher.utter_message(response="utter_ask_date_topic")
            return []
        if is_question(text):
            # a question taken for a statement ("注册资金一百万够不够全国的"):
            # the FAQ topic the selector picked, when it is sure enough
            topic, confidence = faq_prediction(tracker)
            if topic and confidence >= settings().faq_min_confidence:
                events = notice_once(dispatcher, tracker)
                answer_topic(dispatcher, topic, stated_facts(tracker), today)
                return events + [SlotSet(LAST_TOPIC_SLOT, topic)] + offer_callback(dispatcher, tracker)
        return answer_not_understood(dispatcher, tracker, text)


class ActionClearOffer(SafeAction):
    """The user declined the 地网 offer; forget it so a later 好的 means nothing."""

    def name(self) -> Text:
        return "action_clear_offer"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        return [SlotSet("pending_offer", None)]
