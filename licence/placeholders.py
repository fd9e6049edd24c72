"""The ``{name}`` placeholders in the texts of licence/ruleset.yml.

A text may only use the names its caller fills in; an unknown name would fail
when a user is answered, so every text is checked when the rule file is loaded.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator, Mapping

from licence.models import RuleSet
from licence.schema_checks import RuleSetError

__all__ = [
    "check_placeholders",
    "placeholders",
    "texts_to_check",
]

# Names a condition text may use besides faq_vars and the condition's params.
_CONDITION_NAMES = frozenset({"value", "threshold", "scope", "authority", "licence_name"})
# Names a scope's where_to_apply and alternative_note may use besides faq_vars.
_SCOPE_NAMES = frozenset({"scope", "authority", "licence_name", "min_capital_wan"})

# Placeholders each layout template of ``texts:`` may use besides the FAQ variables.
_TEXT_NAMES: Mapping[str, frozenset[str]] = {
    "month_day": frozenset({"month", "day"}),
    "unmet_item": frozenset({"label", "reason", "remedy", "basis"}),
    "note_item": frozenset({"label", "note"}),
    "check_item": frozenset({"label", "check"}),
    "step_item": frozenset({"title", "who", "timing"}),
    "step_item_dated": frozenset({"title", "who", "timing", "date"}),
    "fact_unknown": frozenset({"topic"}),
}

# Placeholders each text of the basis frame (``basis:``) may use; no FAQ variables.
_BASIS_NAMES: Mapping[str, frozenset[str]] = {
    "line": frozenset({"citations"}),
    "reg": frozenset({"title", "in_force", "articles"}),
    "article": frozenset({"article"}),
    "date": frozenset({"year", "month", "day"}),
    "page": frozenset({"title"}),
    "claim": frozenset({"claim"}),
    "outdated": frozenset({"claims"}),
}


def placeholders(text: str) -> Iterator[str]:
    """Names used as ``{name}`` in ``text`` (format specs are not allowed)."""
    for _, field, spec, conversion in string.Formatter().parse(text):
        if field is not None:
            if spec or conversion:
                raise ValueError(f"format spec not allowed in {{{field}}}")
            yield field


def check_placeholders(
    texts: Iterable[tuple[str, str, frozenset[str]]],
    file_name: str,
) -> None:
    """Check ``(location, text, allowed names)`` triples; raise on unknown names."""
    problems: list[str] = []
    for where, text, allowed in texts:
        try:
            names = list(placeholders(text))
        except ValueError as exc:
            problems.append(f"{file_name}: {where}: {exc}")
            continue
        for name in names:
            if name not in allowed:
                problems.append(f"{file_name}: {where}: unknown placeholder {{{name}}}")
    if problems:
        raise RuleSetError(problems)


def texts_to_check(rules: RuleSet) -> Iterator[tuple[str, str, frozenset[str]]]:
    """Every text with its location and the placeholder names it may use."""
    g = frozenset(rules.faq_vars)
    none: frozenset[str] = frozenset()
    for sid, src in rules.sources.items():
        yield f"sources.{sid}.title", src.title, none
    for key, text in rules.basis_texts.items():
        yield f"basis.{key}", text, _BASIS_NAMES.get(key, none)
    for topic, entry in rules.faq_basis.items():
        for i, claim in enumerate(entry.outdated):
            yield f"faq_basis.{topic}.outdated[{i}]", claim, none
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
