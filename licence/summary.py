"""The facts a verdict was based on, as one line ("全网经营，注册资本1200万元，无外资…").

The verdict opens with them, so that a user who mistyped an answer sees it
before reading the result. The wording of each fact is the rule set's
(``questions[].fact``), in the order the questions are asked."""

from __future__ import annotations

from typing import Any, Mapping

from licence.models import RuleSet
from licence.rendering import text
from licence.ruleset_loader import ruleset_or_default
from zhtext.numbers import format_wan


def facts_line(profile: Mapping[str, Any], rules: RuleSet | None = None) -> str:
    """The answered facts of ``profile`` joined into one line; a question asked
    but answered "不知道" shows as to be confirmed; unasked ones are left out."""
    rules = ruleset_or_default(rules)
    parts = []
    for question in rules.questions:
        if question.slot not in profile:
            continue
        value = profile[question.slot]
        if value is None:
            continue
        if value == "unknown":
            parts.append(text("fact_unknown", rules, topic=question.topic))
        elif question.type == "bool":
            parts.append(question.fact["yes" if value else "no"])
        else:
            shown = format_wan(float(value)) if question.type == "money_wan" else value
            parts.append(question.fact["value"].format(value=shown))
    return text("facts_joiner", rules).join(parts)
