"""patches/applied_events.py: a tracker's applied events, extended with its new
events, are the list Rasa's own ``applied_events`` returns, at every step."""

from __future__ import annotations

import random
from typing import Iterator, List
from unittest import mock

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from patches import applied_events

FORMS = ["eligibility_form", "lead_form"]


def random_event(rng: random.Random) -> Event:
    roll = rng.random()
    if roll < 0.25:
        return UserUttered("x", {"name": rng.choice(["faq", "inform", "affirm"]), "confidence": 1.0})
    if roll < 0.55:
        return ActionExecuted(rng.choice(["action_listen", "utter_greet", "action_answer_faq", *FORMS]))
    if roll < 0.65:
        return SlotSet("s", rng.choice(["a", "b", None]))
    if roll < 0.72:
        return ActiveLoop(rng.choice(FORMS + [None]))
    if roll < 0.78:
        return BotUttered("y")
    if roll < 0.83:
        return ActionExecutionRejected(rng.choice(FORMS))
    if roll < 0.88:
        return UserUtteranceReverted()
    if roll < 0.93:
        return ActionReverted()
    if roll < 0.96:
        return Restarted()
    return SessionStarted()


def theirs(tracker: DialogueStateTracker) -> List[Event]:
    return applied_events._ORIGINAL(tracker)


@pytest.fixture
def patched() -> Iterator[None]:
    applied_events.apply()
    yield
    applied_events.apply()  # the server runs with the patch on


@pytest.mark.parametrize("seed", range(40))
def test_every_step_of_a_random_conversation_matches_rasa(patched: None, seed: int) -> None:
    rng = random.Random(seed)
    tracker = DialogueStateTracker("t", [TextSlot("s", [])])
    for _ in range(rng.randint(20, 150)):
        for _ in range(rng.randint(1, 4)):
            tracker.update(random_event(rng))
        assert tracker.applied_events() == theirs(tracker)


def test_a_turn_walks_only_its_new_events(patched: None) -> None:
    rng = random.Random(1)
    tracker = DialogueStateTracker("t", [TextSlot("s", [])])
    for _ in range(300):
        tracker.update(UserUttered("x", {"name": "faq", "confidence": 1.0}))
        tracker.update(ActionExecuted(rng.choice(["action_answer_faq", "utter_greet"])))
        tracker.update(ActionExecuted("action_listen"))
        tracker.applied_events()
    tracker.update(UserUttered("y", {"name": "faq", "confidence": 1.0}))
    with mock.patch.object(applied_events, "_extend", wraps=applied_events._extend) as extend:
        assert tracker.applied_events() == theirs(tracker)
    assert len(extend.call_args.args[2]) == 1


def test_callers_may_change_the_list_they_get(patched: None) -> None:
    tracker = DialogueStateTracker.from_events("t", [ActionExecuted("action_listen"), UserUttered("x")])
    tracker.applied_events().clear()
    assert tracker.applied_events() == theirs(tracker) != []


def test_a_replaced_event_list_is_worked_out_again(patched: None) -> None:
    tracker = DialogueStateTracker.from_events("t", [ActionExecuted("action_listen"), UserUttered("x")])
    tracker.applied_events()
    tracker.events.pop()
    tracker.events.append(UserUttered("other"))
    assert tracker.applied_events() == theirs(tracker)
    tracker.events = tracker._create_events([ActionExecuted("utter_greet")])
    assert tracker.applied_events() == theirs(tracker)


def test_a_new_form_name_reworks_earlier_form_runs(patched: None) -> None:
    events: List[Event] = [
        ActionExecuted("action_listen"),
        UserUttered("x"),
        ActionExecuted("eligibility_form"),
        ActionExecuted("action_listen"),
        UserUttered("y"),
        ActionExecuted("eligibility_form"),
    ]
    tracker = DialogueStateTracker.from_events("t", events)
    tracker.applied_events()
    tracker.update(ActiveLoop("eligibility_form"))
    assert tracker.applied_events() == theirs(tracker)
    assert len(theirs(tracker)) < len(tracker.events)
