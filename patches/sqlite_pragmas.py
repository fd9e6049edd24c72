"""SQLite tracker store: write-ahead log, and no disk flush on every commit.

The SQL tracker store commits once or more per message, from inside Rasa's
event loop (SQLAlchemy here is synchronous). With SQLite's defaults (rollback
journal, ``synchronous=FULL``) each commit waits for the disk: 5 ms per commit
measured on this machine, during which the server answers no one. In WAL mode
with ``synchronous=NORMAL`` a commit costs about 0.01 ms. What is committed
survives the Rasa server crashing or being killed (the WAL file is on disk and
is replayed on the next start); only an operating-system crash or power loss can
lose the last transactions, and the database is never corrupted. Deployments
that need more use PostgreSQL (TRACKER_DB_URL), which this does not touch.

Applied to every SQLite connection SQLAlchemy opens in the Rasa server.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_APPLIED = False


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        mode = cursor.execute("PRAGMA journal_mode").fetchone()
        # in-memory databases have no WAL; leave them as they are
        if mode and str(mode[0]).lower() != "memory":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.OperationalError:
        # A read-only connection (the staff console's, in a process that also
        # loaded the tracker store) cannot change the journal; it reads either way.
        pass
    finally:
        cursor.close()


def apply() -> None:
    global _APPLIED
    if not _APPLIED:
        event.listen(Engine, "connect", _on_connect)
        _APPLIED = True
