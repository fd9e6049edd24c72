"""The cached SQL tracker store (stores/tracker_store.py): what Rasa's own
SQLTrackerStore would read and write, with several stores on one database."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from stores.tracker_store import CachedSQLTrackerStore

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet", "faq"],
        "slots": {
            "coverage": {"type": "any", "influence_conversation": False, "mappings": [{"type": "custom"}]}
        },
        "responses": {"utter_greet": [{"text": "你好"}]},
    }
)


def store(db: Path) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{db}")


def stock(db: Path) -> SQLTrackerStore:
    return SQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{db}")


def turn(text: str, answer: str, ts: float) -> List[Event]:
    return [
        UserUttered(text, {"name": "greet", "confidence": 1.0}, timestamp=ts),
        ActionExecuted("utter_greet", timestamp=ts + 0.1),
        BotUttered(answer, timestamp=ts + 0.2),
        ActionExecuted("action_listen", timestamp=ts + 0.3),
    ]


def opening(ts: float = 1.0) -> List[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=ts),
        SessionStarted(timestamp=ts + 0.01),
        ActionExecuted("action_listen", timestamp=ts + 0.02),
    ]


def dicts(tracker: DialogueStateTracker) -> List[dict]:
    return [e.as_dict() for e in tracker.events]


async def start(s: CachedSQLTrackerStore, sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(sender, opening() + turn("你好", "你好呀", 2.0), DOMAIN.slots)
    await s.save(tracker)
    return tracker


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


async def test_the_next_turn_of_a_saved_conversation_is_served_without_reading_it_again(db: Path) -> None:
    a = store(db)
    saved = await start(a, "u1")
    again = await a.retrieve("u1")
    assert again is saved
    assert (a.hits, a.misses) == (1, 0)


async def test_a_turn_saved_through_one_store_is_seen_by_the_other(db: Path) -> None:
    a, b = store(db), store(db)
    await start(a, "u1")
    await a.retrieve("u1")  # a has it cached
    tracker_b = await b.retrieve("u1")
    assert tracker_b is not None
    for event in turn("地网呢", "100万", 3.0) + [SlotSet("coverage", "地网", timestamp=3.5)]:
        tracker_b.update(event)
    await b.save(tracker_b)

    seen_by_a = await a.retrieve("u1")
    assert seen_by_a is not None
    assert dicts(seen_by_a) == dicts(tracker_b)
    assert seen_by_a.get_slot("coverage") == "地网"
    # and a's next save appends after b's events, not over them
    for event in turn("全网呢", "1000万", 4.0):
        seen_by_a.update(event)
    await a.save(seen_by_a)
    assert dicts(await stock(db).retrieve("u1")) == dicts(seen_by_a)


async def test_appended_events_are_stored_once_each_in_order(db: Path) -> None:
    a = store(db)
    tracker = await start(a, "u1")
    for i in range(5):
        tracker = await a.retrieve("u1")
        for event in turn(f"问题{i}", f"回答{i}", 10.0 + i):
            tracker.update(event)
        await a.save(tracker)
    from_db = await stock(db).retrieve_full_tracker("u1")
    assert from_db is not None
    assert dicts(from_db) == dicts(tracker)
    assert len(from_db.events) == 3 + 4 * 6


async def test_a_turn_that_never_saved_is_not_served_from_the_cache(db: Path) -> None:
    a = store(db)
    await start(a, "u1")
    tracker = await a.retrieve("u1")
    for event in turn("这一轮出错了", "没保存", 3.0):
        tracker.update(event)
    # no save: the turn failed
    again = await a.retrieve("u1")
    assert again is not tracker
    assert "这一轮出错了" not in [getattr(e, "text", None) for e in again.events]
    assert dicts(again) == dicts(await stock(db).retrieve("u1"))


async def test_conversations_survive_a_restart(db: Path) -> None:
    first = store(db)
    saved = await start(first, "u1")
    restarted = store(db)
    found = await restarted.retrieve("u1")
    assert found is not None and found is not saved
    assert dicts(found) == dicts(await stock(db).retrieve("u1"))
    assert found.latest_bot_utterance.text == "你好呀"
    assert await restarted.retrieve("nobody") is None


async def test_a_new_session_is_stored_and_read_back_as_rasa_does(db: Path) -> None:
    a = store(db)
    tracker = await start(a, "u1")
    for event in opening(ts=100.0) + turn("又来了", "欢迎回来", 101.0):
        tracker.update(event)
    await a.save(tracker)
    ours, theirs = await a.retrieve("u1"), await stock(db).retrieve("u1")
    # a tracker holding two sessions is not kept: both read the latest session
    assert ours is not tracker
    assert dicts(ours) == dicts(theirs)
    assert [getattr(e, "text", None) for e in ours.events if isinstance(e, UserUttered)] == ["又来了"]
    assert len((await stock(db).retrieve_full_tracker("u1")).events) == 2 * (3 + 4)


async def test_the_cache_keeps_the_most_recently_used_conversations(db: Path) -> None:
    a = CachedSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{db}", cache_size=2)
    for sender in ("u1", "u2", "u3"):
        await start(a, sender)
    await a.retrieve("u1")  # the oldest, no longer cached
    assert (a.hits, a.misses) == (0, 1)
    assert await a.retrieve("u3") is not None
    assert a.hits == 1
    with pytest.raises(ValueError):
        CachedSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{db}", cache_size=0)


@pytest.mark.parametrize("endpoints", ["endpoints.yml", "deploy/endpoints.yml"])
def test_the_servers_store_conversations_in_the_cached_sql_store(
    endpoints: str, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rasa falls back to an in-memory store, silently losing every conversation at
    # a restart, when the class named in endpoints.yml cannot be imported.
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("ACTIONS_PORT", "5055")
    root = Path(__file__).resolve().parents[2]
    config = read_endpoint_config(str(root / endpoints), "tracker_store")
    created = TrackerStore.create(config, DOMAIN)
    inner = getattr(created, "_tracker_store", created)
    assert isinstance(inner, CachedSQLTrackerStore)
    assert str(inner.engine.url) == f"sqlite:///{db}"


async def test_a_sqlite_file_keeps_its_connection_and_write_ahead_log_between_turns(db: Path) -> None:
    # Closing the last connection to a WAL database checkpoints and syncs it: the
    # store keeps its connection, so a save leaves the log for SQLite to fold in later.
    a = store(db)
    await start(a, "u1")
    assert db.with_name(db.name + "-wal").exists()
    assert await store(db).retrieve("u1") is not None
