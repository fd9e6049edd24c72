"""Answers on one topic of the knowledge base, with dates computed where the user
gave one. Used by the FAQ action, follow-ups and bare date answers."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    LAST_TOPIC_SLOT,
    described_activity,
    notice_once,
    profile_from,
    stated_answers,
    stated_facts,
)
from actions.deadline_answers import annual_report_status, answer_dated
from actions.settings import settings
from licence.basis import faq_basis
from licence.context import CONTEXT_READING, TOPIC_ACTIONS, answered_by
from licence.queries import (
    capital_comparison,
    faq_vars,
    need_check,
    scope_facts,
    staff_comparison,
)
from licence.followups import condition_topic, followup_topic, named_cell, named_topic_word
from licence.limits import count_value_problem, money_value_problem
from licence.reading import Facts
from zhtext.numbers import format_wan
from zhtext.replies import is_question

RETRIEVAL_INTENT = "faq"


# A short message that leaves the topic out ("最晚提前几天", "要多久", "how long?")
# continues the conversation's topic: that topic's probability counts this many
# times over when the message has at most FOLLOWUP_MAX_CHARS characters.
FOLLOWUP_TOPIC_WEIGHT = 3.0
FOLLOWUP_MAX_CHARS = 12


def faq_prediction(tracker: Tracker) -> Tuple[Optional[str], float]:
    """The FAQ topic of the latest message, with its confidence.

    The classifier's fine labels (components/classifier.py, ``fine_ranking``),
    weighed with the conversation. A follow-up made of facet words alone
    gets the cell of the last topic's facet, one made of a topic word and
    facet words that topic's cell (licence/followups.py); any
    other short message that may be a follow-up
    gives the last topic (slot ``last_topic``) more weight, so "最晚提前几天"
    after a renewal answer stays on renewal while "那年报呢" moves to the
    annual report (its own label outweighs the last topic's).
    """
    message = tracker.latest_message or {}
    # the topic of the answer just given: none after a turn that answered nothing
    last = topic_in_play(tracker)
    text = (message.get("text") or "").strip()
    inherited = followup_topic(text, last)
    if inherited is not None:
        # "要提前多久" after the validity answer: the cell of that topic's facet
        return inherited, 1.0
    condition = condition_topic(last, stated_answers(tracker).values)
    if condition is not None:
        # "我们是外资的" after the conditions answer: that condition, for them
        return condition, 1.0
    read_in_context = message.get(CONTEXT_READING) or {}
    if isinstance(read_in_context, dict) and read_in_context.get("topic"):
        # "要是股东上了呢" after the credit answer: read with the question before
        # it, on that topic (licence/context.py), whatever word it names
        return str(read_in_context["topic"]), 1.0
    named = named_cell(text) or named_topic_word(text)
    if named is not None:
        # "录音要留多久", "any equity cap?": a topic word (and a facet), whatever
        # the conversation
        return named, 1.0
    ranking = list(message.get("fine_ranking") or [])
    if not ranking and message.get("fine_intent"):
        ranking = [message["fine_intent"]]
    short = 0 < len(text) <= FOLLOWUP_MAX_CHARS
    best: Tuple[Optional[str], float, float] = (None, 0.0, 0.0)
    for item in ranking:
        name = str(item.get("name") or "")
        if not name.startswith(f"{RETRIEVAL_INTENT}/"):
            continue
        topic = name.split("/", 1)[1]
        confidence = float(item.get("confidence") or 0.0)
        weight = FOLLOWUP_TOPIC_WEIGHT if short and topic == last else 1.0
        if confidence * weight > best[2]:
            best = (topic, confidence, confidence * weight)
    if last is None and best[1] < LICENCE_TOPIC_BELOW and len(message.get("question_parts") or []) < 2:
        # with no topic in play ("那去哪办" after the need check) and no label
        # the classifier is fairly sure of, a facet alone asks about the licence
        # itself; a sure label wins ("受里要多久" is the acceptance time), and a
        # message of two questions is answered question by question
        general = followup_topic(text, LICENCE_TOPIC)
        if general is not None:
            return general, 1.0
    # the weighed score is the confidence: a follow-up on the last topic is
    # answered although its own label is not very likely out of context
    return best[0], min(1.0, best[2])


def topic_in_play(tracker: Tracker) -> Optional[str]:
    """The FAQ topic the bot's previous turn answered, or None when that turn
    answered none (out of scope, a greeting, the interview, "please rephrase")."""
    topic = tracker.get_slot(LAST_TOPIC_SLOT)
    if not topic or topic in (NEED_TOPIC, "verdict"):
        return None
    return topic if _previous_turn_answered(tracker, TOPIC_ACTIONS) else None


# the topic whose cells a facet asks when no topic is in play: the licence itself
LICENCE_TOPIC = "what_is"
# ...when no FAQ label of the message's own is this likely
LICENCE_TOPIC_BELOW = 0.3
# the FAQ topic on who needs the licence: a business described after it is checked
WHO_NEEDS_TOPIC = "who_needs"
# the pseudo-topic of the need check's answer, and the actions that give it
NEED_TOPIC = "need"
NEED_ACTIONS = frozenset(
    {
        "action_answer_faq",
        "action_followup",
        "action_need_verdict",
        "action_out_of_scope",
        "action_idle_reply",
    }
)


def need_in_play(tracker: Tracker) -> bool:
    """The bot's previous turn said whether the business described needs the
    licence: a description that follows ("只接自己家客户的电话") is checked too."""
    return tracker.get_slot(LAST_TOPIC_SLOT) == NEED_TOPIC and _previous_turn_answered(tracker, NEED_ACTIONS)


def describes_after_who_needs(tracker: Tracker, text: str) -> bool:
    """A statement (no question) right after the answer on who needs the
    licence: the user's own business, to be checked ("我们是做坐席租赁的")."""
    return topic_in_play(tracker) == WHO_NEEDS_TOPIC and not is_question(text)


def _previous_turn_answered(tracker: Tracker, actions: frozenset[str]) -> bool:
    """One of ``actions`` answered the previous user message, and no reply of
    that turn was a "not understood"."""
    turn: List[Dict[str, Any]] = []
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif users == 1:
            turn.append(event)
    return answered_by(turn, actions)


def answer_need(dispatcher: CollectingDispatcher, activity: str) -> List[EventType]:
    """Whether ``activity`` needs the licence, and the slots the need check sets."""
    result = need_check(activity)
    dispatcher.utter_message(response="utter_need_answer", answer=result.answer)
    return [
        SlotSet("business_activity", activity),
        SlotSet("licence_needed", result.licence_needed),
        SlotSet(LAST_TOPIC_SLOT, NEED_TOPIC),
    ]


def continue_need_check(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> Optional[List[EventType]]:
    """Right after the need answer, a message the classifier could not place
    that describes a business activity ("我哋淨係幫自己公司打", "就是按坐席收租金
    那种") gets the need answer for that activity; None when it is not that.
    So does a statement of the user's own business right after the answer on
    who needs the licence ("我们是做坐席租赁的"); a question there ("出租系统的也
    要吗") stays a question on who needs it."""
    in_play = need_in_play(tracker) or describes_after_who_needs(tracker, text)
    activity = described_activity(tracker) if in_play else None
    if activity is None:
        return None
    return notice_once(dispatcher, tracker) + answer_need(dispatcher, activity)


def answer_topic(
    dispatcher: CollectingDispatcher,
    topic: str,
    facts: Facts,
    today: dt.date,
    recorded: Optional[Mapping[str, Any]] = None,
) -> bool:
    """Answer ``faq/<topic>``, computed from the user's own facts where the
    message carries them (``facts``, the NLU's reading): a date for a deadline
    topic, an amount for capital, a head count for staff, the provinces for
    the authority. True when an
    eligibility fact was answered (capital, staff, scope): the caller may
    offer the full assessment. ``recorded``: the interview's answers, used
    when the message states no fact of its own ("我们这个资本够做全网吗" after
    the verdict). The answer ends with the topic's basis (``utter_basis``)."""
    computed = False
    if answer_dated(dispatcher, topic, facts, today):
        pass
    elif answer_from_facts(dispatcher, topic, facts, recorded):
        computed = True
    else:
        dispatcher.utter_message(response=f"utter_faq/{topic}", **faq_vars())
        if topic == "annual_report":
            annual_report_status(dispatcher, today)
    send_basis(dispatcher, topic)
    return computed


def send_basis(dispatcher: CollectingDispatcher, topic: str) -> None:
    """The basis line ("依据：…") of ``topic``, after its answer; nothing for a
    topic the rule set has no basis for."""
    line = faq_basis(topic)
    if line:
        dispatcher.utter_message(response="utter_basis", basis=line)


def answer_facts_with_basis(
    dispatcher: CollectingDispatcher,
    topic: str,
    facts: Facts,
    recorded: Optional[Mapping[str, Any]] = None,
) -> bool:
    """``answer_from_facts``, followed by the topic's basis when it answered."""
    if not answer_from_facts(dispatcher, topic, facts, recorded):
        return False
    send_basis(dispatcher, topic)
    return True


# Topics whose answer depends on where the company operates.
SCOPE_TOPICS = {"authority", "scope_difference"}
# Topics answered from a fact the user states (an amount, a head count, where
# the company operates): a bare statement of that fact after such an answer
# asks for the answer computed from it.
FACT_TOPICS = frozenset({"capital", "staff"} | SCOPE_TOPICS)


def answer_from_facts(
    dispatcher: CollectingDispatcher,
    topic: str,
    facts: Facts,
    recorded: Optional[Mapping[str, Any]] = None,
) -> bool:
    """The answer on ``topic`` computed from the fact the message states (an
    amount for capital, a head count for staff, provinces or a scope for the
    authority), else from the interview's recorded answer; False, and
    nothing said, when there is neither."""
    recorded = recorded or {}
    if topic == "capital":
        return answer_capital_amount(dispatcher, facts, recorded.get("registered_capital"))
    if topic == "staff":
        return answer_staff_count(dispatcher, facts, recorded.get("insured_staff"))
    if topic in SCOPE_TOPICS:
        return answer_scope_of_provinces(dispatcher, facts)
    return False


def answer_staff_count(dispatcher: CollectingDispatcher, facts: Facts, recorded: Any = None) -> bool:
    """ "公司就3个人交社保 行吗": the count against the usual minimum. False (and
    nothing said) when the message states no usable head count and none is recorded."""
    count = facts.count
    if count is None and isinstance(recorded, (int, float)) and not isinstance(recorded, bool):
        count = int(recorded)
    if count is None or count_value_problem(count) is not None:
        return False
    row = staff_comparison(count)
    if row["enough"]:
        dispatcher.utter_message(response="utter_staff_enough", **row, **faq_vars())
    else:
        dispatcher.utter_message(response="utter_staff_short", **row, **faq_vars())
    return True


def answer_scope_of_provinces(dispatcher: CollectingDispatcher, facts: Facts) -> bool:
    """ "我们只在江苏做，得去工信部办？": the scope and authority that follow from
    where the company operates. One mainland province (or words for one
    province) -> 地网 with that province's authority; two or more provinces or
    nationwide words -> 全网. False when the message says neither."""
    provinces = list(facts.provinces)
    scope = facts.coverage
    if scope is None and provinces:
        scope = "全网" if len(provinces) > 1 else "地网"
    if scope is None:
        return False
    province = provinces[0] if scope == "地网" and len(provinces) == 1 else None
    dispatcher.utter_message(response="utter_scope_of_operations", **scope_facts(scope, province))
    return True


def answer_capital_amount(dispatcher: CollectingDispatcher, facts: Facts, recorded: Any = None) -> bool:
    """ "注册资本1kw想办全网 够不够": compare the amount with the threshold of the
    scope named, or of both scopes. The largest amount stated counts, because
    subscribed capital counts ("认缴1000万实缴100万" has 1000万). False (and
    nothing said) when the message states no usable amount with a unit and
    none is recorded."""
    amounts = [wan for wan in facts.amounts_wan if money_value_problem(wan) is None]
    if not amounts and isinstance(recorded, (int, float)) and not isinstance(recorded, bool):
        amounts = [float(recorded)]
    if not amounts:
        return False
    amount = max(amounts)
    for row in capital_comparison(amount, facts.coverage):
        if row["enough"]:
            dispatcher.utter_message(response="utter_capital_enough", amount=format_wan(amount), **row)
        else:
            dispatcher.utter_message(response="utter_capital_short", amount=format_wan(amount), **row)
    dispatcher.utter_message(response="utter_capital_subscribed", **faq_vars())
    return True


def continue_topic(
    dispatcher: CollectingDispatcher, tracker: Tracker, topic: str, text: str
) -> List[EventType]:
    """Answer ``topic`` again for a message that continues it; a statement of
    the user's situation first hears that the rule is read for it. After the
    answer on all conditions, a statement of one condition gets that one's."""
    topic = condition_topic(topic, stated_answers(tracker).values) or topic
    events = notice_once(dispatcher, tracker)
    if not is_question(text):
        dispatcher.utter_message(response="utter_continue_topic")
    answer_topic(dispatcher, topic, stated_facts(tracker), settings().today(), profile_from(tracker))
    return events + [SlotSet(LAST_TOPIC_SLOT, topic)]
