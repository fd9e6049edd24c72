"""Read interview answers out of one user message.

``extract_answers(text, requested_slot)`` returns an :class:`Extraction`:
``values`` maps interview slots (names and value types as in the shared
contract) to what the message says about them, and ``problems`` maps a slot
to the reason a number the user gave cannot be used.

How a message is read
- It is normalised and split into clauses at punctuation and at 但/但是/不过.
  A clause that is a question gives no answer (``asked_question`` is set so
  the caller can answer it); a clause that says "don't know" gives
  ``"unknown"`` for the slots it names, or else for the requested slot.
- Explicit mentions fill their slots wherever they appear: an amount with a
  unit or a capital cue -> registered_capital (not one about fines, fees,
  salaries or paid-in capital); a count with a staff cue -> insured_staff;
  全网/地网 words -> coverage; a province or city -> province (only in a
  clause that states coverage, or when nothing, coverage, province or
  is_company was asked: "有，在深圳" about the office does not move the
  licence to 广东);
  company-type words -> is_company; cue words for the other yes/no slots,
  with negation read around them ("没有外资" -> foreign_investment False).
- A clause with no explicit mention answers the requested slot: yes/no for a
  yes/no slot (yes -> True for every slot, whatever the slot's wording), a
  bare number for registered_capital (万) or insured_staff.
- Later clauses win, so "刚才说错了，注册资本是800万" corrects an earlier value.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from licence.cues import boolean_mentions, foreign_ownership
from licence.limits import count_value_problem, money_value_problem
from licence.slots import BOOLEAN_SLOTS, NUMERIC_SLOTS, PROBLEM_CODES, SLOTS, UNKNOWN
from licence.vocabulary import domain_words
from zhtext.normalise import normalise, strip_fillers
from zhtext.numbers import NUMBER_RUN_PATTERN, find_money, parse_count, remove_thousands_separators
from zhtext.places import (
    NATIONWIDE,
    SINGLE_PROVINCE,
    find_provinces,
    parse_coverage,
    parse_province,
    province_mentions,
)
from zhtext.replies import is_question, is_unknown, parse_yes_no
from zhtext.vocabulary import vocabulary_words, word_pattern

__all__ = [
    "SLOTS",
    "BOOLEAN_SLOTS",
    "NUMERIC_SLOTS",
    "UNKNOWN",
    "PROBLEM_CODES",
    "Extraction",
    "extract_answers",
    "split_clauses",
]


@dataclass(frozen=True)
class Extraction:
    """What one message says.

    values: slot -> value (contract types: "全网"/"地网", province short name,
        bool, float 万元, int, or ``"unknown"``).
    problems: slot -> one of ``PROBLEM_CODES`` when the user gave an unusable
        number (negative, zero, absurdly large) or, for the requested numeric
        slot, no number at all. A slot is never in both.
    asked_question: some clause of the message is a question.
    """

    values: dict[str, object] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    asked_question: bool = False


# --------------------------------------------------------------------------
# Vocabulary-derived matchers


def _words(*path: str) -> tuple[str, ...]:
    return domain_words(*path)


@functools.lru_cache(maxsize=1)
def _clause_split_re() -> re.Pattern[str]:
    breakers = "|".join(re.escape(word) for word in _words("clause_breakers"))
    # Keep "?" with its clause; never split a decimal point or a date's dots.
    return re.compile(rf"(?<=\?)|[,。;!~…\n]|(?<!\d)\.|\.(?!\d)|{breakers}")


# Requested slots under which a province named anywhere is taken as the answer.
_PROVINCE_CONTEXT: frozenset[str | None] = frozenset({None, "coverage", "province", "is_company"})
_QUESTION_END_RE = re.compile(r"[?吗]\s*$")


def split_clauses(text: str) -> list[str]:
    """Clauses of already-normalised ``text``: split at , 。 ; ! ? and at
    但/但是/不过 (a "?" stays with its clause; decimals and dates are kept)."""
    text = remove_thousands_separators(text)
    return [clause.strip() for clause in _clause_split_re().split(text) if clause and clause.strip()]


# --------------------------------------------------------------------------
# Reading one clause


@dataclass
class _Reading:
    values: dict[str, object] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def money(self, wan: float) -> None:
        problem = money_value_problem(wan)
        if problem is None:
            self.values["registered_capital"] = wan
        else:
            self.problems["registered_capital"] = problem

    def count(self, count: int) -> None:
        problem = count_value_problem(count)
        if problem is None:
            self.values["insured_staff"] = count
        else:
            self.problems["insured_staff"] = problem

    @property
    def empty(self) -> bool:
        return not self.values and not self.problems


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


# "是三百万不是三千万": the amount after 不是 is the one being corrected away.
_NOT_THIS_AMOUNT_RE = re.compile(rf"(?:而|并)?不是\s*{NUMBER_RUN_PATTERN}\s*(?:万|亿|w|元|块)*")


def _explicit(clause: str, requested: str | None, owners_named: bool = False) -> _Reading:
    """Everything ``clause`` states outright, whatever was asked."""
    reading = _Reading()
    lowered = clause.lower()

    money = find_money(_NOT_THIS_AMOUNT_RE.sub(" ", clause))
    other_money_pattern = word_pattern(_words("other_money_cues"))
    other_money = bool(other_money_pattern.search(lowered))
    # "实缴资本" holds the capital cue "资本" but is paid-in capital: mask it first.
    capital_cue = _has_any(other_money_pattern.sub(" ", lowered), _words("capital_cues"))
    if money is not None and (capital_cue or (money.has_unit and not other_money)):
        reading.money(money.wan)

    if _has_any(lowered, vocabulary_words("staff_cues")):
        count = parse_count(clause)
        if count is not None:
            reading.count(count)

    coverage = parse_coverage(clause)
    if coverage is not None:
        reading.values["coverage"] = coverage

    # A place named in passing while another question is open ("有，在深圳"
    # about the office) must not move the licence to another province.
    foreign_owner = foreign_ownership(lowered)
    if requested in _PROVINCE_CONTEXT or coverage is not None:
        named = {m.short for m in province_mentions(clause) if not m.negated}
        if foreign_owner is not None:  # "香港股东" says who owns it, not where it is
            named -= set(_words("foreign_places"))
        if len(named) == 1:  # "北京和上海" names no single province
            reading.values["province"] = named.pop()

    reading.values.update(boolean_mentions(lowered, requested, owners_named))
    if reading.values.get("business_scope_ok") is True and _names_only_another_scope(lowered):
        # "经营范围只写了软件开发": the scope is named, and holds something else only
        reading.values["business_scope_ok"] = False
    if foreign_owner is not None:
        reading.values["foreign_investment"] = foreign_owner
    return reading


def _names_only_another_scope(lowered: str) -> bool:
    """The clause says the business scope holds only something else: a
    restricting word of the scope question's replies, and no telecom word."""
    restricting = _words("reply_cues", "business_scope_ok", "deny")
    return _has_any(lowered, restricting) and not _has_any(lowered, _words("telecom_scope_words"))


def _bare(clause: str, requested: str) -> _Reading:
    """``clause`` as a direct answer to the question about ``requested``."""
    reading = _Reading()
    if requested in BOOLEAN_SLOTS:
        answer = parse_yes_no(clause)
        if answer is not None:
            reading.values[requested] = answer
    elif requested == "registered_capital":
        money = find_money(clause)
        if money is not None:
            reading.money(money.wan)
    elif requested == "insured_staff":
        count = parse_count(clause)
        if count is None and (parse_yes_no(clause) is False or _has_any(clause, _words("staff_none"))):
            count = 0  # "没有" / "还没有人交社保" / "暂时还没给员工交社保"
        elif count is None and _has_any(clause, _words("staff_only_me")):
            count = 1  # "只有我自己交了"
        if count is not None:
            reading.count(count)
    elif requested == "province":
        province = parse_province(clause)
        if province is not None:
            reading.values["province"] = province
    elif requested == "coverage":
        coverage = parse_coverage(clause)
        if coverage is not None:
            reading.values["coverage"] = coverage
    return reading


def _leading_reply(clause: str, requested: str | None) -> list[str]:
    """ "没有 纯内资", "没有没有 我们一直合规经营的": a bare yes or no set off by a
    space is a clause of its own (it answers the question asked, and a
    negation in it does not flip the remark after it)."""
    words = clause.split()
    if len(words) < 2 or words[0].isascii():  # "no foreign shareholders" is one phrase
        return [clause]
    if parse_yes_no(words[0]) is None or not _explicit(words[0], requested).empty:
        return [clause]
    return [words[0], " ".join(words[1:])]


def _unknown_slots(clause: str, requested: str | None) -> list[str]:
    """Slots a "don't know" clause is about: those it names, else the requested one."""
    lowered = clause.lower()
    named = [slot for slot in boolean_mentions(lowered, requested)]
    if _has_any(lowered, _words("capital_cues")):
        named.append("registered_capital")
    if _has_any(lowered, vocabulary_words("staff_cues")):
        named.append("insured_staff")
    if named:
        return named
    return [requested] if requested else []


# A space between two Chinese characters, where users who type no commas end a clause.
_CHINESE_SPACE_RE = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _question_parts(clause: str) -> list[str]:
    """ "我司在杭州 有场地有系统 资本500万 你看能不能申请": a question whose
    statements are set off by spaces, not commas, keeps them as clauses of
    their own (only the question part is no answer). Other clauses are kept
    whole: "不是 全网" is one statement."""
    if not is_question(clause):
        return [clause]
    parts = [part for part in _CHINESE_SPACE_RE.split(clause) if part.strip()]
    return parts if len(parts) > 1 else [clause]


def _is_correction_marker(clause: str) -> bool:
    stripped = strip_fillers(clause.lower())
    markers = word_pattern(_words("correction_markers"))
    return bool(stripped) and not markers.sub("", stripped)


# --------------------------------------------------------------------------
# The message


def extract_answers(
    text: str,
    requested_slot: str | None,
    today: dt.date | None = None,
) -> Extraction:
    """Interview answers in one user message; see the module docstring.

    ``requested_slot`` is the slot the bot just asked about (or ``None``).
    ``today`` is accepted for callers that pass the conversation's date; no
    interview slot is a date yet, so it does not change the result.
    Never raises on a ``str``.
    """
    del today  # reserved: no interview slot holds a date
    requested = requested_slot if requested_slot in SLOTS else None
    normalised = normalise(text)
    clauses = [
        part
        for clause in split_clauses(normalised)
        for spaced in _question_parts(clause)
        for part in _leading_reply(spaced, requested)
    ]
    values: dict[str, object] = {}
    problems: dict[str, str] = {}
    asked_question = False
    owners_named = _has_any(normalised.lower(), _words("ownership_words"))

    def merge(reading: _Reading) -> None:
        for slot, value in reading.values.items():
            values[slot] = value
            problems.pop(slot, None)
        for slot, problem in reading.problems.items():
            if slot in values and not corrected:
                continue  # "没有没有，信用好得很": a clause that says nothing clear keeps the answer
            problems[slot] = problem
            values.pop(slot, None)

    corrected = False  # a correction marker ("不对") came before this clause
    for clause in clauses:
        if len(clauses) > 1 and _is_correction_marker(clause):
            corrected = True
            continue
        if is_unknown(clause) and not _QUESTION_END_RE.search(clause):
            merge(_Reading(values={slot: UNKNOWN for slot in _unknown_slots(clause, requested)}))
            continue
        if is_question(clause):
            asked_question = True
            continue
        reading = _explicit(clause, requested, owners_named)
        if reading.empty and requested is not None:
            reading = _bare(clause, requested)
        if _has_any(clause.lower(), _words("future_plans")):
            # "两个，下个月再加一个": a planned number is not today's
            for slot in NUMERIC_SLOTS:
                reading.values.pop(slot, None)
                reading.problems.pop(slot, None)
        merge(reading)

    if requested == "coverage" and "coverage" not in values:
        # "北京" answers "全网还是地网?" with one province; two or more mean 全网.
        provinces = find_provinces(normalised)
        if provinces:
            values["coverage"] = NATIONWIDE if len(provinces) > 1 else SINGLE_PROVINCE

    if requested in NUMERIC_SLOTS and requested not in values and requested not in problems:
        if not values and not asked_question and normalised:
            problems[requested] = "not_a_number"
    return Extraction(values=values, problems=problems, asked_question=asked_question)
