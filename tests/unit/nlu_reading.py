"""The NLU's reading of a message (components/reading.py) for the action tests:
their trackers carry the text, and the actions read what the NLU read from it,
so a fixture adds the same reading with ``read(text)``."""

from __future__ import annotations

from typing import Any, Dict

from licence.reading import read_message
from zhtext.normalise import normalise


def read(text: str) -> Dict[str, Any]:
    """The parse-data keys the NLU adds for ``text`` (which it sees normalised)."""
    return read_message(normalise(text)).parse_data()
