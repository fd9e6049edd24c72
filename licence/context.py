"""A follow-up read with the question before it.

"没有增值电信怎么办" after the business-scope answer asks what to do about the
business scope, but on its own the classifier hears a penalty question; "电商也算？"
after the who-needs answer asks whether e-commerce needs the licence, not the
price. Rasa's NLU sees one message,
so the Rasa server parses such a message a second time with the user's previous
words in front of it (patches/context_parse.py) and this module decides whether
that reading wins: only in favour of the topic the bot has just answered, and
only when the message read in context says so more strongly than it says
anything else on its own.

A message that names a topic keeps it when it is sure of it on its own ("那年报
呢"); when it is not ("要是股东上了呢" after the credit answer names 股东 of the
changes but is a fragment), it is read in context on stricter terms
(``reread_named``). The message alone keeps the last word whenever it is made
of facet words whose cell the table gives (licence/followups.py reads those),
is small talk, a yes or no, a request for a person or an assessment, or the
interview is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence

from licence.decision import OUT_OF_SCOPE
from licence.followups import (
    asks_the_same,
    followup_topic,
    named_cell,
    named_topic_word,
    names_a_topic,
    names_own_topic,
    states_readiness,
)
from zhtext.normalise import normalise

# The slot that holds the topic the bot answered last (domain.yml).
LAST_TOPIC = "last_topic"
# Actions that answer a topic and set ``last_topic`` when they do.
TOPIC_ACTIONS = frozenset(
    {"action_answer_faq", "action_followup", "action_handle_inform", "action_unclear", "action_idle_reply"}
)
# Replies that answer no topic, although one of those actions sent them.
NO_ANSWER_RESPONSES = frozenset({"utter_default", "utter_empty_message", "utter_action_unavailable"})
# "topics" of the last answer that are no FAQ cell (the need check, a verdict)
NOT_FAQ_TOPICS = frozenset({"need", "verdict"})

# Labels a follow-up may be given out of context that its context can overrule:
# a question, a fragment, or what the classifier could not place. Small talk,
# yes/no, a request for a person or an assessment stand as they are, and so does
# the classifier's out-of-scope label: a follow-up is seldom given it, and
# off-topic messages after an answer nearly always are.
REREAD_INTENTS = frozenset({"faq", "followup", "ask_why", "dont_know", "nlu_fallback", "inform"})
# Certain decisions whose topic the context may still choose.
CONTEXT_REFINES = frozenset({"facet_question"})
# A follow-up is short; a long message carries its own subject.
MAX_CHARS = 40
# How many of the user's previous messages are put in front, newest first, and
# how long that context must be to stop adding older ones ("要多久" alone says
# too little of the topic).
MAX_PREVIOUS = 3
MIN_CONTEXT_CHARS = 12
# The reading in context counts this much beside the message's own reading, and
# must give the last topic at least this confidence.
CONTEXT_WEIGHT = 0.5
MIN_CONTEXT_CONFIDENCE = 0.3
# A follow-up that names a word of another topic (``NAMED``) is read on the last
# topic only when alone it gives no other topic MAX_OWN_NAMED or more (the word
# is in passing) and the reading in context puts the last topic first with at
# least MIN_CONTEXT_NAMED.
FREE = "free"
NAMED = "named"
# A follow-up that asks the question before of another subject (``SAME``) is
# read on the last topic whenever the reading in context puts it first.
SAME = "same"
MAX_OWN_NAMED = 0.15
MIN_CONTEXT_NAMED = 0.6

FAQ_PREFIX = "faq/"
# Parse-data keys the classifier writes: the most likely fine label
# ("faq/capital") and the most likely few, best first.
FINE_INTENT = "fine_intent"
FINE_RANKING = "fine_ranking"
# Parse-data key of a reading in context that won (patches/context_parse.py
# writes it): {"text": <the context>, "topic": <the topic read>, "intent": ...}.
CONTEXT_READING = "context"
# Parse-data key of the business activity a message describes by meaning
# (components/activity.py): {"name": <need_check activity id>, "similarity", "margin"}.
BUSINESS_ACTIVITY = "described_activity"
# ...and the likeliest activity on lower terms, for a reply to "what does your
# business do?", which is a description whatever it looks like.
LIKELY_ACTIVITY = "likely_activity"
# Parse-data key of the training example nearest to the message in meaning
# (components/relevance.py): {"intent": <its intent>, "similarity": <cosine>}.
NEAREST_EXAMPLE = "nearest_example"
# Labels under which the classifier heard a licence question.
QUESTION_INTENTS = frozenset({"faq", "followup"})
# The classifier's own out-of-scope reading (its fine label) this sure stands.
MIN_OWN_OUT_OF_SCOPE = 0.55
# The parse data's record of a rule of licence/decision.py that overruled the
# classifier (components/decision.py writes it): {"rule": ..., "certain": ...}.
# A certain decision (another licence named, unreadable text...) is never
# read again in context.
DECIDED = "decided"


def answered_by(turn: Iterable[Mapping[str, object]], actions: frozenset[str] = TOPIC_ACTIONS) -> bool:
    """The events of one bot turn (between two user messages) answered: one of
    ``actions`` ran and no reply said "not understood"."""
    answered = False
    for event in turn:
        kind = event.get("event")
        if kind == "bot":
            metadata = event.get("metadata") or {}
            if isinstance(metadata, Mapping) and metadata.get("utter_action") in NO_ANSWER_RESPONSES:
                return False
        elif kind == "action" and event.get("name") != "action_listen":
            answered = answered or event.get("name") in actions
    return answered


def continuation(text: str, intent: Optional[str], last_topic: str) -> Optional[str]:
    """Whether the message may be a follow-up whose topic its context decides:
    short, labelled as a question or left unplaced, and no facet whose cell of
    the last topic the table gives (licence/followups.py reads those: "要多久"
    after the process answer; a facet the last topic has no cell for, "超时了
    怎么办" after the review time, is read in context). ``FREE`` when it names
    no topic; ``NAMED`` when it names a word of one ("要是股东上了呢" after the
    credit answer), to be read in context only on the stricter terms of
    ``reread_named``; None when it is no follow-up."""
    clean = normalise(text).strip()
    if not clean or len(clean) > MAX_CHARS or intent not in REREAD_INTENTS:
        return None
    if asks_the_same(clean):
        return SAME  # "出租系统的也要吗" after the who-needs answer
    if states_readiness(clean):
        return FREE  # "材料都齐了" after the timeline answer: how long, then
    if names_own_topic(clean, last_topic) is not None:
        return None  # "材料呢" after the staff answer asks about the materials
    if names_a_topic(clean) or named_topic_word(clean) or named_cell(clean):
        return NAMED
    return FREE if followup_topic(clean, last_topic) is None else None


def off_topic_on_its_own(
    intent: Optional[str], nearest_intent: Optional[str], fine_ranking: Sequence[Mapping[str, object]]
) -> bool:
    """The message is off-topic by its own reading, so no follow-up of the
    answer before it ("失眠怎么办", "ICP许可证怎么办理" after the annual-report
    answer): its nearest example in meaning is an out-of-scope one and the
    classifier heard no licence question in it, or the classifier itself puts
    it out of scope with some certainty. A short follow-up the classifier is
    unsure of ("使唔使開公司先", "what else do you need to know") is neither."""
    if nearest_intent == OUT_OF_SCOPE and intent not in QUESTION_INTENTS:
        return True
    top = fine_ranking[0] if fine_ranking else {}
    confidence = top.get("confidence")
    return (
        top.get("name") == OUT_OF_SCOPE
        and isinstance(confidence, (int, float))
        and float(confidence) >= MIN_OWN_OUT_OF_SCOPE
    )


def decision_stands(decided: Mapping[str, object]) -> bool:
    """A certain decision of licence/decision.py is not read again in context,
    except that a message is a question made of facet words ("超时了怎么办"):
    certainly a question, and which topic it asks is what the context tells."""
    return bool(decided.get("certain")) and decided.get("rule") not in CONTEXT_REFINES


def context_text(previous: Sequence[str]) -> str:
    """The user's previous messages (newest first) to put in front of the new
    one: the newest, and older ones while the context is still short."""
    taken: list[str] = []
    for text in previous[:MAX_PREVIOUS]:
        clean = text.strip()
        if not clean:
            continue
        taken.insert(0, clean)
        if sum(len(t) for t in taken) >= MIN_CONTEXT_CHARS:
            break
    return " ".join(taken)


@dataclass(frozen=True)
class Reread:
    """The topic the message is about in context, and how sure that reading is."""

    topic: str
    confidence: float


def _faq_confidences(ranking: Iterable[Mapping[str, object]]) -> dict[str, float]:
    found: dict[str, float] = {}
    for item in ranking:
        name = str(item.get("name") or "")
        if name.startswith(FAQ_PREFIX):
            value = item.get("confidence")
            found[name[len(FAQ_PREFIX) :]] = float(value) if isinstance(value, (int, float)) else 0.0
    return found


def reread(
    own_ranking: Iterable[Mapping[str, object]],
    context_ranking: Iterable[Mapping[str, object]],
    last_topic: str,
) -> Optional[Reread]:
    """``last_topic`` when the message read in context makes it the likeliest
    FAQ topic: its own confidence plus CONTEXT_WEIGHT times the context's
    beats every other topic's own confidence. Else None."""
    own = _faq_confidences(own_ranking)
    in_context = _faq_confidences(context_ranking).get(last_topic, 0.0)
    if in_context < MIN_CONTEXT_CONFIDENCE:
        return None
    score = own.pop(last_topic, 0.0) + CONTEXT_WEIGHT * in_context
    if any(confidence >= score for confidence in own.values()):
        return None
    return Reread(last_topic, in_context)


def reread_named(
    own_ranking: Sequence[Mapping[str, object]],
    context_ranking: Sequence[Mapping[str, object]],
    last_topic: str,
) -> Optional[Reread]:
    """``last_topic`` for a follow-up that names another topic's word in
    passing: the message alone hardly hears any topic but the last ("要是股东
    上了呢" after the credit answer; "有分公司的话还要交啥" after the materials)
    and in context the last topic comes first, clearly. A message that hears
    the topic it names, even faintly ("到期了咋整" after the validity answer:
    the renewal), keeps it: in context the question before would drown it."""
    own = _faq_confidences(own_ranking)
    own.pop(last_topic, None)
    if own and max(own.values()) >= MAX_OWN_NAMED:
        return None
    top = context_ranking[0] if context_ranking else {}
    confidence = top.get("confidence")
    if top.get("name") != f"{FAQ_PREFIX}{last_topic}" or not isinstance(confidence, (int, float)):
        return None
    return Reread(last_topic, float(confidence)) if confidence >= MIN_CONTEXT_NAMED else None


def reread_same(
    own_ranking: Sequence[Mapping[str, object]],
    context_ranking: Sequence[Mapping[str, object]],
    last_topic: str,
) -> Optional[Reread]:
    """``last_topic`` for a follow-up that asks the question before of another
    subject ("出租系统的也要吗" after the who-needs answer), when the reading in
    context puts it first: the subject's own topic (the system) is what the
    question is about, not what it asks."""
    del own_ranking  # the subject's topic is expected there, and does not count
    top = context_ranking[0] if context_ranking else {}
    confidence = top.get("confidence")
    if top.get("name") != f"{FAQ_PREFIX}{last_topic}" or not isinstance(confidence, (int, float)):
        return None
    return Reread(last_topic, float(confidence)) if confidence >= MIN_CONTEXT_CONFIDENCE else None
