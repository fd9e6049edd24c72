"""The shape of a message, whatever it is about: unreadable text (keyboard
mashing, one character repeated, symbols alone, a bare link), a reply an
interview question may be waiting for (a number, a yes or a no), and where the
questions of a message begin and end (the questions of a message that asks two,
the question a long message ends in, an answer followed by a question).

licence/decision.py decides what kind of message it is from these and from the
domain's words; this module knows no word of the licence's domain except the
symbols that say something (``meaningful_symbols``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from licence.vocabulary import domain_words
from zhtext.replies import is_question, parse_yes_no

KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
VOWELS = frozenset("aeiouy")
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_LATIN_RUN = re.compile(r"[a-z]+")


def looks_like_a_reply(text: str) -> bool:
    """A number, or a yes or a no: what an interview question may be waiting for."""
    return any(ch.isdigit() for ch in text) or parse_yes_no(text) is not None


def last_sentence(text: str) -> str:
    sentences = [s for s in re.split(r"[。！!；;\n]+", text.strip()) if s.strip()]
    return sentences[-1] if sentences else text


@lru_cache(maxsize=1)
def _meaningful_symbols() -> frozenset[str]:
    return frozenset(domain_words("meaningful_symbols"))


def is_unreadable(text: str) -> bool:
    """True for text that says nothing a reader could act on (see the module).
    Blank text is not handled here: it has its own prompt."""
    stripped = "".join(text.split())
    if not stripped:
        return False
    if _URL.match(stripped):
        return True
    if any(symbol in stripped for symbol in _meaningful_symbols()):
        return False
    if not any(_is_word_character(ch) for ch in stripped):
        return True  # punctuation, symbols or emoji only
    if len(stripped) >= 4 and len(set(stripped.lower())) == 1:
        # one character repeated (啊啊啊啊, jjjjj, 6666), unless it is a reply (嗯嗯嗯嗯)
        return parse_yes_no(stripped[0]) is None
    return _is_keyboard_mashing(stripped)


def _is_word_character(ch: str) -> bool:
    return unicodedata.category(ch)[0] in ("L", "N")


def _is_keyboard_mashing(text: str) -> bool:
    """One run of Latin letters (with keyboard punctuation) that is no word:
    a stretch of one keyboard row ("asdfgh", "qwertyuiop") or four letters or
    more without a vowel ("sdjfkl;sdjf"; six, so that "thnks" stays a word)."""
    lowered = text.lower()
    if any(ord(ch) > 0x7F for ch in lowered) or any(ch.isdigit() for ch in lowered):
        return False
    runs = _LATIN_RUN.findall(lowered)
    if not runs or " " in text.strip():
        return False
    letters = "".join(runs)
    if len(letters) >= 6 and not VOWELS & set(letters):
        return True
    return any(_on_one_row(run) for run in runs if len(run) >= 5)


def _on_one_row(run: str) -> bool:
    return any(run in row or run in row[::-1] for row in KEYBOARD_ROWS)


# where one question may end and another begin
# (a space separates Chinese clauses, not English words)
_CLAUSE_BREAK = re.compile(r"[？?。！!；;\n，,、]+|(?<![a-zA-Z0-9])\s+|\s+(?![a-zA-Z0-9])")
MIN_CLAUSE_CHARS = 3


def question_clauses(text: str) -> list[str]:
    """The questions of a message that asks more than one, in order; an empty
    list when it asks one or none. A piece that is no question (a fact, a
    greeting) joins the question after it: "注册资本才80万，办省内的够吗" is
    one question."""
    clauses: list[str] = []
    pending = ""
    for piece in _CLAUSE_BREAK.split(text.strip()):
        if not piece:
            continue
        pending = f"{pending}，{piece}" if pending else piece
        if len(pending) >= MIN_CLAUSE_CHARS and is_question(pending):
            clauses.append(pending)
            pending = ""
    if pending and clauses:
        clauses[-1] = f"{clauses[-1]}，{pending}"
    return clauses if len(clauses) > 1 else []


# a message this long that ends in a question may describe the company first
MIN_DESCRIBED_MESSAGE_CHARS = 20
_SENTENCE_END = re.compile(r"(?<=[。！!？?；;\n])")
_CLAUSE_END = re.compile(r"(?<=[，,、])")


def last_question(text: str) -> str:
    """The question a long message ends in, when something comes before it
    ("我们是做金融客服外包的……想问一下，从递交材料到拿证大概要多久？"), else "".
    The last sentence counts (the last clause, in a message of one sentence);
    one too short to ask anything on its own ("是吗？") takes the one before it
    along."""
    clean = text.strip()
    if len(clean) < MIN_DESCRIBED_MESSAGE_CHARS:
        return ""
    sentences = [s.strip() for s in _SENTENCE_END.split(clean) if s.strip()]
    if len(sentences) < 2:
        sentences = [s.strip() for s in _CLAUSE_END.split(clean) if s.strip()]
    question = ""
    while sentences and len(question) < MIN_CLAUSE_CHARS * 3:
        question = sentences.pop() + question
    if not sentences or not is_question(question):
        return ""
    return question


def answer_then_question(text: str) -> tuple[str, str] | None:
    """("好像没有", "得去工商加吗") for an interview reply that answers and then
    asks something; None when the reply does not end in a question, or asks
    only ("注册资本要多少？"), or is one clause ("有的吧？")."""
    pieces = [p for p in _CLAUSE_BREAK.split(text.strip()) if p]
    if len(pieces) < 2 or is_question(pieces[0]) or not is_question(pieces[-1]):
        return None
    cut = next(i for i, piece in enumerate(pieces) if is_question(piece))
    return "，".join(pieces[:cut]), "，".join(pieces[cut:])
