"""Rasa's SQL tracker store with the conversations in use kept in memory.

Rasa 3.6's ``SQLTrackerStore`` reads a conversation's every event from the
database on each message (and the REST channel's pause check reads it once
more), decodes each one from JSON and replays them into a tracker; on saving
it counts the stored events to know which are new. All of it grows with the
conversation: the last turns of a long conversation cost several times its
first ones (bench/results/serving-steps.md).

This store keeps the tracker it last saved for each conversation (a bounded,
least-recently-used set) and the id of the last event row it knows for it.
Before trusting its copy it asks the database one cheap question, the largest
event id of that conversation: when another server (or anything else) has
stored an event since, the ids differ and the conversation is read from the
database as before. Several servers sharing one database therefore stay
correct. The lock store already lets one message per conversation be processed
at a time across servers (stores/lock_store.py), so nothing writes a
conversation between that check and the save that follows it.

Saving appends only the events the tracker gained since it was cached. A
tracker is used in place, not copied (a copy would cost what the cache saves):
the cached tracker is the object Rasa's processor changes during a turn. If a
turn fails before its save, the tracker holds events the database lacks; its
event count then differs from the one recorded at the save and it is read from
the database again. A tracker that holds more than one conversation session is
not kept (the database returns only the latest session, which is read next time).

``type: stores.tracker_store.CachedSQLTrackerStore`` in endpoints.yml, with the
same keys as Rasa's ``type: SQL`` (``url``) and ``cache_size`` (conversations
kept, default 1000).
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerEventDiffEngine
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

import patches

patches.apply()  # fixes to Rasa itself, see patches/

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 1000


@dataclass
class Cached:
    tracker: DialogueStateTracker
    # len(tracker.events) when it was saved: more means a turn that never saved
    stored_events: int
    # the largest event id of the conversation in the database after that save
    last_id: Optional[int]


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with the trackers in use cached in the process."""

    def __init__(self, *args: Any, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keep_sqlite_connection()
        if int(cache_size) < 1:
            raise ValueError(f"cache_size must be at least 1, not {cache_size!r}")
        self.cache_size = int(cache_size)
        self._cache: "OrderedDict[Text, Cached]" = OrderedDict()
        self.hits = 0
        self.misses = 0

    # --- the database's side --------------------------------------------------------

    def _keep_sqlite_connection(self) -> None:
        """Keep a SQLite file's connection open between uses.

        SQLAlchemy 1.4 opens and closes a SQLite file's connection for every
        session (NullPool). Closing the last connection to a database in WAL
        mode (patches/sqlite_pragmas.py) copies the log into the database file
        and syncs it to disk: a disk wait inside Rasa's event loop at every read
        and every save. A kept connection leaves that to SQLite's automatic
        checkpoints. SQLAlchemy 2.0 pools SQLite files the same way by default.
        """
        if self.engine.dialect.name != "sqlite" or not isinstance(self.engine.pool, sa.pool.NullPool):
            return
        database = self.engine.url.database
        if not database or database == ":memory:":
            return
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=1, connect_args={"check_same_thread": False}
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _last_id(self, session: Any, sender_id: Text) -> Optional[int]:
        """The largest event id stored for the conversation (None when it has none)."""
        value = (
            session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id).scalar()
        )
        return None if value is None else int(value)

    def _row(self, sender_id: Text, event: Event) -> Any:
        """An event as Rasa's ``save`` stores it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    # --- the cache ------------------------------------------------------------------

    def _fresh(self, sender_id: Text, session: Any) -> Optional[Cached]:
        """The cached entry when it still is what the database holds, else None (and forgotten)."""
        entry = self._cache.get(sender_id)
        if entry is None:
            return None
        if (
            len(entry.tracker.events) == entry.stored_events
            and self._last_id(session, sender_id) == entry.last_id
        ):
            self._cache.move_to_end(sender_id)
            return entry
        del self._cache[sender_id]
        return None

    def _keep(
        self, tracker: DialogueStateTracker, last_id: Optional[int], cached_events: Optional[int]
    ) -> None:
        """Cache the saved tracker. ``cached_events``: its event count when it was
        cached before, if it was; a cached tracker holds one session, so only the
        events after that can start another."""
        sender_id = tracker.sender_id
        self._cache.pop(sender_id, None)
        if cached_events is not None:
            events = tracker.events
            one_session = not any(
                isinstance(events[i], SessionStarted) for i in range(max(cached_events, 2), len(events))
            )
        else:
            one_session = _sessions(tracker.events) == 1
        if tracker._max_event_history is not None or not one_session:
            return
        self._cache[sender_id] = Cached(tracker, len(tracker.events), last_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def forget(self, sender_id: Text) -> None:
        self._cache.pop(sender_id, None)

    # --- Rasa's TrackerStore --------------------------------------------------------

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session of the conversation, from the cache when the database agrees."""
        with self.session_scope() as session:
            entry = self._fresh(sender_id, session)
        if entry is not None:
            self.hits += 1
            return entry.tracker
        self.misses += 1
        return await super().retrieve(sender_id)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's, with the old tracker read from the database: the cached one is
        the very tracker being saved, which would show no new events."""
        if self.event_broker is None:
            return None
        old_tracker = await super().retrieve(tracker.sender_id)
        new_events = TrackerEventDiffEngine.event_difference(old_tracker, tracker)
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events the database lacks: those after the cached count when the
        tracker is the cached one and the database has not moved, else Rasa's way."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            entry = self._cache.get(sender_id)
            if (
                entry is not None
                and entry.tracker is tracker
                and self._last_id(session, sender_id) == entry.last_id
                and len(tracker.events) >= entry.stored_events
            ):
                events = tracker.events
                new: List[Event] = [events[i] for i in range(entry.stored_events, len(events))]
                cached_events: Optional[int] = entry.stored_events
            else:
                new = list(self._additional_events(session, tracker))
                cached_events = None
            rows = [self._row(sender_id, event) for event in new]
            session.add_all(rows)
            session.flush()
            last_id = self._last_id(session, sender_id)
            session.commit()
        self._keep(tracker, last_id, cached_events)
        logger.debug("Tracker with sender_id '%s' stored to database", sender_id)


def _sessions(events: Iterable[Event]) -> int:
    """How many conversation sessions the events hold: a session starts with
    ``action_session_start`` and ``SessionStarted``, so a ``SessionStarted`` after
    the first two events begins another."""
    return 1 + sum(isinstance(event, SessionStarted) for event in itertools.islice(events, 2, None))
