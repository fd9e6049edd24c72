"""The fixes to Rasa in patches/: same behaviour, without the per-call cost."""

from __future__ import annotations

import subprocess
import sys
from unittest import mock

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from patches import action_result_schema


@pytest.fixture
def patched():
    action_result_schema.apply()
    yield RemoteAction("action_answer_faq", None)
    action_result_schema.apply()  # leave the patch on, as the server has it


VALID = {
    "events": [{"event": "slot", "name": "coverage", "value": "全网"}],
    "responses": [{"response": "utter_greet"}],
}
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": 3}]},
    {"responses": ["a string, not an object"]},
    [],
]


def test_a_valid_response_passes(patched: RemoteAction) -> None:
    assert patched._validate_action_result(VALID) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_responses_are_rejected_exactly_as_rasa_does(patched: RemoteAction, result) -> None:
    with pytest.raises(jsonschema.ValidationError) as ours:
        patched._validate_action_result(result)
    action_result_schema.restore()
    try:
        with pytest.raises(jsonschema.ValidationError) as theirs:
            RemoteAction("action_answer_faq", None)._validate_action_result(result)
    finally:
        action_result_schema.apply()
    assert ours.value.message == theirs.value.message
    assert "Failed to validate Action server response" in ours.value.message


def test_the_schema_is_checked_once_not_per_response(patched: RemoteAction) -> None:
    action_result_schema.response_validator.cache_clear()
    validator_class = type(action_result_schema.response_validator())
    with mock.patch.object(validator_class, "check_schema", wraps=validator_class.check_schema) as check:
        for _ in range(20):
            patched._validate_action_result(VALID)
    assert check.call_count == 0


@pytest.mark.parametrize("module", ["stores.lock_store", "channels.rest"])
def test_the_modules_the_server_loads_apply_the_patch(module: str) -> None:
    code = (
        f"import {module}\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "from patches.action_result_schema import validate_action_result\n"
        "from patches.event_types import resolve_by_type\n"
        "from rasa.shared.core.events import Event\n"
        "assert RemoteAction._validate_action_result is validate_action_result\n"
        "assert Event.resolve_by_type is resolve_by_type\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_every_event_name_resolves_to_the_class_rasa_would_find() -> None:
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    from patches import event_types

    names = {
        cls.type_name
        for cls in rasa.shared.utils.common.all_subclasses(Event)
        if isinstance(getattr(cls, "type_name", None), str)
    }
    assert {"user", "bot", "action", "slot", "active_loop", "session_started"} <= names
    for name in names:
        event_types.restore()
        theirs = Event.resolve_by_type(name)
        event_types.apply()
        assert Event.resolve_by_type(name) is theirs, name


def test_unknown_event_names_behave_as_in_rasa() -> None:
    from rasa.shared.core.events import Event, UserUttered

    from patches import event_types

    event_types.apply()
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", UserUttered) is UserUttered
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def test_events_round_trip_through_json_with_the_table() -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered

    from patches import event_types

    event_types.apply()
    events = [
        UserUttered("注册资本要多少", {"name": "faq", "confidence": 0.9}),
        ActionExecuted("action_answer_faq"),
        BotUttered("地网100万，全网1000万。"),
        SlotSet("registered_capital", 500.0),
    ]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events


async def test_the_sqlite_tracker_store_uses_wal_and_keeps_every_event(tmp_path) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy import text

    import patches

    patches.apply()
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = SQLTrackerStore(Domain.empty(), host=url)
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar().lower() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    tracker = DialogueStateTracker.from_events(
        "wal-user", [UserUttered("你好"), ActionExecuted("utter_greet")]
    )
    await store.save(tracker)
    store.engine.dispose()
    # a new store on the same file (as after a restart) reads every event back
    again = SQLTrackerStore(Domain.empty(), host=url)
    events = (await again.retrieve("wal-user")).events
    assert [e.text for e in events if isinstance(e, UserUttered)] == ["你好"]


def test_action_requests_are_the_same_json_values_and_nan_still_goes() -> None:
    import json as stdlib_json
    import math

    from patches import action_payload_json

    payload = {
        "tracker": {"events": [{"event": "user", "text": "注册资本/多少？", "confidence": 0.1 + 0.2}]},
        "next_action": "action_answer_faq",
        "n": [1, None, True, 2.5e-8],
    }
    assert stdlib_json.loads(action_payload_json.dumps(payload)) == payload
    assert math.isnan(stdlib_json.loads(action_payload_json.dumps({"x": float("nan")}))["x"])


def test_rasa_sessions_write_json_with_it() -> None:
    import asyncio

    from rasa.utils.endpoints import EndpointConfig

    import patches
    from patches import action_payload_json

    patches.apply()

    async def serializer():
        async with EndpointConfig("http://127.0.0.1:9/webhook").session() as session:
            return session._json_serialize

    assert asyncio.run(serializer()) is action_payload_json.dumps
