"""Judging an applicant's profile against the rule set.

A *profile* maps slot names to answers: ``None`` (or absent) means not asked yet,
the string ``"unknown"`` means the user does not know. ``required_slots`` says
which interview questions apply to a profile, ``assess`` gives the verdict with
the texts to show. Every threshold and text comes from the rule set.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, Optional

from licence.basis import basis_line
from licence.models import Condition, Decision, Predicate, RuleSet, Scope, verdict_of
from licence.rendering import render, render_step
from licence.ruleset_loader import ruleset_or_default

__all__ = [
    "UNKNOWN",
    "ProvinceResolver",
    "assess",
    "authority_name",
    "required_slots",
    "resolve_authority",
]


UNKNOWN = "unknown"

# Maps a province short name ("广东") to its official full name ("广东省").
ProvinceResolver = Callable[[str], Optional[str]]


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
# The verdict


def required_slots(profile: Mapping[str, object], rules: RuleSet | None = None) -> list[str]:
    """The interview slots that apply to ``profile``, in question order.

    The province is asked only for a single-province scope; when the user says
    the applicant is not a company, nothing after that question applies.
    """
    rules = ruleset_or_default(rules)
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


def resolve_authority(
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
    """``zhtext.places.province_full_name``, but None outside the mainland
    (Hong Kong, Macao and Taiwan have no 通信管理局)."""
    from zhtext.places import is_mainland, province_full_name

    def resolve(short: str) -> str | None:
        full_name: str = province_full_name(short)
        try:
            if not is_mainland(short):
                return None
        except ValueError:  # a name is_mainland does not index; full_name resolved it
            pass
        return full_name

    return resolve


def authority_name(rules: RuleSet, scope: Scope | None, authority: str | None) -> str:
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
    full name (default: ``zhtext.places.province_full_name``, imported only
    when a province-level authority has to be named).
    """
    rules = ruleset_or_default(rules)
    scope_name = _answer(rules, profile, rules.coverage_slot)
    scope = rules.scopes[scope_name] if scope_name is not None else None
    authority = resolve_authority(rules, scope, profile, province_full_name)
    authority_text = authority_name(rules, scope, authority)
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
    basis: dict[str, str] = {}
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
        labels[cond.id] = render(cond.label, ctx)
        sources[cond.id] = rules.cite(cond.source)
        if o.status == "failed":
            reasons[cond.id] = render(cond.reason, ctx)
            remedies[cond.id] = render(cond.remedy, ctx)
            if cond.kind == "requirement":
                basis[cond.id] = basis_line(cond.source, (), rules)
        elif cond.check:
            checks[cond.id] = render(cond.check, ctx)
        if cond.note:
            notes[cond.id] = render(cond.note, ctx)

    verdict = verdict_of(eligible)
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
        basis=MappingProxyType(basis),
        where_to_apply=(
            render(scope.where_to_apply, _scope_ctx(rules, scope, authority_text)) if scope else None
        ),
        materials=tuple(
            render(m.text, rules.faq_vars) for m in rules.materials if _holds(rules, m.when, profile)
        ),
        next_steps=tuple(
            render_step(t, rules, authority_text) for t in rules.next_steps if not t.when or verdict in t.when
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
        authority = resolve_authority(rules, other, alt_profile, province_full_name)
        ask = [s for s in required_slots(alt_profile, rules) if profile.get(s) is None]
        note = other.alternative_note
        note_ctx = _scope_ctx(rules, other, authority_name(rules, other, authority))
        return {
            "scope": other.name,
            "eligible": None if unknown else True,
            "authority": authority,
            "licence_name": other.licence_name,
            "unknown": unknown,
            "ask": ask,
            "note": render(note, note_ctx) if note else None,
        }
    return None


def _scope_ctx(rules: RuleSet, scope: Scope, authority_text: str) -> dict[str, Any]:
    return {
        **rules.faq_vars,
        "scope": scope.name,
        "authority": authority_text,
        "licence_name": scope.licence_name,
        "min_capital_wan": scope.min_capital_wan,
    }
