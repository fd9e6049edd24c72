"""The cell of a follow-up that leaves the topic out: topic x facet.

"要提前多久" after the validity answer asks the *when* of that topic, and the
answer that holds it is the renewal one; "不报会怎样" after the annual-report
answer asks its *penalty*. A message is such a follow-up when it is made of
facet words and fillers alone (``facet_only``); the topic comes from the
conversation, and the table ``cells`` in licence/topics.yml says which answer
holds that facet of that topic. A message that names anything else is left to
the classifier ("那年报呢" names the annual report).

A follow-up made of one topic's word alone ("那社保呢") names that topic
(``named_topic_word``); one made of a topic word and facet words ("录音要留多久")
names that topic's cell of the facet (``named_cell``).

A message the classifier could not place at all, right after an answer, is
read with that answer when it is short and either asks something ("线上办吗")
or tells the user's own situation ("我们港方占70%"): ``continues_topic``."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, Iterable, Optional, Tuple, cast

from licence.topics import vocabulary
from zhtext.normalise import normalise
from zhtext.replies import is_question
from zhtext.vocabulary import longest_first, word_pattern

_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def _spaced(text: str) -> str:
    """Lower case, and punctuation and spaces as one space: how topic words and
    messages are compared ("articles of association" stays three words)."""
    return _PUNCTUATION.sub(" ", text.lower()).strip()


@lru_cache(maxsize=1)
def _facet_words() -> Tuple[re.Pattern[str], Dict[str, str]]:
    """One pattern of every facet word, longest first, and word -> facet: at
    each place the longest word is taken ("去哪里办" is one authority word,
    not the place word 哪里 and the rest)."""
    facet_of: Dict[str, str] = {}
    for facet, words in vocabulary()["asks"].items():
        for word in words:
            facet_of.setdefault(str(word).lower(), str(facet))
    alternatives = "|".join(re.escape(w) for w in longest_first(facet_of))
    return re.compile(alternatives), facet_of


def _words_pattern(raw: Iterable[object]) -> re.Pattern[str]:
    """Any of the words: Chinese ones anywhere, English ones as whole words."""
    words = longest_first(str(w).lower() for w in raw)
    latin = [w for w in words if w.isascii()]
    chinese = [w for w in words if not w.isascii()]
    parts = []
    if latin:
        parts.append(r"\b(?:" + "|".join(re.escape(w) for w in latin) + r")\b")
    if chinese:
        parts.append("|".join(re.escape(w) for w in chinese))
    return re.compile("|".join(parts))


@lru_cache(maxsize=1)
def _filler_pattern() -> re.Pattern[str]:
    return _words_pattern(vocabulary()["fillers"])


def _facet_and_residue(text: str) -> Tuple[Optional[str], str]:
    """The facet the message asks, and what is left of it without its facet
    words and fillers. The facet of the longest facet word counts; on a tie,
    the first."""
    found, rest = _facet_and_rest(text)
    rest = _amount_pattern().sub(" ", rest)
    return found, _PUNCTUATION.sub("", _filler_pattern().sub(" ", rest))


@lru_cache(maxsize=1)
def _amount_pattern() -> re.Pattern[str]:
    units = "|".join(re.escape(str(u).lower()) for u in longest_first(vocabulary()["amount_units"]))
    return re.compile(rf"\d+(?:\.\d+)?(?:\s*(?:{units}))*")


def _facet_and_rest(text: str) -> Tuple[Optional[str], str]:
    """The facet the message asks, and the message without its facet words."""
    lowered = _readiness_pattern().sub(" ", normalise(text).lower())
    pattern, facet_of = _facet_words()
    matches = [m.group(0) for m in pattern.finditer(lowered)]
    if not matches:
        return None, lowered
    longest = max(matches, key=len)
    return facet_of[longest], pattern.sub(" ", lowered)


@lru_cache(maxsize=1)
def _readiness_pattern() -> re.Pattern[str]:
    return _words_pattern(vocabulary()["readiness"])


def states_readiness(text: str) -> bool:
    """The message says where the user stands in the process ("材料都齐了",
    "材料齐的话呢"): a follow-up of the answer before it, not a materials question."""
    return bool(_readiness_pattern().search(normalise(text).lower()))


@lru_cache(maxsize=1)
def _same_question_pattern() -> re.Pattern[str]:
    return _words_pattern(vocabulary()["same_question"])


def asks_the_same(text: str) -> bool:
    """The message asks the question before again, of another subject
    ("出租系统的也要吗" after the who-needs answer)."""
    return bool(_same_question_pattern().search(normalise(text).lower()))


def condition_topic(last_topic: Optional[str], stated_slots: Iterable[str]) -> Optional[str]:
    """The condition a statement of the user's own asks about after an answer
    that covers them all ("我们是外资的" after the conditions answer ->
    "foreign"): the one FAQ topic of the interview slots it answers, else None."""
    if last_topic not in vocabulary()["umbrella_topics"]:
        return None
    table = cast(Dict[str, str], vocabulary()["condition_topics"])
    topics = {table[slot] for slot in stated_slots if slot in table}
    return topics.pop() if len(topics) == 1 else None


# the facet of "够不够": whether the user's own figure meets a condition
ENOUGH = "enough"


def asked_facet(text: str) -> Optional[str]:
    """The facet a message asks ("5个人够吗" -> "enough"), whatever else it says."""
    return _facet_and_rest(text)[0]


def facet_only(text: str) -> Optional[str]:
    """The facet a message asks about when it names nothing else ("要提前多久" ->
    "when"), else None."""
    found, residue = _facet_and_residue(text)
    if found is None:
        return None
    return found if len(residue) <= int(vocabulary()["followup_residue"]) else None


def names_a_facet(text: str) -> bool:
    """The message asks a facet ("多久", "找谁", "多少钱"), whatever else it says."""
    return asked_facet(text) is not None


def cells() -> Dict[str, Dict[str, str]]:
    # topics.yml's table topic -> facet -> answer (tests/unit/test_followups.py checks it)
    return cast(Dict[str, Dict[str, str]], vocabulary()["cells"])


def _named_cells() -> Dict[str, Dict[str, str]]:
    return cast(Dict[str, Dict[str, str]], vocabulary().get("named_cells") or {})


def followup_topic(text: str, last_topic: Optional[str]) -> Optional[str]:
    """The topic whose answer a facet-only follow-up of ``last_topic`` asks
    for, or None (not facet-only, no topic yet, or no such cell). A message
    that names a topic word besides its facet words ("注销大概要多久" after
    the process answer, "有效期几年" after the cost answer: a few characters
    fit in the residue a facet-only message may keep) is about that topic,
    not the last one."""
    if not last_topic:
        return None
    facet = facet_only(text)
    if facet is None:
        return None
    _, rest = _facet_and_rest(text)
    if _topic_only_word_pattern().search(f" {_spaced(rest)} "):
        return None
    return cells().get(last_topic, {}).get(facet)


_NUMBER = re.compile(r"[0-9%％]")


@lru_cache(maxsize=1)
def _situation_pattern() -> re.Pattern[str]:
    return _words_pattern(vocabulary()["situation"])


def continues_topic(text: str) -> bool:
    """A short question, or a short statement of the user's own situation
    (first person, a number, 其实/已经/只...): read with the last answer when
    the classifier could not place it."""
    clean = normalise(text).lower()
    if not clean or len(clean) > int(vocabulary()["continuation_max_chars"]):
        return False
    if is_question(clean):
        return True
    return bool(_NUMBER.search(clean) or _situation_pattern().search(clean))


@lru_cache(maxsize=1)
def _topic_words() -> Dict[str, str]:
    """Topic word -> topic, longest words first (注册资本 before 资本)."""
    table: Dict[str, str] = {}
    for topic, words in vocabulary()["topic_words"].items():
        for word in words:
            table[_spaced(str(word))] = str(topic)
    return {word: table[word] for word in longest_first(table)}


def named_cell(text: str) -> Optional[str]:
    """The topic a question names by one topic word and facet words alone
    ("录音要留多久" -> outbound, "续期要什么材料" -> renewal), when the ``cells``
    table says that topic's own answer holds the facet. None when the message
    says more than that, or another answer holds the facet: the table's other
    cells are for follow-ups that leave the topic out ("要提前多久" after the
    validity answer is the renewal one), while "有效期几年" asks the validity."""
    lowered = f" {_spaced(normalise(text))} "
    for word, topic in _topic_words().items():
        if word and word in lowered:
            rest = lowered.replace(word, " ", 1)
            if any(other in rest for other in _topic_only_words()):
                continue  # two topics named ("材料" is a facet too): the classifier decides
            facet = facet_only(rest)
            if facet is not None:
                if topic in (cells().get(topic, {}).get(facet), _named_cells().get(topic, {}).get(facet)):
                    return topic
    return None


def names_own_topic(text: str, last_topic: Optional[str]) -> Optional[str]:
    """The topic a follow-up of ``last_topic`` asks about by naming it alone
    ("材料呢" after the staff answer -> "materials") or with facet words that
    its own answer holds ("不做了怎么弄" after the annual report -> the
    cancellation), when that is another topic,
    no cell of the last topic claims the words ("要啥材料" after the renewal
    answer is the renewal's materials) and the word is not part of a
    supposition ("要是股东上了呢" after the credit answer stays on the credit)."""
    topic = named_topic_word(text) or named_cell(text)
    if topic is None or topic == last_topic or followup_topic(text, last_topic) is not None:
        return None
    if _supposition_pattern().search(f" {_spaced(normalise(text).lower())} "):
        return None
    return topic


@lru_cache(maxsize=1)
def _supposition_pattern() -> re.Pattern[str]:
    return _words_pattern(vocabulary()["suppositions"])


@lru_cache(maxsize=1)
def _topic_only_word_pattern() -> re.Pattern[str]:
    return word_pattern(tuple(word for word in _topic_only_words() if len(word) > 1))


@lru_cache(maxsize=1)
def _topic_only_words() -> tuple[str, ...]:
    """The topic words that are no facet word as well (材料 is both)."""
    return tuple(word for word in _topic_words() if facet_only(word) is None)


def the_named_topic(text: str) -> Optional[str]:
    """The one topic a message names in its words ("what conditions do we
    have to meet" -> conditions), compared word by word; None when it names
    none or several ("注册资本和社保有什么要求")."""
    lowered = f" {_spaced(normalise(text))} "
    found = set()
    for word, topic in _topic_words().items():
        spot = f" {word} " if word.isascii() else word
        if len(word) > 1 and spot in lowered:
            found.add(topic)
            lowered = lowered.replace(spot, "  ")
    return found.pop() if len(found) == 1 else None


def names_a_topic(text: str) -> bool:
    """The message holds a topic word ("社保", "articles of association"), compared
    word by word. One character ("人" of "人呢") names a topic only on its own,
    so it does not count here."""
    return bool(_topic_word_pattern().search(f" {_spaced(normalise(text))} "))


@lru_cache(maxsize=1)
def _topic_word_pattern() -> re.Pattern[str]:
    return word_pattern(tuple(word for word in _topic_words() if len(word) > 1))


def named_topic_word(text: str) -> Optional[str]:
    """The topic a follow-up made of one topic word and fillers names ("那社保呢"
    -> "staff", "香港公司呢" -> "individual"), else None. The topic word is taken
    out before the fillers, so that 年报 keeps the 报 a filler would take."""
    lowered = f" {_spaced(normalise(text))} "
    for word, topic in _topic_words().items():
        if word and word in lowered:
            rest = lowered.replace(word, " ", 1)
            if not _PUNCTUATION.sub("", _filler_pattern().sub(" ", rest)):
                return topic
    return None
