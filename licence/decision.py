"""What kind of message this is, decided once from the classifier's label and the text.

The classifier (components/classifier.py) ranks labels by wording; a few facts
about the text overrule that ranking, and they are all here so that one table
of tests (tests/unit/test_decision.py) describes them:

1. **Unreadable text is out of scope**, whatever it resembles: keyboard mashing
   ("asdfgh", "sdjfkl;sdjf"), one character repeated ("啊啊啊啊啊", "jjjjj"),
   punctuation or emoji alone ("。。。", "😂😂😂"), a bare link. The classifier
   would otherwise take "啊啊啊啊" for a yes and "😂😂" for a greeting, and a
   yes in the interview records an answer. Bare numbers are not unreadable:
   in the interview they are answers.
2. **A licence question that names only another licence is out of scope**
   ("我们做网店的，需要办EDI证吗"): the licence named decides, not the wording.
   A licence the EntityRuler does not know, named in words (``other_licence_words``:
   a software licence, bulk SMS), counts as another licence when the message
   names nothing of the call-centre licence ("Office许可快到期了咋续").
   So is a question on a near-domain subject the brief does not cover ("400电话
   怎么申请", "坐席工资一般多少"; ``near_domain_subjects`` in
   licence/data/vocabulary.yml) that does not name the licence itself. Both
   are certain, also where the classifier said out of scope already, so that
   "ICP证怎么办" right after an answer is never read as a follow-up of it.
3. **A question made of facet words alone is a question** ("不报会怎样",
   "要提前多久", "how much"), whatever its wording resembles (a no, a
   statement): the FAQ action answers it from the conversation's topic
   (licence/followups.py).
4. **A question that carries the company's facts is answered first**
   ("注册资本才80万，办省内的够吗"): a ``check_eligibility`` question that does
   not ask to be assessed in so many words, and states a fact or has an FAQ
   topic as a likely fine label, becomes ``faq``; so does a long message that
   describes the company and ends in a question on one sure topic
   (``last_question``). So does a need question
   that states a fact and has a likely topic but does not ask whether the
   licence is needed ("我们只在江苏做，得去工信部办？"), and a long statement
   (``inform``) that describes the company and ends in such a question. The
   assessment is offered after the answer (actions/faq.py).
5. **A request for a person is a handoff** ("人工客服在吗", read as a
   greeting for its 在吗): when the classifier heard chit-chat and the text
   asks for a person (``person_requests``), the user gets the handoff.
6. **A licence question is not small talk** ("有加急不" read as a yes, "得先改了
   再报？" as a goodbye, "那只能重新申请？" as starting over, "算了先问你吧，要多少
   注册资本" as stopping the interview): a question the classifier took for a
   greeting, thanks, a yes, a no, a restart or a stop, that names the licence,
   a step of getting it (``licence_process_words``) or one of its topics
   (``topic_words``), is a licence question. The FAQ action answers
   it, from the conversation's topic when no topic of its own is likely.
7. **A message like none of the bot's topics is out of scope**: when the
   training example nearest to it in meaning (components/relevance.py) is an
   out-of-scope one ("番茄炒蛋先放蛋还是先放番茄" read as a no, "translate
   thank you into Japanese" as thanks), and it names nothing of the licence's
   domain (``mentions_the_domain``) and is no short reply an interview could be
   waiting for (a number, a yes or a no). When the classifier says out of scope
   too, the rule confirms it and the decision is recorded as certain, so a
   message like "帮我订一张去上海的高铁票" right after an answer is never read as
   a follow-up of it (licence/context.py); a place named in it is then no fact.
   So is a message the classifier puts out of scope with its likeliest fine
   label, that names no topic and no licence, asks no facet alone and is no
   bare reply (``off_topic``: "新来的客服怎么培训", "公司银行账户被冻结了咋办"),
   whatever its nearest example: a word of the business in passing does not
   make it a follow-up.
8. **A question on a topic of the licence is no out-of-scope question**
   ("内地子公司注册资本要多少"): when the classifier says out of scope but the
   message asks, names a topic (``topic_words``) and its likeliest fine label
   is an FAQ topic, it is an FAQ question; another licence named keeps it out.
9. **Facts without a question are a statement** ("我们就5个人交社保" read as a
   request to be assessed): ``inform``, which the action decides with the
   conversation (actions/verdict.py, ActionHandleInform).

Context (the requested slot, the last topic) is read where it is known, in the
actions: ``licence.followups`` picks the cell of a follow-up.

The shape of a message (unreadable text, reply-likeness, where its questions
begin and end) is licence/message_shape.py's: ``question_clauses`` finds the
questions of a message that asks two ("办哪种证，找谁办"), which the classifier
labels one by one (components/classifier.py) and the FAQ action answers each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from licence.followups import facet_only, named_cell, names_a_facet, names_a_topic
from licence.message_shape import is_unreadable, last_sentence, looks_like_a_reply
from licence.vocabulary import domain_words
from zhtext.normalise import normalise
from zhtext.replies import is_bare_yes_no, is_question
from zhtext.vocabulary import word_pattern

OUT_OF_SCOPE = "out_of_scope"
FAQ = "faq"
ASSESSMENT = "check_eligibility"
STATEMENT = "inform"
STOP = "stop_interview"
# intents a facet-only question keeps (they have their own handling)
KEEP_FACET_QUESTION = frozenset({"faq", "followup", "human_handoff", STOP})
# intents a question carrying the company's facts is taken for
NEED = "check_need"
ANSWER_FIRST_INTENTS = frozenset({ASSESSMENT, "inform", NEED})
# a message that answers this many interview questions and asks whether the
# company can apply is a request to be assessed (see asks_whether_eligible)
MIN_ANSWERS_FOR_ASSESSMENT = 3
_CLAUSE_BREAK_RE = re.compile(r"[,，。！!；;?？\s]+")
# a statement this long that ends in a question is a question (see answers_first)
MIN_DESCRIBED_QUESTION_CHARS = 15
# labels of chit-chat, under which a request for a person may hide
CHAT_INTENTS = frozenset({"greet", "goodbye", "thank", "bot_challenge", "affirm", "deny", "out_of_scope"})
HANDOFF = "human_handoff"
# "why?": why the bot asks a question, or why it has no verdict yet
ASK_WHY = "ask_why"
# labels of small talk, and the restart command, that a licence question may
# be taken for ("那只能重新申请？" is no request to start over)
SMALL_TALK_INTENTS = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "restart", STOP})
# intents whose message is a question about a licence
LICENCE_QUESTIONS = frozenset({"check_need", "check_eligibility", "faq", "followup"})
# ...and those a question naming only another licence is taken out of (the
# classifier's own out of scope too, so that the decision is certain)
OTHER_LICENCE_INTENTS = LICENCE_QUESTIONS | {OUT_OF_SCOPE}


@dataclass(frozen=True)
class Signals:
    """What the NLU found in one message, besides its label."""

    text: str
    intent: str
    names_only_another_licence: bool = False
    states_fact: bool = False
    likely_faq_topic: bool = False
    # the intent of the training example nearest in meaning ("" when unknown)
    nearest_intent: str = ""
    # the message names the call-centre licence or its business (EntityRuler)
    names_own_licence: bool = False
    # the question a long message ends in (``last_question``), and its FAQ
    # label when the classifier is sure of it on its own ("" otherwise)
    last_question: str = ""
    last_question_topic: str = ""
    # the few likeliest fine labels of the whole message, best first
    top_fine_labels: tuple[str, ...] = ()
    # how many interview questions the message answers outright (licence/reading.py)
    stated_answers: int = 0


@dataclass(frozen=True)
class Decision:
    intent: str
    # which rule overruled the classifier (None: none did); "unreadable",
    # "facet_question" and "person_request" are certain whatever its confidence
    rule: str | None = None


def decide_intent(signals: Signals) -> Decision:
    """The message's intent: the classifier's, unless a rule above overrules it."""
    if is_unreadable(signals.text):
        return Decision(OUT_OF_SCOPE, "unreadable")
    if signals.intent in OTHER_LICENCE_INTENTS and names_only_another_licence(signals):
        return Decision(OUT_OF_SCOPE, "another_licence")
    if signals.intent in CHAT_INTENTS and asks_for_a_person(signals.text):
        return Decision(HANDOFF, "person_request")
    if signals.intent == HANDOFF and asks_for_a_person(signals.text):
        return Decision(HANDOFF)
    if signals.intent != STOP and is_near_domain(signals.text):
        return Decision(OUT_OF_SCOPE, "near_domain")
    if signals.intent == OUT_OF_SCOPE and asks_a_domain_question(signals):
        return Decision(FAQ, "domain_question")
    if is_unrelated(signals):
        return Decision(OUT_OF_SCOPE, "unrelated")
    if signals.intent == OUT_OF_SCOPE and is_plainly_off_topic(signals):
        return Decision(OUT_OF_SCOPE, "off_topic")
    if signals.intent not in KEEP_FACET_QUESTION and facet_only(signals.text):
        return Decision(FAQ, "facet_question")
    if signals.intent in SMALL_TALK_INTENTS and asks_about_the_licence(signals.text, signals.intent):
        return Decision(FAQ, "licence_question")
    if signals.intent == ASK_WHY and names_the_licence(signals.text):
        return Decision(FAQ, "licence_question")
    if signals.intent in SMALL_TALK_INTENTS and asks_about_own_figure(signals):
        return Decision(FAQ, "figure_question")
    if signals.intent in ANSWER_FIRST_INTENTS | {FAQ} and asks_whether_eligible(signals):
        return Decision(ASSESSMENT, "described_assessment")
    if signals.intent in ANSWER_FIRST_INTENTS and answers_first(signals):
        return Decision(FAQ, "answer_first")
    if signals.intent in ANSWER_FIRST_INTENTS and asks_one_topic_after_describing(signals):
        return Decision(FAQ, "described_question")
    if signals.intent == ASSESSMENT and states_facts_only(signals):
        return Decision(STATEMENT, "facts_statement")
    return Decision(signals.intent)


def names_only_another_licence(signals: Signals) -> bool:
    """Rule 2: another licence named (the EntityRuler's label, or in
    ``other_licence_words``) and nothing of the call-centre licence."""
    if signals.names_only_another_licence:
        return True
    if signals.names_own_licence:
        return False
    return bool(_other_licence_pattern().search(normalise(signals.text).lower()))


@lru_cache(maxsize=1)
def _other_licence_pattern() -> re.Pattern[str]:
    return word_pattern(domain_words("other_licence_words"))


def is_unrelated(signals: Signals) -> bool:
    """Rule 7: nearest in meaning to an out-of-scope example, and nothing in it
    ties it to the licence or to an interview answer."""
    if signals.nearest_intent != OUT_OF_SCOPE or signals.names_own_licence:
        return False
    if signals.states_fact and signals.intent != OUT_OF_SCOPE:
        return False  # "我们在深圳": an answer; but a city in a train booking is none
    if facet_only(signals.text):
        return False  # "要點改": a follow-up, whatever it resembles (rule 3)
    return not mentions_the_domain(signals.text) and not looks_like_a_reply(signals.text)


def is_plainly_off_topic(signals: Signals) -> bool:
    """Rule 7, from the classifier: it says out of scope, its likeliest fine
    label is out of scope too, and the message names no topic of the licence,
    no licence, asks no facet alone and is no bare reply ("客服同事过生日送什么
    礼物好", "公司银行账户被冻结了咋办"). A word of the business in passing (客服)
    or of doing something (办, 报) does not tie it to the licence. Certain, so
    that it is never read in context as a follow-up of the last answer."""
    if not signals.top_fine_labels or signals.top_fine_labels[0] != OUT_OF_SCOPE:
        return False
    text = signals.text
    if facet_only(text) or names_a_topic(text) or _licence_word_pattern().search(normalise(text).lower()):
        return False
    return is_question(text) or not looks_like_a_reply(text)


@lru_cache(maxsize=1)
def _licence_word_pattern() -> re.Pattern[str]:
    return word_pattern(domain_words("licence_words"))


def asks_a_domain_question(signals: Signals) -> bool:
    """Rule 8: a question the classifier put out of scope, although it names a
    topic of the licence and its likeliest fine label is that kind of question
    ("内地子公司注册资本要多少"). Another licence named keeps it out of scope."""
    if names_only_another_licence(signals) or not is_question(signals.text) or is_near_domain(signals.text):
        return False
    if not signals.top_fine_labels or not signals.top_fine_labels[0].startswith(f"{FAQ}/"):
        return False
    return names_a_topic(signals.text)


def mentions_the_domain(text: str) -> bool:
    """A word of the licence, of applying for it, or of one of its topics
    ("证", "年报", "社保", "外呼"): the message is about the domain, whatever
    else it resembles."""
    return bool(_licence_topic_pattern().search(normalise(text).lower())) or names_a_topic(text)


def states_facts_only(signals: Signals) -> bool:
    """ "我们就5个人交社保": facts, no question and no request to be assessed.
    What it asks for depends on the conversation (after the staff answer, that
    answer computed from them; otherwise the interview, started with them),
    so it is a statement for the action that knows the conversation."""
    return signals.states_fact and not is_question(signals.text) and not asks_for_assessment(signals.text)


def asks_one_topic_after_describing(signals: Signals) -> bool:
    """Rule 4, for a long message: the company described, then one question on
    one topic ("……材料这周能交上去。想知道从提交到拿证一般总共要多长时间？").
    The description makes the whole read as a need check or an assessment
    request; the question alone, when it has a sure topic and asks neither
    whether the licence is needed nor to be assessed, is what is asked."""
    question = signals.last_question
    if not question or not signals.last_question_topic or asks_for_assessment(question):
        return False
    if signals.last_question_topic not in signals.top_fine_labels:
        return False  # the whole message does not hint at that topic at all
    # "需要多长时间" asks how long, not whether the licence is needed
    return not asks_whether_needed(question) or names_a_facet(question)


def answers_first(signals: Signals) -> bool:
    if not is_question(signals.text) or asks_for_assessment(signals.text):
        return False
    if signals.intent == ASSESSMENT:
        return signals.states_fact or signals.likely_faq_topic
    if signals.intent == NEED:
        # "我们只在江苏做，得去工信部办？": where the company works, and a question
        # on a topic, but no asking whether the licence is needed at all
        return signals.states_fact and signals.likely_faq_topic and not asks_whether_needed(signals.text)
    # a statement that ends in a question: a long message that describes the
    # company first and then asks one thing (a short one is an interview answer)
    return (
        len(signals.text) >= MIN_DESCRIBED_QUESTION_CHARS
        and signals.likely_faq_topic
        and is_question(last_sentence(signals.text))
    )


def asks_whether_eligible(signals: Signals) -> bool:
    """ "我们公司在广州，注册资本200万，有5个人交社保，经营范围有增值电信业务。能申请
    地网吗": the company described by several interview answers, then asked
    whether it can apply at all, naming no one topic: the interview, started
    with those answers (a single fact asked about is answered first)."""
    if signals.stated_answers < MIN_ANSWERS_FOR_ASSESSMENT or not is_question(signals.text):
        return False
    last = final_clause(signals.text)
    return bool(_eligible_pattern().search(normalise(last).lower())) and not names_a_topic(last)


def final_clause(text: str) -> str:
    clauses = [c for c in _CLAUSE_BREAK_RE.split(text) if c.strip()]
    return clauses[-1] if clauses else text


@lru_cache(maxsize=1)
def _eligible_pattern() -> re.Pattern[str]:
    return word_pattern(domain_words("eligibility_questions"))


def asks_whether_needed(text: str) -> bool:
    """ "需要办证吗", "要不要这个证": the user asks whether the licence is needed."""
    return bool(_need_pattern().search(normalise(text).lower()))


@lru_cache(maxsize=1)
def _need_pattern() -> re.Pattern[str]:
    return word_pattern(domain_words("need_question"))


def asks_for_assessment(text: str) -> bool:
    """ "帮我评估一下…", "can we qualify…": the user wants the interview itself."""
    return bool(_assessment_pattern().search(normalise(text).lower()))


@lru_cache(maxsize=1)
def _assessment_pattern() -> re.Pattern[str]:
    return word_pattern(domain_words("assessment_request"))


def asks_about_the_licence(text: str, intent: str = "") -> bool:
    """ "有加急不", "唔辦會點", "不做了怎么弄": a question naming the licence, a step
    of it or one of its topics. Taken for a stop of the interview, a topic word
    counts only as the whole question with its facet ("不做了怎么弄" asks the
    cancellation; "不做了，直接告诉我结果吗" stops the interview)."""
    if not is_question(text):
        return False
    if _licence_topic_pattern().search(normalise(text).lower()):
        return True
    return named_cell(text) is not None if intent == STOP else names_a_topic(text)


def names_the_licence(text: str) -> bool:
    """ "为啥现在招投标老要这个证": a "why" that names the licence or a step of it
    asks about the licence, not why the bot asks or has no verdict yet."""
    return bool(_licence_word_pattern().search(normalise(text).lower()))


def asks_about_own_figure(signals: Signals) -> bool:
    """ "要是增资到一千万就够了对吧": a question about the user's own figure is no
    yes, however it ends; a bare "对吧" or "好吧" is one."""
    return signals.states_fact and is_question(signals.text) and not is_bare_yes_no(signals.text)


@lru_cache(maxsize=1)
def _licence_topic_pattern() -> re.Pattern[str]:
    return word_pattern(domain_words("licence_words") + domain_words("licence_process_words"))


def asks_for_a_person(text: str) -> bool:
    """ "人工客服在吗", "转人工", "real person please": the user wants a human."""
    return bool(_person_pattern().search(normalise(text).lower()))


@lru_cache(maxsize=1)
def _person_pattern() -> re.Pattern[str]:
    return word_pattern(domain_words("person_requests"))


@lru_cache(maxsize=1)
def _near_domain_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    subjects = "|".join(f"(?:{p})" for p in domain_words("near_domain_subjects"))
    licence = "|".join(
        [re.escape(word) for word in domain_words("licence_words")]
        + [f"(?:{p})" for p in domain_words("near_domain_but_licence")]
    )
    return re.compile(subjects), re.compile(licence), word_pattern(domain_words("not_licence_words"))


def is_near_domain(text: str) -> bool:
    """A question on a subject next to the licence that the brief does not
    cover, and that does not name the licence itself (认证, 证件 name none),
    its 95/96 numbers or its conditions."""
    clean = normalise(text).lower()
    subjects, licence, not_licence = _near_domain_patterns()
    return (
        bool(subjects.search(clean)) and not licence.search(not_licence.sub(" ", clean)) and is_question(text)
    )
