"""Today's date, for everything that reads or computes a date relative to it.

``BOT_TODAY`` (YYYY-MM-DD) pins it for demos and reproducible tests. The NLU,
which reads the dates a message states (licence/reading.py), and the actions,
which compute deadlines from them, both ask here, so they agree on the day.
"""

from __future__ import annotations

import datetime as dt
import os

ENV_VAR = "BOT_TODAY"


def pinned_today() -> dt.date | None:
    """The date ``BOT_TODAY`` pins, or None when it is unset."""
    value = os.environ.get(ENV_VAR, "").strip()
    return dt.date.fromisoformat(value) if value else None


def today() -> dt.date:
    return pinned_today() or dt.date.today()
