"""Read Rasa's tracker store (SQLTrackerStore's ``events`` table) for a SQLAlchemy URL.

Read only: a SQLite file is opened with ``mode=ro`` (a missing file is not created,
it just has no conversations), and only SELECTs are issued. A database without the
``events`` table (the bot has not written yet) has no conversations either.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from console.queries import parse_rows

EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)

_engines: Dict[str, Engine] = {}
_lock = threading.Lock()


class StoreError(RuntimeError):
    """The tracker database cannot be read (the message says why, without the password)."""


def sqlite_path(url: str) -> Optional[Path]:
    """The file of a sqlite:/// URL (relative paths from the working directory, as Rasa
    resolves them); None for other databases or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _engine(url: str) -> Optional[Engine]:
    try:
        path = sqlite_path(url)
    except ArgumentError as error:
        raise StoreError(f"TRACKER_DB_URL is not a database URL ({error})") from None
    if path is not None:
        if not path.is_file():
            return None
        target = f"sqlite:///file:{path.resolve()}?mode=ro&uri=true"
    else:
        target = url
    with _lock:
        engine = _engines.get(target)
        if engine is None:
            engine = sa.create_engine(target, pool_pre_ping=True, future=True)
            _engines[target] = engine
    return engine


def read_events(url: str, sender_id: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every event (of one sender, if given), in the order stored; odd rows skipped."""
    engine = _engine(url)
    if engine is None:
        return []
    query = sa.select(EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.data).order_by(EVENTS.c.id)
    if sender_id is not None:
        query = query.where(EVENTS.c.sender_id == sender_id)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return []
            rows = [dict(row._mapping) for row in connection.execute(query)]
    except SQLAlchemyError as error:
        reason = type(getattr(error, "orig", None) or error).__name__
        raise StoreError(f"cannot read the tracker database ({reason})") from None
    return parse_rows(rows)
