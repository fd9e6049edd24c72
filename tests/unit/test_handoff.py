"""channels.handoff: the pause of a handed-off conversation and its timeout.

Trackers are Rasa's own, built from events; time is a number the test sets,
never the wall clock.
"""

from __future__ import annotations

import asyncio
from typing import Any, List, Optional

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    Restarted,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from channels.handoff import (
    ACTIVE,
    RESUMED_RESPONSE,
    HandoffConfig,
    PauseGate,
    PauseState,
    Status,
    back_message,
    is_paused,
    pause_state,
    resume_events,
)
from console.rasa_api import RESUME_EVENTS

T0 = 1_800_000_000.0  # when the user asked for a human
MINUTE = 60.0
TIMEOUT = 30 * MINUTE


def tracker(*events: Event, sender: str = "oUser") -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, list(events))


def handed_off(at: float = T0) -> List[Event]:
    """The turn of the handoff action on WeChat: it ends paused, without action_listen."""
    return [
        ActionExecuted(ACTION_LISTEN_NAME, timestamp=at - 1),
        UserUttered("转人工", {"name": "human_handoff"}, timestamp=at, input_channel="wechat"),
        ActionExecuted("action_human_handoff", timestamp=at),
        BotUttered("正在为你转接人工客服", timestamp=at),
        ConversationPaused(timestamp=at),
    ]


# --------------------------------------------------------------------------- #
# The states
# --------------------------------------------------------------------------- #


def test_a_conversation_never_handed_off_is_active() -> None:
    assert pause_state(None, T0, TIMEOUT) == ACTIVE
    assert pause_state(tracker(UserUttered("你好", timestamp=T0)), T0, TIMEOUT) == ACTIVE


@pytest.mark.parametrize(
    ("elapsed", "status"),
    [
        (0, Status.PAUSED),
        (TIMEOUT - 1, Status.PAUSED),
        (TIMEOUT - 0.001, Status.PAUSED),
        (TIMEOUT, Status.TIMED_OUT),
        (TIMEOUT + 1, Status.TIMED_OUT),
        (3 * 3600, Status.TIMED_OUT),
    ],
)
def test_a_pause_times_out_after_the_timeout_counted_from_the_pause(elapsed: float, status: Status) -> None:
    assert pause_state(tracker(*handed_off()), T0 + elapsed, TIMEOUT) == PauseState(status, T0)


def test_messages_during_the_pause_do_not_restart_the_timeout() -> None:
    later = [UserUttered("在吗", timestamp=T0 + m * MINUTE) for m in (5, 15, 29)]
    assert pause_state(tracker(*handed_off(), *later), T0 + TIMEOUT, TIMEOUT).status is Status.TIMED_OUT


@pytest.mark.parametrize(
    "end",
    [
        ConversationResumed(timestamp=T0 + MINUTE),  # staff, through the console
        Restarted(timestamp=T0 + MINUTE),  # the user's /restart: Rasa resets the pause
        SessionStarted(timestamp=T0 + MINUTE),  # a new session resets it too
    ],
)
def test_a_resume_a_restart_or_a_new_session_ends_the_pause(end: Event) -> None:
    assert pause_state(tracker(*handed_off(), end), T0 + 2 * MINUTE, TIMEOUT) == ACTIVE


def test_a_second_handoff_counts_from_its_own_pause() -> None:
    second = T0 + 2 * TIMEOUT
    events = [*handed_off(), *resume_events(T0 + TIMEOUT), *handed_off(at=second)]
    assert pause_state(tracker(*events), second + TIMEOUT - 1, TIMEOUT) == PauseState(Status.PAUSED, second)


def test_a_zero_timeout_resumes_at_the_next_message() -> None:
    assert pause_state(tracker(*handed_off()), T0, 0).status is Status.TIMED_OUT


# --------------------------------------------------------------------------- #
# The resume
# --------------------------------------------------------------------------- #


def test_a_resume_says_back_and_ends_with_action_listen_for_the_rules() -> None:
    events = resume_events(T0 + TIMEOUT, {"text": "我回来了"})
    resumed = tracker(*handed_off(), *events)

    assert not resumed.is_paused()
    assert [type(e) for e in events] == [ConversationResumed, ActionExecuted, BotUttered, ActionExecuted]
    assert events[1].action_name == RESUMED_RESPONSE
    assert (events[2].text, events[2].metadata) == ("我回来了", {"utter_action": RESUMED_RESPONSE})
    assert resumed.latest_action_name == ACTION_LISTEN_NAME
    assert {e.timestamp for e in events} == {T0 + TIMEOUT}


def test_the_console_resumes_with_the_same_events_without_the_back_message() -> None:
    channel = [e.as_dict() for e in resume_events(T0)]
    assert [{k: d[k] for k in ("event", "name") if k in d} for d in channel] == RESUME_EVENTS
    console = [Event.from_parameters(d) for d in RESUME_EVENTS]
    assert not tracker(*handed_off(), *console).is_paused()


def test_the_back_message_is_the_domain_response() -> None:
    text = back_message()["text"]
    assert text and "{" not in text


# --------------------------------------------------------------------------- #
# The configuration
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, 1800.0), ("", 1800.0), (" 30 ", 1800.0), ("5", 300.0), ("0.5", 30.0), ("0", 0.0)],
)
def test_the_timeout_is_read_in_minutes(value: Optional[str], seconds: float) -> None:
    env = {} if value is None else {"HANDOFF_TIMEOUT_MIN": value}
    assert HandoffConfig.from_env(env).timeout == seconds


@pytest.mark.parametrize("value", ["-1", "thirty", "30min", "nan", "inf", "100000"])
def test_a_timeout_that_is_not_minutes_stops_the_server(value: str) -> None:
    with pytest.raises(RasaException, match="HANDOFF_TIMEOUT_MIN"):
        HandoffConfig.from_env({"HANDOFF_TIMEOUT_MIN": value})


# --------------------------------------------------------------------------- #
# The gate: reading and writing through Rasa's stores
# --------------------------------------------------------------------------- #


class YieldingStore(InMemoryTrackerStore):
    """Rasa's in-memory tracker store that lets other tasks run on every read,
    as a database would."""

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        await asyncio.sleep(0)
        return await super().retrieve(sender_id)


class QuickLocks(InMemoryLockStore):
    """Rasa's lock store, polling a taken lock every 10 ms instead of every second."""

    def lock(
        self, conversation_id: str, lock_lifetime: float = 60, wait_time_in_seconds: float = 0.01
    ) -> Any:
        return super().lock(conversation_id, lock_lifetime, wait_time_in_seconds)


class Agent:
    def __init__(self) -> None:
        self.tracker_store = YieldingStore(Domain.empty())
        self.lock_store = QuickLocks()

    def keep(self, *events: Event, sender: str = "oUser") -> None:
        asyncio.run(self.tracker_store.save(tracker(*events, sender=sender)))

    def events(self, sender: str = "oUser") -> List[Event]:
        found = asyncio.run(self.tracker_store.retrieve(sender))
        return list(found.events) if found else []


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def agent() -> Agent:
    return Agent()


def test_the_gate_lets_a_pause_that_has_not_timed_out_reach_rasa(agent: Agent) -> None:
    agent.keep(*handed_off())
    gate = PauseGate(HandoffConfig(), Clock(T0 + TIMEOUT - 1))
    before = agent.events()

    assert asyncio.run(gate.before_message(agent, "oUser")) is None
    assert agent.events() == before  # nothing written: Rasa logs the message, silent


def test_the_gate_resumes_a_timed_out_pause_once(agent: Agent) -> None:
    agent.keep(*handed_off())
    clock = Clock(T0 + TIMEOUT)
    gate = PauseGate(HandoffConfig(), clock)

    back = asyncio.run(gate.before_message(agent, "oUser"))
    clock.now += 1
    again = asyncio.run(gate.before_message(agent, "oUser"))

    assert back == back_message() and again is None
    stored = agent.events()
    assert sum(isinstance(e, ConversationResumed) for e in stored) == 1
    assert stored[-1] == ActionExecuted(ACTION_LISTEN_NAME)
    assert stored[-4].timestamp == T0 + TIMEOUT  # the resume is stamped with the injected clock


def test_two_messages_at_once_after_the_timeout_resume_once(agent: Agent) -> None:
    agent.keep(*handed_off())
    gate = PauseGate(HandoffConfig(), Clock(T0 + TIMEOUT))

    async def both() -> List[Any]:
        return list(await asyncio.gather(*(gate.before_message(agent, "oUser") for _ in range(2))))

    results = asyncio.run(both())
    assert results.count(None) == 1  # the second read the tracker again under the lock
    assert sum(isinstance(e, ConversationResumed) for e in agent.events()) == 1


def test_the_gate_knows_nothing_without_an_agent_or_a_tracker(agent: Agent) -> None:
    gate = PauseGate(HandoffConfig(), Clock(T0))
    assert asyncio.run(gate.before_message(None, "oUser")) is None
    assert asyncio.run(gate.before_message(agent, "nobody")) is None
    assert asyncio.run(gate.state(agent, "nobody")) == ACTIVE


def test_is_paused_follows_the_tracker(agent: Agent) -> None:
    agent.keep(*handed_off(), sender="paused")
    agent.keep(*handed_off(), ConversationResumed(timestamp=T0 + 1), sender="resumed")
    assert asyncio.run(is_paused(agent, "paused"))
    assert not asyncio.run(is_paused(agent, "resumed"))
    assert not asyncio.run(is_paused(agent, "nobody"))
    assert not asyncio.run(is_paused(None, "paused"))
