"""What the dialogue asks of the rule set besides a verdict.

FAQ numbers, "do I need this licence?", the official procedure, labels and
topics of the interview, and comparisons of one answer with its threshold. Each
function takes an optional ``rules`` (default: the shipped rule file).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from licence.eligibility import authority_name, resolve_authority
from licence.models import Condition, NeedResult, NextStep, RuleSet, Scalar
from licence.rendering import display, render, render_step
from licence.ruleset_loader import ruleset_or_default

__all__ = [
    "answer_topics",
    "capital_comparison",
    "condition_labels",
    "faq_vars",
    "interview_slots",
    "need_check",
    "process_steps",
    "process_total_text",
    "question_topic",
    "scope_facts",
    "staff_comparison",
]


def faq_vars(rules: RuleSet | None = None) -> dict[str, Scalar]:
    """Template variables for FAQ answers (thresholds, deadlines, names)."""
    rules = ruleset_or_default(rules)
    return dict(rules.faq_vars)


def need_check(activity: str, rules: RuleSet | None = None) -> NeedResult:
    """Whether ``activity`` (an id under ``need_check.activities``) needs the licence.

    An id the rule set does not know gets the default ("other") answer.
    """
    rules = ruleset_or_default(rules)
    key = activity.strip().lower() if isinstance(activity, str) else ""
    act = rules.activities.get(key) or rules.activities[rules.default_activity]
    penalty = None
    if act.licence_needed != "no":
        penalty = render(rules.penalty.text, {**rules.faq_vars, **rules.penalty.params})
    return NeedResult(
        activity=act.id,
        licence_needed=act.licence_needed,
        answer=render(act.answer, rules.faq_vars),
        penalty=penalty,
    )


def process_steps(authority: str | None = None, rules: RuleSet | None = None) -> tuple[NextStep, ...]:
    """The official procedure, with ``authority`` (or a generic name) filled in."""
    rules = ruleset_or_default(rules)
    text = authority_name(rules, None, authority)
    return tuple(render_step(t, rules, text) for t in rules.process)


def process_total_text(rules: RuleSet | None = None) -> str:
    """How long the whole procedure usually takes (practice, not law)."""
    rules = ruleset_or_default(rules)
    return render(rules.typical_total, rules.faq_vars)


# --------------------------------------------------------------------------
# The interview


def interview_slots(rules: RuleSet | None = None) -> tuple[str, ...]:
    """Every interview slot, in question order."""
    rules = ruleset_or_default(rules)
    return tuple(q.slot for q in rules.questions)


def answer_topics(slots: Iterable[str], rules: RuleSet | None = None) -> list[str]:
    """What answers to the interview's ``slots`` are about, in question order
    ("办公场地", "缴社保的员工人数"); slots that are no question are left out."""
    rules = ruleset_or_default(rules)
    wanted = set(slots)
    return [q.topic for q in rules.questions if q.slot in wanted]


def question_topic(slot: str, rules: RuleSet | None = None) -> str | None:
    """The FAQ topic that explains the interview question for ``slot``."""
    rules = ruleset_or_default(rules)
    return next((q.faq for q in rules.questions if q.slot == slot), None)


def condition_labels(rules: RuleSet | None = None) -> dict[str, str]:
    """Condition id -> short Chinese label, in question order."""
    rules = ruleset_or_default(rules)
    return {c.id: render(c.label, {**rules.faq_vars, **c.params}) for c in _in_question_order(rules)}


def _in_question_order(rules: RuleSet) -> list[Condition]:
    return [rules.conditions[q.condition] for q in rules.questions if q.condition is not None]


# --------------------------------------------------------------------------
# One answer against its threshold


def scope_facts(scope: str, province: str | None = None, rules: RuleSet | None = None) -> dict[str, Any]:
    """What a follow-up about one scope needs: its name, authority, licence name
    and capital threshold (``amount``, in 万元)."""
    rules = ruleset_or_default(rules)
    spec = rules.scopes[scope]
    profile = {rules.coverage_slot: scope, rules.province_slot: province}
    authority = resolve_authority(rules, spec, profile, None)
    return {
        "scope": spec.name,
        "authority": authority_name(rules, spec, authority),
        "licence_name": spec.licence_name,
        "amount": display(spec.min_capital_wan),
    }


def capital_comparison(
    wan: float, scope: str | None = None, rules: RuleSet | None = None
) -> list[dict[str, Any]]:
    """How a registered capital of ``wan`` 万元 compares with the threshold of
    ``scope``, or of every scope (smallest threshold first) when none is named:
    the scope's name, its minimum, whether the amount is enough and the shortfall."""
    rules = ruleset_or_default(rules)
    specs = (
        [rules.scopes[scope]]
        if scope
        else sorted(rules.scopes.values(), key=lambda spec: spec.min_capital_wan)
    )
    return [
        {
            "scope": spec.name,
            "minimum": display(float(spec.min_capital_wan)),
            "enough": wan >= spec.min_capital_wan,
            "shortfall": display(float(max(0.0, spec.min_capital_wan - wan))),
        }
        for spec in specs
    ]


def staff_comparison(count: int, rules: RuleSet | None = None) -> dict[str, Any]:
    """How ``count`` insured staff compare with the usual minimum (the staff
    condition's threshold in the rule set)."""
    rules = ruleset_or_default(rules)
    minimum = int(rules.faq_vars["min_staff"])
    return {
        "count": count,
        "minimum": minimum,
        "enough": count >= minimum,
        "shortfall": max(0, minimum - count),
    }
