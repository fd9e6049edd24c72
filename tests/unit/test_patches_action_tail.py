"""patches/action_tracker_tail.py: the action server gets the recent events
only, and what reads the events there answers as it did with all of them."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker

from actions.answers import NEED_ACTIONS, _previous_turn_answered
from actions.common import FAILED_ANSWERS, previous_answer_failed
from licence.context import TOPIC_ACTIONS
from patches import action_tracker_tail

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def patched() -> Iterator[None]:
    action_tracker_tail.apply()
    yield
    action_tracker_tail.apply()  # the server runs with the patch on


def conversation(domain: Domain, rng: random.Random, turns: int) -> DialogueStateTracker:
    actions = sorted(NEED_ACTIONS | TOPIC_ACTIONS) + ["utter_greet", "eligibility_form"]
    utterances = sorted(FAILED_ANSWERS) + ["utter_need_answer", "utter_faq/penalty", "utter_greet"]
    slots = [s.name for s in domain.slots if s.name != "requested_slot"]
    events: List[Event] = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]
    for _ in range(turns):
        channel = rng.choice(["rest", "socketio", "wechat"])
        events.append(UserUttered("x", {"name": "faq", "confidence": 1.0}, input_channel=channel))
        for _ in range(rng.randint(0, 3)):
            events.append(ActionExecuted(rng.choice(actions)))
            for _ in range(rng.randint(0, 3)):
                events.append(SlotSet(rng.choice(slots), rng.choice([True, "地网", 100, None])))
            if rng.random() < 0.5:
                events.append(BotUttered("y", metadata={"utter_action": rng.choice(utterances)}))
            if rng.random() < 0.1:
                events.append(ActiveLoop(rng.choice(["eligibility_form", None])))
        if rng.random() < 0.1:
            events.append(UserUtteranceReverted())
        events.append(ActionExecuted("action_listen"))
    tracker = DialogueStateTracker.from_events("t", events, domain.slots)
    # a message just logged, with no action after it yet, half of the time
    if rng.random() < 0.5:
        tracker.update(UserUttered("z", {"name": "faq", "confidence": 1.0}, input_channel="rest"))
        for _ in range(rng.randint(0, 3)):
            tracker.update(SlotSet(rng.choice(slots), rng.choice(["全网", 5])))
    return tracker


def sdk_tracker(request: Dict[str, Any]) -> Tracker:
    return Tracker.from_dict(request["tracker"])


def readings(tracker: Tracker) -> Dict[str, Any]:
    return {
        "previous_answer_failed": previous_answer_failed(tracker),
        "previous_turn_answered": _previous_turn_answered(tracker, NEED_ACTIONS),
        "topic_answered": _previous_turn_answered(tracker, TOPIC_ACTIONS),
        "input_channel": tracker.get_latest_input_channel(),
        "slots_to_validate": tracker.slots_to_validate(),
    }


@pytest.mark.parametrize("seed", range(30))
def test_the_readers_of_events_answer_as_with_the_whole_tracker(
    domain: Domain, patched: None, seed: int
) -> None:
    rng = random.Random(seed)
    tracker = conversation(domain, rng, rng.randint(0, 30))
    action = RemoteAction("action_answer_faq", None)
    ours = action._action_call_format(tracker, domain)
    action_tracker_tail.restore()
    try:
        theirs = action._action_call_format(tracker, domain)
    finally:
        action_tracker_tail.apply()
    assert readings(sdk_tracker(ours)) == readings(sdk_tracker(theirs))
    events, all_events = ours["tracker"].pop("events"), theirs["tracker"].pop("events")
    assert ours == theirs
    assert events == all_events[len(all_events) - len(events) :]
    if len(tracker.events) > 60:
        assert len(events) < len(all_events)


def test_a_long_conversation_sends_a_bounded_tail(domain: Domain, patched: None) -> None:
    short = conversation(domain, random.Random(1), 5)
    long = conversation(domain, random.Random(1), 500)
    action = RemoteAction("action_answer_faq", None)
    sent = len(action._action_call_format(long, domain)["tracker"]["events"])
    assert sent < 30 < len(long.events)
    assert len(action._action_call_format(short, domain)["tracker"]["events"]) < len(short.events)


# What reads the events a custom action gets, in the action server's code: every
# such reader must be one the patch's USER_MESSAGES was chosen for.
READERS = re.compile(
    r"\w*\.events\b|get_last_event_for|applied_events|events_after_latest_restart|idx_after_latest_restart"
    r"|last_executed_action_has|get_latest_input_channel|slots_to_validate|current_state\("
)
KNOWN_READERS = {
    "actions/answers.py": ["tracker.events"],
    "actions/chat.py": ["get_latest_input_channel"],
    "actions/common.py": ["tracker.events"],
}


def test_no_other_code_of_the_action_server_reads_the_events() -> None:
    found: Dict[str, List[str]] = {}
    for folder in ("actions", "licence"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line in path.read_text("utf-8").splitlines():
                code = line.strip()
                if code.startswith(("#", "from ", "import ")):
                    continue
                for match in READERS.finditer(code):
                    found.setdefault(str(path.relative_to(ROOT)), []).append(match.group(0))
    assert found == KNOWN_READERS, (
        "a new reader of the events in the action server: check how far back it reads "
        "against patches/action_tracker_tail.py's USER_MESSAGES, then add it here"
    )
