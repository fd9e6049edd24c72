"""FAQ answers and context-dependent follow-ups ("那全网呢？")."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.answers import (
    FACT_TOPICS,
    answer_facts_with_basis,
    NEED_TOPIC,
    answer_need,
    describes_after_who_needs,
    answer_topic,
    continue_topic,
    faq_prediction,
    need_in_play,
    topic_in_play,
)
from actions.deadline_answers import answer_dated
from actions.offers import offer_assessment, offer_callback
from actions.assessment import reassess
from actions.common import (
    described_activity,
    ATTEMPTS_SLOT,
    FORM,
    LAST_TOPIC_SLOT,
    RESULT_SLOT,
    SafeAction,
    answer_not_understood,
    latest_text,
    notice_once,
    profile_from,
    stated_answers,
    stated_facts,
)
from actions.settings import settings
from licence.message_shape import answer_then_question
from licence.queries import faq_vars, scope_facts
from licence.followups import (
    ENOUGH,
    asked_facet,
    continues_topic,
    followup_topic,
    named_topic_word,
    the_named_topic,
)
from licence.topics import activity_of, facet_of
from licence.vocabulary import domain_words
from zhtext.replies import is_question
from zhtext.vocabulary import word_pattern

# "做电销外呼要不要这个证": a need question about one named activity gets the
# verdict for that activity, not the general list of who needs the licence.
NEED_TOPICS = {"who_needs", "outbound"}
# A topic answered from the user's own facts needs this share of the usual
# confidence: the facts themselves make the answer specific.
FACT_CONFIDENCE_SHARE = 0.25
# A question about the whole company, answered condition by condition from the
# facts it gives, in the order the verdict would list them.
COMPANY_FACT_TOPICS = ("capital", "staff", "authority")
# The classifier's labels for a message that describes the company.
COMPANY_LABELS = frozenset({"check_eligibility", "inform"})


def asks_about_the_company(tracker: Tracker) -> bool:
    """A question whose likeliest fine label is an assessment request or a
    statement of facts: the company described, then asked about as a whole."""
    message = tracker.latest_message or {}
    ranking = list(message.get("fine_ranking") or [])
    return (
        bool(ranking) and ranking[0].get("name") in COMPANY_LABELS and is_question(message.get("text") or "")
    )


class ActionAnswerFaq(SafeAction):
    """Answer the FAQ sub-intent, computing dates when the user gave one."""

    def name(self) -> Text:
        return "action_answer_faq"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        topic, confidence = faq_prediction(tracker)
        text = latest_text(tracker)
        facts = stated_facts(tracker)
        described = described_after_need(tracker, text)
        if described is not None:
            # "要是只帮集团内部子公司接呢" right after the need answer: the need
            # check of that business, whatever topic its words resemble
            return notice_once(dispatcher, tracker) + answer_need(dispatcher, described)
        threshold = settings().faq_min_confidence
        if topic is None or confidence < threshold:
            if topic in FACT_TOPICS and confidence >= threshold * FACT_CONFIDENCE_SHARE:
                # "我们只在江苏做业务，要去工信部申请吗": a less likely topic
                # still answers when the answer is computed from the facts given
                candidates: Tuple[str, ...] = (topic,)
            elif asks_about_the_company(tracker):
                # "我们在广州，注册资本200万，5个人交社保…能申请地网吗": no one topic,
                # so every condition the message gives a fact for
                candidates = COMPANY_FACT_TOPICS
            else:
                candidates = ()
            trial = CollectingDispatcher()
            answered = [
                t for t in candidates if answer_facts_with_basis(trial, t, facts, profile_from(tracker))
            ]
            if answered:
                events = notice_once(dispatcher, tracker)
                dispatcher.messages.extend(trial.messages)
                return (
                    events
                    + [SlotSet(LAST_TOPIC_SLOT, answered[0])]
                    + offer_assessment(dispatcher, tracker, not tracker.get_slot(RESULT_SLOT))
                )
            if candidates == COMPANY_FACT_TOPICS and not tracker.get_slot(RESULT_SLOT):
                return offer_assessment(dispatcher, tracker, computed=True)
            named = the_named_topic(text) if is_question(text) else None
            if named is not None:
                # "what conditions do we have to meet": no label is sure, but
                # the question names one topic in so many words
                events = notice_once(dispatcher, tracker)
                answer_topic(dispatcher, named, facts, settings().today(), profile_from(tracker))
                return events + [SlotSet(LAST_TOPIC_SLOT, named)]
            in_play = topic_in_play(tracker)
            if in_play is not None and continues_topic(text):
                # "线上办吗" after the process answer: heard as a question, placed
                # under no topic, so it continues the one just answered
                return continue_topic(dispatcher, tracker, in_play, text) + offer_callback(
                    dispatcher, tracker
                )
            return answer_not_understood(dispatcher, tracker, text)
        events = notice_once(dispatcher, tracker) + interview_answer(tracker, text)
        activity = activity_of(text) if topic in NEED_TOPICS else None
        if activity == "other" and topic == "outbound":
            # only 电销/外呼 named: the outbound answer says what that takes
            activity = None
        if activity and word_pattern(domain_words("need_question")).search(text.lower()):
            return events + answer_need(dispatcher, activity)
        today = settings().today()
        recorded = profile_from(tracker)
        computed = answer_topic(dispatcher, topic, facts, today, recorded)
        for part_topic, _, part in other_questions(tracker, topic):
            # "办哪种证，找谁办": the second question gets its own answer, from its own facts
            part_facts = stated_facts(tracker, part)
            computed = answer_topic(dispatcher, part_topic, part_facts, today, recorded) or computed
        # after a verdict the assessment is done: no offer to do it again
        offer = computed and not tracker.get_slot(RESULT_SLOT)
        return events + [SlotSet(LAST_TOPIC_SLOT, topic)] + offer_assessment(dispatcher, tracker, offer)


def described_after_need(tracker: Tracker, text: str) -> Optional[str]:
    """The business activity a message right after the need answer (or a
    statement right after the answer on who needs the licence) describes,
    when it asks no facet of its own ("客服外包要什么材料" asks the materials)
    and names more than telemarketing (电销 and 外呼 are the outbound FAQ's
    subject too)."""
    if (
        not (need_in_play(tracker) or describes_after_who_needs(tracker, text))
        or asked_facet(text) is not None
    ):
        return None
    activity = described_activity(tracker)
    return activity if activity and activity != "other" else None


# The FAQ label a "X呢" follow-up must have, at least, to count as naming topic X
# rather than leaning on the last one (its other labels are mostly "followup").
NAMED_TOPIC_MIN_CONFIDENCE = 0.05


# How likely a clause's own FAQ label must be for it to get an answer of its
# own, and how many more answers one message gets at most.
PART_MIN_CONFIDENCE = 0.3
MAX_EXTRA_ANSWERS = 2


def interview_answer(tracker: Tracker, text: str) -> List[EventType]:
    """ "有的 不过是租的 可以吗" during the interview: the question is answered
    here, and the answer before it is kept for the open question (the form
    does not read a message the FAQ rule took). A question whether the
    user's own figure is enough ("5个人够吗") keeps that figure too."""
    requested = tracker.get_slot(REQUESTED_SLOT)
    if tracker.active_loop_name != FORM or not requested:
        return []
    # the NLU read the answer from the part before the question
    if answer_then_question(text) is None and asked_facet(text) != ENOUGH:
        return []
    found = stated_answers(tracker, requested)
    if requested not in found.values:
        return []
    return [SlotSet(requested, found.values[requested]), SlotSet(ATTEMPTS_SLOT, 0)]


def other_questions(tracker: Tracker, answered: str) -> List[Tuple[str, str, int]]:
    """(topic, clause, index in ``question_parts``) of the other questions of a
    message that asks several (``question_parts`` from the classifier). A
    clause of facet words alone ("需要什么材料" after "续期要提前多久") asks
    about the answered topic."""
    found: List[Tuple[str, str, int]] = []
    seen = {answered}
    for index, part in enumerate((tracker.latest_message or {}).get("question_parts") or []):
        clause = str(part.get("text") or "")
        topic = followup_topic(clause, answered)
        name = str(part.get("name") or "")
        if topic is None and name.startswith("faq/"):
            if float(part.get("confidence") or 0.0) >= PART_MIN_CONFIDENCE:
                topic = name.split("/", 1)[1]
        if topic and topic not in seen:
            seen.add(topic)
            found.append((topic, clause, index))
    return found[:MAX_EXTRA_ANSWERS]


def named_topic(tracker: Tracker) -> Optional[str]:
    """The FAQ topic a follow-up names in its own words, if the classifier
    found one likely enough (``fine_ranking``), else None."""
    for item in (tracker.latest_message or {}).get("fine_ranking") or []:
        name = str(item.get("name") or "")
        if name.startswith("faq/"):
            if float(item.get("confidence") or 0.0) >= NAMED_TOPIC_MIN_CONFIDENCE:
                return name.split("/", 1)[1]
            return None
    return None


class ActionFollowup(SafeAction):
    """Answer a fragment that only makes sense after the previous answer."""

    def name(self) -> Text:
        return "action_followup"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        events = self.answer(dispatcher, tracker, domain)
        if any(event.get("name") == "pending_offer" for event in events):
            return events  # the answer made an offer of its own (地网 after a verdict)
        return events + offer_callback(dispatcher, tracker)

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = latest_text(tracker)
        topic = tracker.get_slot(LAST_TOPIC_SLOT)
        today = settings().today()
        facts = stated_facts(tracker)
        scope = facts.coverage
        # a mainland province only: "香港公司呢" names no 地网 of its own; the
        # applicant rule says what a company registered there can do
        # (named_topic_word below)
        province = facts.province
        if scope is None and province is not None:
            scope = "地网"
        facet = facet_of(text)
        events = notice_once(dispatcher, tracker)

        if topic == NEED_TOPIC:
            # "那我们自己的热线呢？" after the need check: check this activity
            activity = described_activity(tracker)
            if activity:
                return events + answer_need(dispatcher, activity)
            if not named_topic_word(text) and not named_topic(tracker):
                # "只卖不租呢": another business, but which one is not clear; the
                # need check asks, and the answer is checked (continue_need_check)
                dispatcher.utter_message(response="utter_ask_business_activity")
                return events
        if topic == "verdict" and scope:
            # "那全网呢？" after a verdict: assess the same company for the other scope
            return events + reassess(dispatcher, tracker, scope=scope, province=province)
        if answer_dated(dispatcher, topic, facts, today):
            return events
        if facet == "foreign":
            if topic == "materials":
                dispatcher.utter_message(response="utter_materials_foreign")
            else:
                answer_topic(dispatcher, "foreign", facts, today)
                return events + [SlotSet(LAST_TOPIC_SLOT, "foreign")]
            return events
        if facet == "branches":
            if topic == "materials":
                dispatcher.utter_message(response="utter_materials_branches")
            else:
                answer_topic(dispatcher, "individual", facts, today)
            return events
        if scope is not None:
            of_scope = scope_facts(scope, province)
            if topic in ("authority", "scope_difference", "process"):
                dispatcher.utter_message(response="utter_authority_for_scope", **of_scope)
            else:
                dispatcher.utter_message(response="utter_capital_for_scope", **of_scope, **faq_vars())
            return events
        inherited = followup_topic(text, topic)
        if inherited is not None:
            answer_topic(dispatcher, inherited, facts, today)
            return events + [SlotSet(LAST_TOPIC_SLOT, inherited)]
        named = named_topic_word(text) or named_topic(tracker)
        if named is not None and named != topic:
            # "注册资本呢" after the conditions: the topic it names
            answer_topic(dispatcher, named, facts, today)
            return events + [SlotSet(LAST_TOPIC_SLOT, named)]
        if topic and f"utter_faq/{topic}" in domain.get("responses", {}):
            answer_topic(dispatcher, topic, facts, today)
            return events
        dispatcher.utter_message(response="utter_followup_unclear")
        return events
