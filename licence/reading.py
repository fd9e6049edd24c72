"""What a message says, read once: written by the NLU, read back by the actions.

The NLU (components/reading.py) runs ``read_message`` on the normalised text
and stores the result on the message; the actions read it back with
``answers_in`` and ``facts_in`` and never run these parsers on the text
themselves. The parsers are the ones the actions used before
(licence/extract.py, zhtext/numbers.py, zhtext/places.py, zhtext/dates.py), unchanged: the
spaCy ruler's spans cannot replace them, since a span carries no negation
("是上海，不是北京", "不是全网"), no context ("北京路" names no province) and no
value ("1,000,000元" matches as "000元").

What is stored (plain JSON, so it survives the tracker store and the REST and
tracker APIs). Every entity spans the whole message: it is the message's
reading, not one word's.

- ``interview_answer`` entities, role = interview slot, value = its value
  (``extract_answers(text, None)``, in the parser's order): the answers the
  message states outright, whatever was asked.
- ``interview_problem`` entities, role = slot, value = one of
  ``PROBLEM_CODES``: a number stated outright that cannot stand (a capital
  of 0 元).
- ``interview_replies`` (a parse-data key): the message as the reply to each
  interview question, for the questions where it reads otherwise than above
  ("有" is yes to any yes/no question, "5个" a head count only when asked
  for one, "在深圳" names no province while the office is asked about):
  ``{asked slot: {"values": [[slot, value], ...], "problems": [[slot, code], ...]}}``,
  empty lists left out. The reading for a question is
  ``extract_answers(answer, slot)``, where ``answer`` is the part before the
  question of an "answer, then a question" message
  (``answer_then_question``), else the whole text.
- ``fact`` entities, the facts the FAQ answers compute from, by role:
  ``count`` (the head count, even an unusable one), ``amount_wan`` (each
  amount written with a unit, in 万元, in order), ``mainland_province`` (each
  mainland province named, in order), ``coverage`` (全网 or 地网 words) and
  ``province`` (the one province the message names, when it is a mainland
  one), ``date_ahead`` and ``date_behind`` (the date it states, ISO, a date
  without a year taken as the next one or the last one, relative to
  licence/clock.py's today) and ``issue_date`` (True: that date is when the
  licence was issued). A message that asks several questions (``question_clauses``, the
  clauses of the classifier's ``question_parts``) has each question's facts
  too, with group ``question_part_<i>`` (``i`` from 0).

Names other than the ruler's (``money``, ``count``, ``province``...) keep the
two apart: the ruler's entities are the classifier's features, these are
values. A message without a reading (a ``/intent{...}`` payload, an event
posted through the tracker API, a tracker stored before the NLU wrote one)
has no answers and no facts; only entities this reader wrote count.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from licence import clock
from licence.extract import Extraction, extract_answers
from licence.message_shape import answer_then_question, question_clauses
from licence.slots import PROBLEM_CODES, SLOTS
from zhtext.dates import is_issue_date, parse_date
from zhtext.numbers import parse_count, stated_amounts_wan
from zhtext.places import find_provinces, is_mainland, parse_coverage, parse_province

__all__ = [
    "READER",
    "ANSWER",
    "PROBLEM",
    "FACT",
    "REPLIES",
    "ENTITY_NAMES",
    "Facts",
    "Reading",
    "read_facts",
    "read_message",
    "answers_in",
    "facts_in",
]

# the ``extractor`` of every entity written here (the NLU component's name)
READER = "MessageReader"
ANSWER = "interview_answer"
PROBLEM = "interview_problem"
FACT = "fact"
# the entity names, declared in domain.yml (Rasa warns of undeclared ones)
ENTITY_NAMES = (ANSWER, PROBLEM, FACT)
REPLIES = "interview_replies"
# the roles of ``fact``
COUNT = "count"
AMOUNT = "amount_wan"
MAINLAND_PROVINCE = "mainland_province"
COVERAGE = "coverage"
PROVINCE = "province"
DATE_AHEAD = "date_ahead"
DATE_BEHIND = "date_behind"
ISSUE_DATE = "issue_date"
PART_GROUP = "question_part_"
ENTITIES = "entities"


@dataclass(frozen=True)
class Facts:
    """The facts the FAQ answers compute from (see the module docstring)."""

    count: int | None = None
    amounts_wan: tuple[float, ...] = ()
    provinces: tuple[str, ...] = ()
    coverage: str | None = None
    province: str | None = None
    # the date the message states, a date without a year taken as the next
    # one (an expiry) or the last one (a submission, an issue)
    date_ahead: dt.date | None = None
    date_behind: dt.date | None = None
    # the date is when the licence was issued, not when it expires
    issue_date: bool = False


@dataclass(frozen=True)
class Reading:
    """What ``read_message`` adds to a message's parse data."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    replies: dict[str, dict[str, list[list[Any]]]] = field(default_factory=dict)

    def parse_data(self) -> dict[str, Any]:
        """The reading as the keys of a parse data (``entities`` and, when
        some question reads otherwise, ``interview_replies``)."""
        data: dict[str, Any] = {ENTITIES: list(self.entities)}
        if self.replies:
            data[REPLIES] = self.replies
        return data


def read_facts(text: str, today: dt.date | None = None) -> Facts:
    """The facts of ``text``; its dates relative to ``today`` (licence/clock.py
    when None)."""
    named = parse_province(text)
    day = today or clock.today()
    return Facts(
        date_ahead=parse_date(text, day, yearless="future"),
        date_behind=parse_date(text, day, yearless="past"),
        issue_date=is_issue_date(text),
        count=parse_count(text),
        # an amount too large for a float is unusable anyway (licence.limits)
        amounts_wan=tuple(wan for wan in stated_amounts_wan(text) if math.isfinite(wan)),
        provinces=tuple(p for p in find_provinces(text) if is_mainland(p)),
        coverage=parse_coverage(text),
        province=named if named is not None and is_mainland(named) else None,
    )


def read_message(text: str, today: dt.date | None = None) -> Reading:
    """The reading of ``text`` (normalised, as the NLU's components see it);
    its dates relative to ``today`` (licence/clock.py when None)."""
    today = today or clock.today()
    span = {"start": 0, "end": len(text), "extractor": READER}
    stated = extract_answers(text, None)
    entities: list[dict[str, Any]] = [
        {"entity": ANSWER, "role": slot, "value": value, **span} for slot, value in stated.values.items()
    ]
    entities += [
        {"entity": PROBLEM, "role": slot, "value": code, **span} for slot, code in stated.problems.items()
    ]
    entities += _fact_entities(read_facts(text, today), span, None)
    parts = question_clauses(text)
    for index, part in enumerate(parts):
        entities += _fact_entities(read_facts(part, today), span, f"{PART_GROUP}{index}")

    split = answer_then_question(text)
    answer = split[0] if split else text
    replies: dict[str, dict[str, list[list[Any]]]] = {}
    for slot in SLOTS:
        reply = extract_answers(answer, slot)
        if _pairs(reply.values) == _pairs(stated.values) and _pairs(reply.problems) == _pairs(
            stated.problems
        ):
            continue
        stored: dict[str, list[list[Any]]] = {}
        if reply.values:
            stored["values"] = [[name, value] for name, value in reply.values.items()]
        if reply.problems:
            stored["problems"] = [[name, code] for name, code in reply.problems.items()]
        replies[slot] = stored
    return Reading(entities, replies)


def _pairs(values: Mapping[str, object]) -> list[tuple[str, type, object]]:
    # the type too: True == 1, but "有" is no head count of one
    return [(name, type(value), value) for name, value in values.items()]


def _fact_entities(facts: Facts, span: Mapping[str, Any], group: str | None) -> list[dict[str, Any]]:
    found: list[tuple[str, object]] = []
    if facts.count is not None:
        found.append((COUNT, facts.count))
    found += [(AMOUNT, wan) for wan in facts.amounts_wan]
    found += [(MAINLAND_PROVINCE, name) for name in facts.provinces]
    if facts.coverage is not None:
        found.append((COVERAGE, facts.coverage))
    if facts.province is not None:
        found.append((PROVINCE, facts.province))
    if facts.date_ahead is not None:
        found.append((DATE_AHEAD, facts.date_ahead.isoformat()))
    if facts.date_behind is not None:
        found.append((DATE_BEHIND, facts.date_behind.isoformat()))
    if facts.issue_date:
        found.append((ISSUE_DATE, True))
    extra = {"group": group} if group is not None else {}
    return [{"entity": FACT, "role": role, "value": value, **span, **extra} for role, value in found]


# --------------------------------------------------------------------------
# Reading it back


def _own(parse_data: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    """The entities called ``name`` that this reader wrote."""
    entities = parse_data.get(ENTITIES)
    if not isinstance(entities, list):
        return []
    return [
        entity
        for entity in entities
        if isinstance(entity, Mapping)
        and entity.get("entity") == name
        and entity.get("extractor") == READER
        and isinstance(entity.get("role"), str)
    ]


def _is_answer_value(value: object) -> bool:
    return isinstance(value, (str, bool, int, float))


def answers_in(parse_data: Mapping[str, Any], requested: str | None = None) -> Extraction:
    """The interview answers of a message whose parse data is ``parse_data``,
    read as the reply to the question about ``requested`` (None: no question
    open, or none of the interview's). ``asked_question`` is not stored and
    comes back False. No reading gives no answers."""
    replies = parse_data.get(REPLIES)
    reply = replies.get(requested) if requested in SLOTS and isinstance(replies, Mapping) else None
    if isinstance(reply, Mapping):
        return Extraction(
            values=dict(_stored_pairs(reply.get("values"), _is_answer_value)),
            problems={k: str(v) for k, v in _stored_pairs(reply.get("problems"), PROBLEM_CODES.__contains__)},
        )
    values = {
        str(e["role"]): e.get("value") for e in _own(parse_data, ANSWER) if _is_answer_value(e.get("value"))
    }
    problems = {str(e["role"]): str(e.get("value")) for e in _own(parse_data, PROBLEM)}
    problems = {slot: code for slot, code in problems.items() if code in PROBLEM_CODES}
    return Extraction(values=values, problems=problems)


def _stored_pairs(pairs: object, valid: Callable[[object], bool]) -> list[tuple[str, object]]:
    if not isinstance(pairs, list):
        return []
    return [
        (pair[0], pair[1])
        for pair in pairs
        if isinstance(pair, list) and len(pair) == 2 and pair[0] in SLOTS and valid(pair[1])
    ]


def facts_in(parse_data: Mapping[str, Any], part: int | None = None) -> Facts:
    """The facts of the message (``part`` None) or of its question ``part``
    (the index in ``question_parts``); no reading gives no facts."""
    group = None if part is None else f"{PART_GROUP}{part}"
    by_role: dict[str, list[object]] = {}
    for entity in _own(parse_data, FACT):
        if entity.get("group") == group:
            by_role.setdefault(str(entity["role"]), []).append(entity.get("value"))

    def first_text(role: str) -> str | None:
        texts = [value for value in by_role.get(role, []) if isinstance(value, str)]
        return texts[0] if texts else None

    counts = [v for v in by_role.get(COUNT, []) if isinstance(v, int) and not isinstance(v, bool)]
    amounts = [v for v in by_role.get(AMOUNT, []) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return Facts(
        date_ahead=_first_date(by_role.get(DATE_AHEAD, [])),
        date_behind=_first_date(by_role.get(DATE_BEHIND, [])),
        issue_date=True in by_role.get(ISSUE_DATE, []),
        count=counts[0] if counts else None,
        amounts_wan=tuple(float(v) for v in amounts),
        provinces=tuple(v for v in by_role.get(MAINLAND_PROVINCE, []) if isinstance(v, str)),
        coverage=first_text(COVERAGE),
        province=first_text(PROVINCE),
    )


def _first_date(values: list[object]) -> dt.date | None:
    for value in values:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                continue
    return None
