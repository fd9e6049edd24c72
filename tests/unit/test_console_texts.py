"""The staff console's words live in console/texts.yml: every key the console names
must be there (a missing one is a page that fails for staff), with the placeholders
its caller fills, and every text there must be shown somewhere."""

from __future__ import annotations

import ast
import string
from pathlib import Path
from typing import List, Set, Tuple

import pytest

from console.queries import OUTCOMES, UNANSWERED_REASONS
from console.texts import TEXTS

CONSOLE = Path(__file__).resolve().parents[2] / "console"
# the loader's functions, and the kind of entry each one reads
READERS = {"t": str, "names": dict, "columns": list, "head_row": list}


def _uses() -> List[Tuple[str, str, Set[str]]]:
    """(reader, key, keyword names) of every call naming a console text by a literal key."""
    found = []
    for path in sorted(CONSOLE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            reader = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            key = node.args[0]
            if reader in READERS and isinstance(key, ast.Constant) and isinstance(key.value, str):
                found.append((reader, key.value, {k.arg for k in node.keywords if k.arg}))
    return found


def _placeholders(text: str) -> Set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_the_console_names_its_texts() -> None:
    assert len(_uses()) >= 50


@pytest.mark.parametrize(("reader", "key", "filled"), _uses(), ids=lambda v: str(v))
def test_every_text_the_console_names_exists(reader: str, key: str, filled: Set[str]) -> None:
    assert key in TEXTS
    assert isinstance(TEXTS[key], READERS[reader])
    if reader == "t":
        assert _placeholders(TEXTS[key]) == filled


def test_every_text_is_shown() -> None:
    used = {key for _, key, _ in _uses()}
    unused = sorted(
        key
        for key, value in TEXTS.items()
        if not isinstance(value, dict) and not any(key == u or key.startswith(f"{u}.") for u in used)
    )
    assert unused == []


def test_every_outcome_and_reason_has_a_name() -> None:
    assert set(OUTCOMES) <= set(TEXTS["outcomes"])
    assert set(UNANSWERED_REASONS) <= set(TEXTS["reasons"])
