"""The ``{name}`` placeholders in the texts of licence/ruleset.yml.

A text may only use the names its caller fills in; an unknown name would fail
when a user is answered, so every text is checked when the rule file is loaded.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator

from licence.schema_checks import RuleSetError

__all__ = [
    "check_placeholders",
    "placeholders",
]


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
