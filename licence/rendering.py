"""Filling the rule set's texts: placeholders, numbers as people write them, steps.

Texts are ``str.format`` templates whose names were checked at load time
(``licence.placeholders``); this module only fills them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from licence.models import NextStep, RuleSet, StepTemplate
from licence.ruleset_loader import ruleset_or_default

__all__ = [
    "display",
    "render",
    "render_step",
    "text",
]


def render(text: str, ctx: Mapping[str, Any]) -> str:
    """``text`` with the names of ``ctx`` filled in, numbers shown by ``display``."""
    return text.format_map({k: display(v) for k, v in ctx.items()})


def display(value: Any) -> Any:
    """Numbers as people write them: 100 not 100.0, 99.99 not 99.990000."""
    if isinstance(value, float) and not isinstance(value, bool):
        if value.is_integer():
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return value


def render_step(t: StepTemplate, rules: RuleSet, authority_text: str) -> NextStep:
    ctx = {**rules.faq_vars, "authority": authority_text}
    return NextStep(
        id=t.id,
        title=render(t.title, ctx),
        who=render(t.who, ctx),
        timing=render(t.timing, ctx) if t.timing else None,
        detail=render(t.detail, ctx) if t.detail else None,
        deadline_key=t.deadline_key,
    )


def text(name: str, rules: RuleSet | None = None, **values: Any) -> str:
    """A layout template of the rule set's ``texts:`` filled with ``values``."""
    rules = ruleset_or_default(rules)
    return render(rules.texts[name], values)
