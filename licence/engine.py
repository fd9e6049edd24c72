"""The eligibility engine for the call-centre licence.

Pure Python over the data in ``licence/ruleset.yml``: no Rasa import, no I/O at
import time (the rule file is read lazily and cached). The main entry points::

    required_slots(profile) -> list[str]        # which interview questions apply
    assess(profile) -> Decision                 # the verdict, with texts to render
    faq_vars() -> dict                          # numbers for FAQ templates
    need_check(activity) -> NeedResult          # "do I need this licence?"

A *profile* maps slot names to answers: ``None`` (or absent) means not asked yet,
the string ``"unknown"`` means the user does not know. Every threshold, text and
source lives in the rule file; this module knows none of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Optional, Union

import yaml

from licence.placeholders import check_placeholders
from licence.schema_checks import RuleSetError, validate_ruleset

__all__ = [
    "DEFAULT_PATH",
    "UNKNOWN",
    "Activity",
    "Condition",
    "Decision",
    "Material",
    "NeedResult",
    "NextStep",
    "Penalty",
    "Predicate",
    "ProvinceResolver",
    "Question",
    "RuleSet",
    "RuleSetError",
    "Scope",
    "Source",
    "StepTemplate",
    "Test",
    "assess",
    "check_ruleset",
    "condition_labels",
    "deadline_rules",
    "faq_vars",
    "load_ruleset",
    "need_check",
    "process_steps",
    "process_total_text",
    "required_slots",
]

DEFAULT_PATH = Path(__file__).with_name("ruleset.yml")
UNKNOWN = "unknown"

Scalar = Union[str, int, float]
Verdict = Literal["eligible", "ineligible", "undetermined"]
LicenceNeeded = Literal["yes", "no", "ask_authority"]
# Maps a province short name ("广东") to its official full name ("广东省").
ProvinceResolver = Callable[[str], Optional[str]]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
# Names a condition text may use besides faq_vars and the condition's params.
_CONDITION_NAMES = frozenset({"value", "threshold", "scope", "authority", "licence_name"})
_SCOPE_NAMES = frozenset({"scope", "authority", "licence_name", "min_capital_wan"})


# --------------------------------------------------------------------------
# The rule set, as typed frozen data


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    kind: str  # page | reg | practice


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

    def cite(self, source_ids: Iterable[str]) -> tuple[str, ...]:
        """Titles of the given sources, for "依据" lines."""
        return tuple(self.sources[s].title for s in source_ids)


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
    unknown; ``labels`` and ``sources`` (source titles) cover every id listed.
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
    where_to_apply: str | None = None
    materials: tuple[str, ...] = ()
    next_steps: tuple[NextStep, ...] = ()
    alternative: Mapping[str, Any] | None = None

    @property
    def verdict(self) -> Verdict:
        return _verdict(self.eligible)

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


def _verdict(eligible: bool | None) -> Verdict:
    if eligible is None:
        return "undetermined"
    return "eligible" if eligible else "ineligible"


@dataclass(frozen=True)
class NeedResult:
    activity: str
    licence_needed: LicenceNeeded
    answer: str
    penalty: str | None = None  # the sanction for operating unlicensed, when relevant


# --------------------------------------------------------------------------
# Loading


def load_ruleset(path: str | Path | None = None) -> RuleSet:
    """Read and validate a rule file; the default file is read once and cached.

    Raises ``RuleSetError`` naming the file and the faulty entry.
    """
    if path is None:
        return _load_default()
    return _read(Path(path))


@lru_cache(maxsize=1)
def _load_default() -> RuleSet:
    return _read(DEFAULT_PATH)


def check_ruleset(path: str | Path | None = None) -> None:
    """Validate a rule file from disk (uncached), for the action server's start-up.

    Also builds the deadline rules, so ``licence.deadlines`` must be importable.
    """
    rules = _read(Path(path) if path is not None else DEFAULT_PATH)
    try:
        deadline_rules(rules)
    except (TypeError, ValueError, KeyError) as exc:
        raise RuleSetError([f"{rules.path.name}: deadlines: {exc}"]) from exc


def deadline_rules(rules: RuleSet | None = None) -> Any:
    """``licence.deadlines.DeadlineRules`` built from the rule file's ``deadlines:``."""
    from licence.deadlines import DeadlineRules

    rules = rules or load_ruleset()
    return DeadlineRules.from_mapping(_thaw(rules.deadlines))


def _read(path: Path) -> RuleSet:
    name = path.name
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleSetError([f"{name}: cannot read {path}: {exc.strerror or exc}"]) from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise RuleSetError([f"{name}: invalid YAML: {exc}"]) from exc
    validate_ruleset(data, name)
    rules = _build(path, data)
    check_placeholders(_texts_to_check(rules), name)
    return rules


def _build(path: Path, data: Mapping[str, Any]) -> RuleSet:
    scopes = {
        name: Scope(
            name=name,
            area=s["area"],
            licence_name=s["licence_name"],
            min_capital_wan=s["min_capital_wan"],
            where_to_apply=s["where_to_apply"],
            authority=s.get("authority"),
            authority_suffix=s.get("authority_suffix"),
            authority_generic=s.get("authority_generic"),
            alternative_note=s.get("alternative_note"),
            source=tuple(s["source"]),
            brief=s["brief"],
        )
        for name, s in data["scopes"].items()
    }
    questions = tuple(
        Question(
            slot=q["slot"],
            type=q["type"],
            topic=q["topic"],
            response=q["response"],
            condition=q.get("condition"),
            ask_when=_predicates(q.get("ask_when")),
            fact=dict(q["fact"]),
            faq=q["faq"],
        )
        for q in data["questions"]
    )
    conditions = {
        c["id"]: Condition(
            id=c["id"],
            slot=c["slot"],
            kind=c["kind"],
            test=Test(
                op=c["test"]["op"],
                value=c["test"].get("value"),
                value_from=c["test"].get("value_from"),
            ),
            label=c["label"],
            reason=c["reason"],
            remedy=c["remedy"],
            note=c.get("note"),
            check=c.get("check"),
            practice=bool(c.get("practice", False)),
            params=MappingProxyType(dict(c.get("params") or {})),
            source=tuple(c["source"]),
            brief=c["brief"],
        )
        for c in data["conditions"]
    }
    materials = tuple(
        Material(
            id=m["id"],
            text=m["text"],
            when=_predicates(m.get("when")),
            source=tuple(m["source"]),
            brief=m["brief"],
        )
        for m in data["materials"]
    )
    need = data["need_check"]
    penalty = need["penalty"]
    return RuleSet(
        path=path,
        sources=MappingProxyType(
            {sid: Source(id=sid, title=s["title"], kind=s["kind"]) for sid, s in data["sources"].items()}
        ),
        scopes=MappingProxyType(scopes),
        questions=questions,
        conditions=MappingProxyType(conditions),
        optional_keys=MappingProxyType(dict(data.get("optional_profile_keys") or {})),
        materials=materials,
        process=tuple(_step(s) for s in data["process"]["steps"]),
        typical_total=data["process"]["typical_total"]["text"],
        deadlines=_freeze(data["deadlines"]),
        faq_vars=MappingProxyType(_resolve_faq_vars(path.name, data)),
        activities=MappingProxyType(
            {
                aid: Activity(
                    id=aid,
                    label=a["label"],
                    licence_needed=a["licence_needed"],
                    answer=a["answer"],
                    source=tuple(a["source"]),
                    brief=a["brief"],
                )
                for aid, a in need["activities"].items()
            }
        ),
        default_activity=need["default"],
        penalty=Penalty(
            article=penalty["article"],
            params=MappingProxyType(dict(penalty["params"])),
            text=penalty["text"],
            source=tuple(penalty["source"]),
            brief=penalty["brief"],
        ),
        next_steps=tuple(_step(s) for s in data["next_steps"]),
        texts=MappingProxyType(dict(data["texts"])),
    )


def _step(s: Mapping[str, Any]) -> StepTemplate:
    return StepTemplate(
        id=s["id"],
        title=s["title"],
        who=s["who"],
        timing=s.get("timing"),
        detail=s.get("detail"),
        deadline_key=s.get("deadline_key"),
        when=tuple(s.get("when") or ()),
        source=tuple(s["source"]),
        brief=s["brief"],
    )


def _predicates(raw: Any) -> tuple[Predicate, ...]:
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, Mapping) else raw
    return tuple(Predicate(slot=p["slot"], op=p["op"], value=p["value"]) for p in items)


def _resolve_faq_vars(name: str, data: Mapping[str, Any]) -> dict[str, Scalar]:
    out: dict[str, Scalar] = {}
    problems: list[str] = []
    for var, spec in data["faq_vars"].items():
        dotted = spec["from"] if isinstance(spec, Mapping) else spec
        try:
            value = _lookup(data, dotted)
            if isinstance(spec, Mapping):
                value = _format_month_day(data["texts"][spec["format"]], value)
        except (KeyError, ValueError) as exc:
            problems.append(f"{name}: faq_vars.{var}: {exc.args[0] if exc.args else exc}")
            continue
        out[var] = _tidy_number(value)
    if problems:
        raise RuleSetError(problems)
    return out


def _lookup(data: Any, dotted: str) -> Scalar:
    node = data
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list):
            matches = [e for e in node if isinstance(e, Mapping) and e.get("id") == part]
            if not matches:
                raise KeyError(f"path '{dotted}' not found (no entry with id '{part}')")
            node = matches[0]
        else:
            raise KeyError(f"path '{dotted}' not found (at '{part}')")
    if isinstance(node, bool) or not isinstance(node, (str, int, float)):
        raise ValueError(f"path '{dotted}' is not a number or text")
    return node


def _format_month_day(template: str, value: Scalar) -> str:
    match = _MONTH_DAY.match(str(value))
    if not match:
        raise ValueError(f"'{value}' is not an MM-DD date")
    return template.format(month=int(match.group(1)), day=int(match.group(2)))


# Placeholders each layout template of ``texts:`` may use besides the FAQ variables.
_TEXT_NAMES: Mapping[str, frozenset[str]] = {
    "month_day": frozenset({"month", "day"}),
    "unmet_item": frozenset({"label", "reason", "remedy"}),
    "note_item": frozenset({"label", "note"}),
    "check_item": frozenset({"label", "check"}),
    "step_item": frozenset({"title", "who", "timing"}),
    "step_item_dated": frozenset({"title", "who", "timing", "date"}),
    "fact_unknown": frozenset({"topic"}),
}


def _texts_to_check(rules: RuleSet) -> Iterator[tuple[str, str, frozenset[str]]]:
    """Every text with its location and the placeholder names it may use."""
    g = frozenset(rules.faq_vars)
    none: frozenset[str] = frozenset()
    for sid, src in rules.sources.items():
        yield f"sources.{sid}.title", src.title, none
    for name, scope in rules.scopes.items():
        for attr in ("area", "licence_name", "authority", "authority_suffix", "authority_generic"):
            text = getattr(scope, attr)
            if text is not None:
                yield f"scopes.{name}.{attr}", text, none
        yield f"scopes.{name}.where_to_apply", scope.where_to_apply, g | _SCOPE_NAMES
        if scope.alternative_note:
            yield f"scopes.{name}.alternative_note", scope.alternative_note, g | _SCOPE_NAMES
    for i, cond in enumerate(rules.conditions.values()):
        allowed = g | _CONDITION_NAMES | frozenset(cond.params)
        for attr in ("label", "reason", "remedy", "note", "check"):
            text = getattr(cond, attr)
            if text is not None:
                yield f"conditions[{i}] (id={cond.id}).{attr}", text, allowed
    for i, item in enumerate(rules.materials):
        yield f"materials[{i}] (id={item.id}).text", item.text, g
    for i, question in enumerate(rules.questions):
        for key, text in question.fact.items():
            yield f"questions[{i}] (slot={question.slot}).fact.{key}", text, frozenset({"value"})
    for section, steps in (("process.steps", rules.process), ("next_steps", rules.next_steps)):
        for i, step in enumerate(steps):
            for attr in ("title", "who", "timing", "detail"):
                text = getattr(step, attr)
                if text is not None:
                    yield f"{section}[{i}] (id={step.id}).{attr}", text, g | {"authority"}
    yield "process.typical_total.text", rules.typical_total, g
    yield "need_check.penalty.text", rules.penalty.text, g | frozenset(rules.penalty.params)
    for aid, act in rules.activities.items():
        yield f"need_check.activities.{aid}.label", act.label, g
        yield f"need_check.activities.{aid}.answer", act.answer, g
    for key, text in rules.texts.items():
        yield f"texts.{key}", text, g | _TEXT_NAMES.get(key, frozenset())


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


# --------------------------------------------------------------------------
# Reading a profile


def _answer(rules: RuleSet, profile: Mapping[str, object], slot: str) -> Any:
    """The usable answer for ``slot``, or None if missing, "unknown" or unusable."""
    raw = profile.get(slot)
    if raw is None or raw == UNKNOWN:
        return None
    slot_type = rules.slot_type(slot)
    if slot_type == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        return None
    if slot_type in ("money_wan", "count"):
        if isinstance(raw, bool):
            return None
        try:
            number = float(raw) if isinstance(raw, (int, float, str)) else math.nan
        except ValueError:
            return None
        return number if math.isfinite(number) and number >= 0 else None
    if slot_type == "coverage":
        return raw if isinstance(raw, str) and raw in rules.scopes else None
    if slot_type == "province":
        return raw.strip() if isinstance(raw, str) and raw.strip() else None
    return raw


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if left is None or right is None:
        return False
    if op == ">=":
        return bool(left >= right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    if op == "<":
        return bool(left < right)
    raise ValueError(f"unknown operator {op!r}")


def _holds(rules: RuleSet, predicates: Iterable[Predicate], profile: Mapping[str, object]) -> bool:
    return all(_compare(p.op, _answer(rules, profile, p.slot), p.value) for p in predicates)


# --------------------------------------------------------------------------
# Public API


def required_slots(profile: Mapping[str, object], rules: RuleSet | None = None) -> list[str]:
    """The interview slots that apply to ``profile``, in question order.

    The province is asked only for a single-province scope; when the user says
    the applicant is not a company, nothing after that question applies.
    """
    rules = rules or load_ruleset()
    return [q.slot for q in rules.questions if _holds(rules, q.ask_when, profile)]


@dataclass(frozen=True)
class _Outcome:
    """Where one condition landed, with the values its texts need."""

    condition: Condition
    status: Literal["met", "failed", "unknown"]
    value: Any = None
    threshold: Any = None
    scope: Scope | None = None


def _evaluate(rules: RuleSet, profile: Mapping[str, object], scope: Scope | None) -> list[_Outcome]:
    outcomes: list[_Outcome] = []
    for q in rules.questions:
        if q.condition is None or not _holds(rules, q.ask_when, profile):
            continue
        cond = rules.conditions[q.condition]
        value = _answer(rules, profile, cond.slot)
        if value is None:
            outcomes.append(_Outcome(cond, "unknown"))
            continue
        attribute = cond.test.scope_attribute
        if attribute is None:
            passed = _compare(cond.test.op, value, cond.test.value)
            status: Literal["met", "failed", "unknown"] = "met" if passed else "failed"
            outcomes.append(_Outcome(cond, status, value, cond.test.value, scope))
            continue
        # The threshold depends on the scope; with no scope yet, decide only
        # when every scope agrees.
        candidates = [scope] if scope is not None else list(rules.scopes.values())
        results = [
            (s, s.number(attribute), _compare(cond.test.op, value, s.number(attribute))) for s in candidates
        ]
        if all(passed for _, _, passed in results):
            outcomes.append(_Outcome(cond, "met", value, results[0][1], scope))
        elif not any(passed for _, _, passed in results):
            used, threshold, _ = _most_lenient(cond.test.op, results)
            outcomes.append(_Outcome(cond, "failed", value, threshold, used))
        else:
            outcomes.append(_Outcome(cond, "unknown", value))
    return outcomes


def _most_lenient(op: str, results: list[tuple[Scope, float, bool]]) -> tuple[Scope, float, bool]:
    """The scope to quote when every scope fails: the easiest one to meet."""
    if op in (">=", ">"):
        return min(results, key=lambda r: r[1])
    if op in ("<=", "<"):
        return max(results, key=lambda r: r[1])
    return results[0]


def _resolve_authority(
    rules: RuleSet,
    scope: Scope | None,
    profile: Mapping[str, object],
    province_full_name: ProvinceResolver | None,
) -> str | None:
    if scope is None:
        return None
    if scope.authority:
        return scope.authority
    province = _answer(rules, profile, rules.province_slot)
    if province is None or not scope.authority_suffix:
        return None
    resolver = province_full_name or _default_province_resolver()
    try:
        full_name = resolver(province)
    except (KeyError, ValueError, LookupError):
        return None
    return f"{full_name}{scope.authority_suffix}" if full_name else None


def _default_province_resolver() -> ProvinceResolver:
    """``licence.parsing.province_full_name``, but None outside the mainland
    (Hong Kong, Macao and Taiwan have no 通信管理局)."""
    from licence import parsing

    def resolve(short: str) -> str | None:
        full_name: str = parsing.province_full_name(short)
        is_mainland = getattr(parsing, "is_mainland", None)
        try:
            if is_mainland is not None and not is_mainland(short):
                return None
        except ValueError:  # a name is_mainland does not index; full_name resolved it
            pass
        return full_name

    return resolve


def _authority_text(rules: RuleSet, scope: Scope | None, authority: str | None) -> str:
    """The authority to name in texts: exact, or generic when not yet known."""
    if authority:
        return authority
    if scope is not None and scope.authority_generic:
        return scope.authority_generic
    return rules.texts["authority_unknown"]


def assess(
    profile: Mapping[str, object],
    rules: RuleSet | None = None,
    *,
    province_full_name: ProvinceResolver | None = None,
) -> Decision:
    """Judge ``profile`` against the rule set.

    ``eligible`` is False when any requirement is unmet, None when none is unmet
    but some answer is missing or "unknown", True otherwise. Warnings never
    change it. ``province_full_name`` maps a province short name to its official
    full name (default: ``licence.parsing.province_full_name``, imported only
    when a province-level authority has to be named).
    """
    rules = rules or load_ruleset()
    scope_name = _answer(rules, profile, rules.coverage_slot)
    scope = rules.scopes[scope_name] if scope_name is not None else None
    authority = _resolve_authority(rules, scope, profile, province_full_name)
    authority_text = _authority_text(rules, scope, authority)
    outcomes = _evaluate(rules, profile, scope)

    failed = [o.condition for o in outcomes if o.status == "failed"]
    unmet = tuple(c.id for c in failed if c.kind == "requirement")
    warnings = tuple(c.id for c in failed if c.kind == "warning")
    unknown = tuple(o.condition.id for o in outcomes if o.status == "unknown")
    eligible: bool | None = False if unmet else (None if unknown else True)

    reasons: dict[str, str] = {}
    remedies: dict[str, str] = {}
    notes: dict[str, str] = {}
    checks: dict[str, str] = {}
    labels: dict[str, str] = {}
    sources: dict[str, tuple[str, ...]] = {}
    for o in outcomes:
        if o.status == "met":
            continue
        cond = o.condition
        quoted_scope = o.scope or scope
        ctx = {
            **rules.faq_vars,
            **cond.params,
            "value": o.value if o.value is not None else UNKNOWN,
            "threshold": o.threshold if o.threshold is not None else "",
            "scope": quoted_scope.name if quoted_scope else "",
            "authority": authority_text,
            "licence_name": quoted_scope.licence_name if quoted_scope else "",
        }
        labels[cond.id] = _render(cond.label, ctx)
        sources[cond.id] = rules.cite(cond.source)
        if o.status == "failed":
            reasons[cond.id] = _render(cond.reason, ctx)
            remedies[cond.id] = _render(cond.remedy, ctx)
        elif cond.check:
            checks[cond.id] = _render(cond.check, ctx)
        if cond.note:
            notes[cond.id] = _render(cond.note, ctx)

    verdict = _verdict(eligible)
    return Decision(
        scope=scope.name if scope else None,
        authority=authority,
        licence_name=scope.licence_name if scope else None,
        eligible=eligible,
        unmet=unmet,
        warnings=warnings,
        unknown=unknown,
        reasons=MappingProxyType(reasons),
        remedies=MappingProxyType(remedies),
        notes=MappingProxyType(notes),
        checks=MappingProxyType(checks),
        labels=MappingProxyType(labels),
        sources=MappingProxyType(sources),
        where_to_apply=(
            _render(scope.where_to_apply, _scope_ctx(rules, scope, authority_text)) if scope else None
        ),
        materials=tuple(
            _render(m.text, rules.faq_vars) for m in rules.materials if _holds(rules, m.when, profile)
        ),
        next_steps=tuple(
            _render_step(t, rules, authority_text)
            for t in rules.next_steps
            if not t.when or verdict in t.when
        ),
        alternative=_alternative(rules, profile, scope, unmet, province_full_name),
    )


def _alternative(
    rules: RuleSet,
    profile: Mapping[str, object],
    scope: Scope | None,
    unmet: tuple[str, ...],
    province_full_name: ProvinceResolver | None,
) -> Mapping[str, Any] | None:
    """Another scope the applicant qualifies for when only a scope threshold fails.

    E.g. 全网 needs 1000万 but the company has 500万: the 地网 licence is within
    reach. Returns None when there is no such scope.
    """
    if scope is None or len(unmet) != 1 or rules.conditions[unmet[0]].test.value_from is None:
        return None
    for other in rules.scopes.values():
        if other.name == scope.name:
            continue
        outcomes = _evaluate(rules, profile, other)
        if any(o.status == "failed" and o.condition.kind == "requirement" for o in outcomes):
            continue
        unknown = [o.condition.id for o in outcomes if o.status == "unknown"]
        alt_profile = {**profile, rules.coverage_slot: other.name}
        # A province is only worth resolving if the user already gave one.
        authority = _resolve_authority(rules, other, alt_profile, province_full_name)
        ask = [s for s in required_slots(alt_profile, rules) if profile.get(s) is None]
        note = other.alternative_note
        note_ctx = _scope_ctx(rules, other, _authority_text(rules, other, authority))
        return {
            "scope": other.name,
            "eligible": None if unknown else True,
            "authority": authority,
            "licence_name": other.licence_name,
            "unknown": unknown,
            "ask": ask,
            "note": _render(note, note_ctx) if note else None,
        }
    return None


def faq_vars(rules: RuleSet | None = None) -> dict[str, Scalar]:
    """Template variables for FAQ answers (thresholds, deadlines, names)."""
    rules = rules or load_ruleset()
    return dict(rules.faq_vars)


def need_check(activity: str, rules: RuleSet | None = None) -> NeedResult:
    """Whether ``activity`` (an id under ``need_check.activities``) needs the licence.

    An id the rule set does not know gets the default ("other") answer.
    """
    rules = rules or load_ruleset()
    key = activity.strip().lower() if isinstance(activity, str) else ""
    act = rules.activities.get(key) or rules.activities[rules.default_activity]
    penalty = None
    if act.licence_needed != "no":
        penalty = _render(rules.penalty.text, {**rules.faq_vars, **rules.penalty.params})
    return NeedResult(
        activity=act.id,
        licence_needed=act.licence_needed,
        answer=_render(act.answer, rules.faq_vars),
        penalty=penalty,
    )


def answer_topics(slots: Iterable[str], rules: RuleSet | None = None) -> list[str]:
    """What answers to the interview's ``slots`` are about, in question order
    ("办公场地", "缴社保的员工人数"); slots that are no question are left out."""
    rules = rules or load_ruleset()
    wanted = set(slots)
    return [q.topic for q in rules.questions if q.slot in wanted]


def condition_labels(rules: RuleSet | None = None) -> dict[str, str]:
    """Condition id -> short Chinese label, in question order."""
    rules = rules or load_ruleset()
    return {c.id: _render(c.label, {**rules.faq_vars, **c.params}) for c in _in_question_order(rules)}


def process_steps(authority: str | None = None, rules: RuleSet | None = None) -> tuple[NextStep, ...]:
    """The official procedure, with ``authority`` (or a generic name) filled in."""
    rules = rules or load_ruleset()
    text = _authority_text(rules, None, authority)
    return tuple(_render_step(t, rules, text) for t in rules.process)


def process_total_text(rules: RuleSet | None = None) -> str:
    """How long the whole procedure usually takes (practice, not law)."""
    rules = rules or load_ruleset()
    return _render(rules.typical_total, rules.faq_vars)


# --------------------------------------------------------------------------
# Rendering helpers


def _in_question_order(rules: RuleSet) -> list[Condition]:
    return [rules.conditions[q.condition] for q in rules.questions if q.condition is not None]


def _scope_ctx(rules: RuleSet, scope: Scope, authority_text: str) -> dict[str, Any]:
    return {
        **rules.faq_vars,
        "scope": scope.name,
        "authority": authority_text,
        "licence_name": scope.licence_name,
        "min_capital_wan": scope.min_capital_wan,
    }


def _render_step(t: StepTemplate, rules: RuleSet, authority_text: str) -> NextStep:
    ctx = {**rules.faq_vars, "authority": authority_text}
    return NextStep(
        id=t.id,
        title=_render(t.title, ctx),
        who=_render(t.who, ctx),
        timing=_render(t.timing, ctx) if t.timing else None,
        detail=_render(t.detail, ctx) if t.detail else None,
        deadline_key=t.deadline_key,
    )


def _render(text: str, ctx: Mapping[str, Any]) -> str:
    return text.format_map({k: _display(v) for k, v in ctx.items()})


def _display(value: Any) -> Any:
    """Numbers as people write them: 100 not 100.0, 99.99 not 99.990000."""
    if isinstance(value, float) and not isinstance(value, bool):
        if value.is_integer():
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return value


def _tidy_number(value: Scalar) -> Scalar:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --------------------------------------------------------------------------
# Small accessors for the dialogue layer


def interview_slots(rules: RuleSet | None = None) -> tuple[str, ...]:
    """Every interview slot, in question order."""
    rules = rules or load_ruleset()
    return tuple(q.slot for q in rules.questions)


def scope_facts(scope: str, province: str | None = None, rules: RuleSet | None = None) -> dict[str, Any]:
    """What a follow-up about one scope needs: its name, authority, licence name
    and capital threshold (``amount``, in 万元)."""
    rules = rules or load_ruleset()
    spec = rules.scopes[scope]
    profile = {rules.coverage_slot: scope, rules.province_slot: province}
    authority = _resolve_authority(rules, spec, profile, None)
    return {
        "scope": spec.name,
        "authority": _authority_text(rules, spec, authority),
        "licence_name": spec.licence_name,
        "amount": _display(spec.min_capital_wan),
    }


def capital_comparison(
    wan: float, scope: str | None = None, rules: RuleSet | None = None
) -> list[dict[str, Any]]:
    """How a registered capital of ``wan`` 万元 compares with the threshold of
    ``scope``, or of every scope (smallest threshold first) when none is named:
    the scope's name, its minimum, whether the amount is enough and the shortfall."""
    rules = rules or load_ruleset()
    specs = [rules.scopes[scope]] if scope else sorted(
        rules.scopes.values(), key=lambda spec: spec.min_capital_wan
    )
    return [
        {
            "scope": spec.name,
            "minimum": _display(float(spec.min_capital_wan)),
            "enough": wan >= spec.min_capital_wan,
            "shortfall": _display(float(max(0.0, spec.min_capital_wan - wan))),
        }
        for spec in specs
    ]


def staff_comparison(count: int, rules: RuleSet | None = None) -> dict[str, Any]:
    """How ``count`` insured staff compare with the usual minimum (the staff
    condition's threshold in the rule set)."""
    rules = rules or load_ruleset()
    minimum = int(rules.faq_vars["min_staff"])
    return {
        "count": count,
        "minimum": minimum,
        "enough": count >= minimum,
        "shortfall": max(0, minimum - count),
    }


def text(name: str, rules: RuleSet | None = None, **values: Any) -> str:
    """A layout template of the rule set's ``texts:`` filled with ``values``."""
    rules = rules or load_ruleset()
    return _render(rules.texts[name], values)


def question_topic(slot: str, rules: RuleSet | None = None) -> str | None:
    """The FAQ topic that explains the interview question for ``slot``."""
    rules = rules or load_ruleset()
    return next((q.faq for q in rules.questions if q.slot == slot), None)
