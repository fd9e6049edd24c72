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
def _facet_patterns() -> Tuple[Tuple[str, re.Pattern[str]], ...]:
    patterns = []
    for facet, words in vocabulary()["asks"].items():
        alternatives = "|".join(re.escape(w.lower()) for w in longest_first(words))
        patterns.append((facet, re.compile(alternatives)))
    return tuple(patterns)


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
    """The first facet the message asks, and what is left of it without its
    facet words and fillers."""
    lowered = normalise(text).lower()
    found: Optional[str] = None
    for facet, pattern in _facet_patterns():
        if pattern.search(lowered):
            found = found or facet
            lowered = pattern.sub(" ", lowered)
    return found, _PUNCTUATION.sub("", _filler_pattern().sub(" ", lowered))


def facet_only(text: str) -> Optional[str]:
    """The facet a message asks about when it names nothing else ("要提前多久" ->
    "when"), else None. The first facet found counts."""
    found, residue = _facet_and_residue(text)
    if found is None:
        return None
    return found if len(residue) <= int(vocabulary()["followup_residue"]) else None


def names_a_facet(text: str) -> bool:
    """The message asks a facet ("多久", "找谁", "多少钱"), whatever else it says."""
    lowered = normalise(text).lower()
    return any(pattern.search(lowered) for _, pattern in _facet_patterns())


def cells() -> Dict[str, Dict[str, str]]:
    # topics.yml's table topic -> facet -> answer (tests/unit/test_followups.py checks it)
    return cast(Dict[str, Dict[str, str]], vocabulary()["cells"])


def followup_topic(text: str, last_topic: Optional[str]) -> Optional[str]:
    """The topic whose answer a facet-only follow-up of ``last_topic`` asks
    for, or None (not facet-only, no topic yet, or no such cell). A message
    whose residue is a topic word ("注销大概要多久" after the process answer:
    the two characters of 注销 fit in the residue a facet-only message may
    keep) names a topic of its own and is no follow-up of the last one."""
    if not last_topic:
        return None
    facet = facet_only(text)
    if facet is None:
        return None
    _, residue = _facet_and_residue(text)
    if residue in _topic_words():
        return None
    cell = cells().get(last_topic, {}).get(facet)
    named = _named_outside_facets(text)
    if named and cell not in named:
        # "有效期几年" after the cost answer: 有 is a filler, so 有效期 leaves a
        # two-character residue, but the message names the validity
        return None
    return cell


def _named_outside_facets(text: str) -> frozenset[str]:
    """The topics a message names by a topic word that is no facet word, once its
    facet words are taken out ("在哪个系统报" names no system: 在哪个系统 is a facet)."""
    lowered = normalise(text).lower()
    for _, pattern in _facet_patterns():
        lowered = pattern.sub(" ", lowered)
    spaced = f" {_spaced(lowered)} "
    words = _topic_words()
    return frozenset(words[w] for w in _topic_only_words() if len(w) > 1 and w in spaced)


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
                if cells().get(topic, {}).get(facet) == topic:
                    return topic
    return None


@lru_cache(maxsize=1)
def _topic_only_words() -> tuple[str, ...]:
    """The topic words that are no facet word as well (材料 is both)."""
    return tuple(word for word in _topic_words() if facet_only(word) is None)


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
