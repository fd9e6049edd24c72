"""How a reply reads: yes or no, "don't know", a question, and its negations.

Every reader takes raw user text, normalises it itself (``zhtext.normalise``)
and never raises on any ``str``. The words and patterns are the ``yes_no``,
``unknown``, ``question`` and ``negation`` sections of ``vocabulary.yml``,
Mandarin, Cantonese (after ``normalise``) and English alike.
"""

from __future__ import annotations

import functools
import re

from zhtext.normalise import normalise, strip_fillers
from zhtext.vocabulary import load_vocabulary, longest_first, vocabulary_words, word_pattern

# what separates English words (apostrophes stay: "don't")
_NOT_WORD = re.compile(r"[^\w']+")

__all__ = ["parse_yes_no", "is_bare_yes_no", "is_unknown", "is_question", "negation_count"]

_PREFIX_SINGLE_CHARS = frozenset("有是没不无未否嗯")


def _whole_yes_no(text: str) -> bool | None:
    """``text`` is exactly a yes/no word once trailing particles are removed
    (有的 -> True, 还没呢 -> False); ``None`` otherwise."""
    affirmative = set(vocabulary_words("yes_no", "affirmative"))
    negative = set(vocabulary_words("yes_no", "negative"))
    trailing = vocabulary_words("yes_no", "trailing_particles")
    candidate = text
    while candidate:
        if candidate in negative:
            return False
        if candidate in affirmative:
            return True
        particle = next((p for p in trailing if candidate.endswith(p) and p != candidate), None)
        if particle is None:
            return None
        candidate = candidate[: -len(particle)]
    return None


def _yes_no_lookup(text: str) -> bool | None:
    whole = _whole_yes_no(text)
    if whole is not None:
        return whole
    affirmative = set(vocabulary_words("yes_no", "affirmative"))
    negative = set(vocabulary_words("yes_no", "negative"))
    for word in longest_first(affirmative | negative):
        if len(word) == 1 and word not in _PREFIX_SINGLE_CHARS:
            continue
        if not text.startswith(word):
            continue
        following = text[len(word) : len(word) + 1]
        if word.isascii() and following.isascii() and following.isalpha():
            continue  # "no" is not a prefix of "now"
        return word not in negative
    return None


def is_bare_yes_no(text: str) -> bool:
    """The whole message is a yes/no word, give or take fillers and particles
    ("没有", "有的", "嗯嗯", "还没呢"), not a clause that starts with one and goes on
    ("没有场地", "有，租的"): the first is affirm/deny, the second an answer with content."""
    prepared = normalise(text).lower()
    if not prepared or is_unknown(prepared):
        return False
    # with and without the leading fillers: 嗯 is a filler before 有 but 嗯呢 is a yes
    for candidate in (re.sub(r"[\W_]+", "", prepared), strip_fillers(prepared)):
        half = len(candidate) // 2
        if len(candidate) % 2 == 0 and candidate[:half] == candidate[half:]:
            candidate = candidate[:half]  # 是的是的, 没有没有
        if _whole_yes_no(candidate) is not None:
            return True
    return False


def parse_yes_no(text: str) -> bool | None:
    """True for yes (有, 是的, 对, 嗯, 可以, 已经有了, 当然 ...), False for no
    (没有, 没, 无, 不是, 否, 还没, 暂时没有, 木有 ...), ``None`` when the text is
    not a yes/no answer (including "不清楚" and other "don't know" answers).

    A clause that starts with a yes/no word counts ("有，租的" -> True,
    "没有办公室" -> False).
    """
    prepared = normalise(text).lower()
    if not prepared or is_unknown(prepared):
        return None
    english = _english_yes_no(prepared)
    if english is not None:
        return english
    return _yes_no_lookup(strip_fillers(prepared))


@functools.lru_cache(maxsize=1)
def _english_yes_no_re() -> tuple[re.Pattern[str], frozenset[str]]:
    negative = {w for w in vocabulary_words("yes_no", "negative") if w.isascii()}
    words = longest_first(
        w for w in vocabulary_words("yes_no", "affirmative") + tuple(negative) if w.isascii()
    )
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"^(?:(?:well|so|uh|um|hmm|oh)[\s,]+)?({alternatives})\b"), frozenset(negative)


def _english_yes_no(prepared: str) -> bool | None:
    """An English reply that opens with a yes/no phrase, read before the
    punctuation and spaces are stripped ("yes we rent an office" -> True,
    "not yet, we'd need to add it" -> False)."""
    pattern, negative = _english_yes_no_re()
    match = pattern.match(prepared)
    if match is None:
        return None
    return match.group(1) not in negative


def is_unknown(text: str) -> bool:
    """The user says they do not know (不清楚, 不知道, 说不好, 忘了, idk ...)."""
    prepared = normalise(text).lower()
    return any(word in prepared for word in vocabulary_words("unknown"))


@functools.lru_cache(maxsize=1)
def _question_patterns() -> tuple[re.Pattern[str], ...]:
    section = load_vocabulary()["question"]
    patterns = [re.compile(str(pattern)) for pattern in section["patterns"]]
    latin = [word for word in vocabulary_words("question", "markers") if word.isascii() and word.isalpha()]
    if latin:
        patterns.append(re.compile(r"\b(?:" + "|".join(map(re.escape, latin)) + r")\b"))
    return tuple(patterns)


def is_question(text: str) -> bool:
    """The clause asks something (吗, ?, 什么, 多少, 怎么, 是否, 几, 有没有 ...).

    A trailing 呢 only makes a question when what precedes it is not an
    answer: "还没有呢" is an answer, "那全网呢" a question.
    """
    prepared = normalise(text).lower()
    if not prepared:
        return False
    prepared = word_pattern(vocabulary_words("question", "exceptions")).sub(" ", prepared)
    markers = [w for w in vocabulary_words("question", "markers") if not (w.isascii() and w.isalpha())]
    if any(marker in prepared for marker in markers):
        return True
    if any(pattern.search(prepared) for pattern in _question_patterns()):
        return True
    stripped = re.sub(r"[\W_]+$", "", prepared)
    particle = next((p for p in vocabulary_words("question", "trailing") if stripped.endswith(p)), None)
    if particle is not None:
        rest = stripped[: -len(particle)]
        if not rest:
            return False
        return _yes_no_lookup(strip_fillers(rest)) is None and not is_unknown(rest)
    return False


def negation_count(text: str) -> int:
    """How many negations (没有, 不, 无, 未, 非 ...) ``text`` holds, ignoring
    words that only look negative (不良, 非常, 无锡, 没问题 ...)."""
    masked = word_pattern(vocabulary_words("negation", "exceptions")).sub(" ", text.lower())
    spaced = f" {_NOT_WORD.sub(' ', masked)} "  # "no foreign shareholders" -> " no foreign shareholders "
    return len(word_pattern(vocabulary_words("negation", "words")).findall(spaced))
