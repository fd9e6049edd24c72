"""The rule set and the engine's results, as typed frozen data.

``licence.ruleset_loader`` builds a ``RuleSet`` from licence/ruleset.yml;
``licence.eligibility`` and ``licence.queries`` return the result types. The
classes hold no behaviour beyond small lookups, so every module can share them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Union

__all__ = [
    "Activity",
    "Condition",
    "Decision",
    "FaqBasis",
    "LicenceNeeded",
    "Material",
    "NeedResult",
    "NextStep",
    "Penalty",
    "Predicate",
    "Question",
    "RuleSet",
    "Scalar",
    "Scope",
    "Source",
    "StepTemplate",
    "Test",
    "Verdict",
    "verdict_of",
]


Scalar = Union[str, int, float]
Verdict = Literal["eligible", "ineligible", "undetermined"]
LicenceNeeded = Literal["yes", "no", "ask_authority"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


# --------------------------------------------------------------------------
# The rule set


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    kind: str  # page | reg | practice
    in_force: str | None = None  # YYYY-MM-DD the cited version took effect (reg only)
    note: str | None = None  # what else identifies the version ("工业和信息化部令第42号")


@dataclass(frozen=True)
class FaqBasis:
    """What an FAQ topic's answer rests on.

    ``source`` holds citations, each a source id or ``<id>/<article>``;
    ``outdated`` claims of the agency page that the regulations replaced.
    """

    topic: str
    source: tuple[str, ...]
    outdated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Predicate:
    """``profile[slot] <op> value``; an unanswered slot equals nothing."""

    slot: str
    op: str
    value: Scalar | bool


@dataclass(frozen=True)
class Test:
    """The state that is fine: ``answer <op> value`` (or a scope's number)."""

    op: str
    value: Scalar | bool | None = None
    value_from: str | None = None  # "scope.<attribute>"

    @property
    def scope_attribute(self) -> str | None:
        return self.value_from.split(".", 1)[1] if self.value_from else None


@dataclass(frozen=True)
class Scope:
    name: str
    area: str
    licence_name: str
    min_capital_wan: float
    where_to_apply: str
    authority: str | None
    authority_suffix: str | None
    authority_generic: str | None
    alternative_note: str | None
    source: tuple[str, ...]
    brief: str

    def number(self, attribute: str) -> float:
        value = getattr(self, attribute)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise AttributeError(attribute)
        return value


@dataclass(frozen=True)
class Question:
    slot: str
    type: str  # bool | money_wan | count | coverage | province
    topic: str  # what the answer is about, in a few words ("办公场地")
    response: str
    condition: str | None
    ask_when: tuple[Predicate, ...]
    fact: Mapping[str, str]  # the answer as a fact: "yes"/"no", or "value" with {value}
    faq: str  # the FAQ topic that explains the question


@dataclass(frozen=True)
class Condition:
    id: str
    slot: str
    kind: str  # requirement | warning
    test: Test
    label: str
    reason: str
    remedy: str
    note: str | None
    check: str | None
    practice: bool
    params: Mapping[str, Scalar]
    source: tuple[str, ...]
    brief: str


@dataclass(frozen=True)
class Material:
    id: str
    text: str
    when: tuple[Predicate, ...]
    source: tuple[str, ...]
    brief: str


@dataclass(frozen=True)
class StepTemplate:
    """A process step or a next-step template, before placeholders are filled."""

    id: str
    title: str
    who: str
    timing: str | None
    detail: str | None
    deadline_key: str | None
    when: tuple[str, ...]  # verdicts; empty = always
    source: tuple[str, ...]
    brief: str


@dataclass(frozen=True)
class Activity:
    id: str
    label: str
    licence_needed: LicenceNeeded
    answer: str
    source: tuple[str, ...]
    brief: str


@dataclass(frozen=True)
class Penalty:
    article: int
    params: Mapping[str, Scalar]
    text: str
    source: tuple[str, ...]
    brief: str


@dataclass(frozen=True)
class RuleSet:
    path: Path
    sources: Mapping[str, Source]
    scopes: Mapping[str, Scope]
    questions: tuple[Question, ...]
    conditions: Mapping[str, Condition]
    optional_keys: Mapping[str, str]
    materials: tuple[Material, ...]
    process: tuple[StepTemplate, ...]
    typical_total: str
    deadlines: Mapping[str, Any]
    faq_vars: Mapping[str, Scalar]
    activities: Mapping[str, Activity]
    default_activity: str
    penalty: Penalty
    next_steps: tuple[StepTemplate, ...]
    texts: Mapping[str, str]
    faq_basis: Mapping[str, FaqBasis] = _EMPTY
    basis_texts: Mapping[str, str] = _EMPTY  # the wording frame of a basis line

    @property
    def coverage_slot(self) -> str:
        return next(q.slot for q in self.questions if q.type == "coverage")

    @property
    def province_slot(self) -> str:
        return next(q.slot for q in self.questions if q.type == "province")

    def slot_type(self, slot: str) -> str | None:
        for q in self.questions:
            if q.slot == slot:
                return q.type
        return self.optional_keys.get(slot)

    def question(self, slot: str) -> Question:
        for q in self.questions:
            if q.slot == slot:
                return q
        raise KeyError(slot)

    def cite(self, citations: Iterable[str]) -> tuple[str, ...]:
        """Titles of the cited sources (``order42/27`` cites ``order42``), each once.

        ``licence.basis`` renders the full line with dates and articles.
        """
        ids = dict.fromkeys(c.split("/", 1)[0] for c in citations)
        return tuple(self.sources[s].title for s in ids)


# --------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class NextStep:
    """A rendered step: what to do, who does it, when."""

    id: str
    title: str
    who: str
    timing: str | None = None
    detail: str | None = None
    deadline_key: str | None = None  # a key of ruleset `deadlines:`, to compute a date


@dataclass(frozen=True)
class Decision:
    """The verdict for one profile.

    ``reasons`` and ``remedies`` hold texts for every id in ``unmet`` and
    ``warnings``; ``notes`` holds background for every warning and for unmet or
    unknown conditions that have one; ``checks`` tells how to find out each
    unknown; ``labels`` and ``sources`` (source titles) cover every id listed;
    ``basis`` holds the basis line ("依据：…") of every unmet condition.
    """

    scope: str | None
    authority: str | None
    licence_name: str | None
    eligible: bool | None
    unmet: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    reasons: Mapping[str, str] = _EMPTY
    remedies: Mapping[str, str] = _EMPTY
    notes: Mapping[str, str] = _EMPTY
    checks: Mapping[str, str] = _EMPTY
    labels: Mapping[str, str] = _EMPTY
    sources: Mapping[str, tuple[str, ...]] = _EMPTY
    basis: Mapping[str, str] = _EMPTY  # condition id -> its basis line, for unmet conditions
    where_to_apply: str | None = None
    materials: tuple[str, ...] = ()
    next_steps: tuple[NextStep, ...] = ()
    alternative: Mapping[str, Any] | None = None

    @property
    def verdict(self) -> Verdict:
        return verdict_of(self.eligible)

    def as_slot(self) -> dict[str, Any]:
        """The JSON-serialisable summary stored in the ``decision`` slot."""
        return {
            "scope": self.scope,
            "authority": self.authority,
            "eligible": self.eligible,
            "unmet": list(self.unmet),
            "warnings": list(self.warnings),
            "unknown": list(self.unknown),
        }


def verdict_of(eligible: bool | None) -> Verdict:
    if eligible is None:
        return "undetermined"
    return "eligible" if eligible else "ineligible"


@dataclass(frozen=True)
class NeedResult:
    activity: str
    licence_needed: LicenceNeeded
    answer: str
    penalty: str | None = None  # the sanction for operating unlicensed, when relevant
