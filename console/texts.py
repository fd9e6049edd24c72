"""The staff console's words, from ``console/texts.yml``: the pages keep the markup,
the data file keeps what a staff member reads.

Keys are dotted paths into the file ("tickets.empty"). The file is read once, at
import, so a console started without it fails at once rather than on a page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import yaml

TEXTS_FILE = Path(__file__).with_name("texts.yml")


def _flatten(tree: Dict[str, Any], prefix: str = "") -> Dict[str, Any]:
    flat: Dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        flat[path] = value
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
    return flat


def _load() -> Dict[str, Any]:
    with TEXTS_FILE.open(encoding="utf-8") as handle:
        return _flatten(yaml.safe_load(handle))


TEXTS = _load()


def t(key: str, **values: Any) -> str:
    """One text; ``values`` fill its ``{placeholders}`` (already escaped where needed)."""
    text = TEXTS[key]
    if not isinstance(text, str):
        raise TypeError(f"console text {key!r} is not a sentence")
    return text.format(**values) if values else text


def names(key: str) -> Dict[str, str]:
    """Display names by code (outcomes, reasons, ...)."""
    table = TEXTS[key]
    if not isinstance(table, dict):
        raise TypeError(f"console text {key!r} is not a table of names")
    return {str(code): str(name) for code, name in table.items()}


def columns(key: str) -> List[str]:
    """A table's column headings, in order."""
    headings = TEXTS[key]
    if not isinstance(headings, list):
        raise TypeError(f"console text {key!r} is not a list of headings")
    return [str(h) for h in headings]
