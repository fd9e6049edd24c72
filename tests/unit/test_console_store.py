"""console.store over a SQLite file written by Rasa's own SQLTrackerStore."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from console import queries, store
from tests.unit.console_trackers import ALICE, BOB, OPENID, write


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write(Path(tmp_path_factory.mktemp("tracker")) / "tracker.db")


def test_every_conversation_rasa_wrote_is_read_back_with_its_outcomes(db_url: str) -> None:
    found = {c.sender_id: c for c in queries.conversations(store.read_events(db_url))}
    assert set(found) == {ALICE, BOB, OPENID}
    assert found[ALICE].channel == "rest"
    assert found[ALICE].outcomes == ["fallback"]
    assert found[OPENID].outcomes == ["fallback", "handoff", "interview_completed"]
    assert found[OPENID].verdicts == ["eligible"]
    assert found[BOB].outcomes == ["fallback", "low_confidence", "interview_abandoned"]
    capital = found[ALICE].turns[1]
    assert (capital.intent, capital.fine_intent, capital.confidence) == ("faq", "faq/capital", 0.93)
    assert [r.action for r in capital.replies] == ["utter_faq/capital"]
    assert capital.latency == pytest.approx(2.5, abs=0.01)


def test_one_senders_events_only(db_url: str) -> None:
    events = store.read_events(db_url, BOB)
    assert events and {e["sender_id"] for e in events} == {BOB}
    assert store.read_events(db_url, "nobody") == []


def test_a_missing_database_has_no_conversations_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    assert store.read_events(f"sqlite:///{missing}") == []
    assert not missing.exists()


def test_a_database_without_the_events_table_has_no_conversations(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    assert store.read_events(f"sqlite:///{path}") == []


def test_rows_with_odd_json_are_skipped(tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "odd.db"
    path.write_bytes(Path(db_url[len("sqlite:///") :]).read_bytes())
    with sqlite3.connect(path) as connection:
        for data in ["{not json", "[1, 2]", "null", json.dumps({"event": "user", "text": "x"})]:
            connection.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', NULL, ?)",
                ("odd", data),
            )
    events = store.read_events(f"sqlite:///{path}")
    assert "odd" not in {e["sender_id"] for e in events}  # no usable timestamp either
    assert len(events) == len(store.read_events(db_url))


def test_a_url_that_is_no_database_url_is_a_store_error() -> None:
    with pytest.raises(store.StoreError):
        store.read_events("not a url")
