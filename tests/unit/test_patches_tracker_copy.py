"""patches/tracker_copy.py: a tracker's copy, cloned from the replay kept on it,
is the tracker Rasa's copy replays, at every step of a conversation."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any, Dict, Iterator, List
from unittest import mock

import pytest
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from patches import tracker_copy

ROOT = Path(__file__).resolve().parents[2]
FORM = "eligibility_form"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def patched() -> Iterator[None]:
    tracker_copy.apply()
    yield
    tracker_copy.apply()  # the server runs with the patch on


def random_event(rng: random.Random, slots: List[str]) -> Event:
    makers = [
        lambda: UserUttered("x", {"name": rng.choice(["faq", "inform"]), "confidence": 1.0}),
        lambda: ActionExecuted(rng.choice(["action_listen", "utter_greet", "action_answer_faq", FORM])),
        lambda: SlotSet(rng.choice(slots), rng.choice(["地网", True, 5, None])),
        lambda: ActiveLoop(rng.choice([FORM, None])),
        lambda: LoopInterrupted(rng.random() < 0.5),
        lambda: ActionExecutionRejected(FORM),
        lambda: BotUttered("y", metadata={"utter_action": "utter_greet"}),
        lambda: FollowupAction("utter_greet"),
        lambda: rng.choice([ConversationPaused(), ConversationResumed()]),
        lambda: rng.choice([UserUtteranceReverted(), ActionReverted(), Restarted(), SessionStarted()]),
    ]
    weights = [6, 8, 6, 2, 1, 1, 3, 1, 1, 1]
    return rng.choices(makers, weights)[0]()


def state(tracker: DialogueStateTracker) -> Dict[str, Any]:
    """All of a tracker's state, with the objects shared where Rasa's copy shares them."""
    public = {k: v for k, v in vars(tracker).items() if not k.startswith("_callcentre_")}
    slots = public.pop("slots")
    events = public.pop("events")
    loop = public.pop("active_loop")
    return {
        **public,
        "events": [id(e) for e in events],
        "maxlen": events.maxlen,
        "slots": {n: (type(s), vars(s)) for n, s in slots.items()},
        "active_loop": dataclasses.asdict(loop) if loop else None,
        "latest_message": shared(tracker.latest_message, events),
        "latest_bot_utterance": shared(tracker.latest_bot_utterance, events),
    }


def shared(message: Any, events: Any) -> Any:
    """The event itself when it is one of the tracker's, else (a reset) what it says."""
    if any(message is event for event in events):
        return id(message)
    return type(message).__name__, getattr(message, "text", None)


@pytest.mark.parametrize("seed", range(30))
def test_every_copy_of_a_growing_conversation_is_rasas(domain: Domain, patched: None, seed: int) -> None:
    rng = random.Random(seed)
    slots = [s.name for s in domain.slots]
    tracker = DialogueStateTracker("t", domain.slots)
    for _ in range(rng.randint(10, 60)):
        for _ in range(rng.randint(1, 5)):
            tracker.update(random_event(rng, slots))
        ours = tracker.copy()
        theirs = tracker_copy._ORIGINAL(tracker)
        assert state(ours) == state(theirs)
        # what the processor does with the copy: the policy's events, then the action's
        for event in [SlotSet(slots[0], "x"), ActiveLoop(FORM), LoopInterrupted(True), ActionExecuted(FORM)]:
            ours.update(event)
            theirs.update(event)
        assert state(ours) == state(theirs)
    assert state(tracker.copy()) == state(tracker_copy._ORIGINAL(tracker))


def test_a_tracker_read_back_from_its_applied_events_is_copied_as_rasa_replays_it(
    domain: Domain, patched: None
) -> None:
    events: List[Event] = [
        ActionExecuted("action_listen"),
        UserUttered("评估一下", {"name": "check_eligibility", "confidence": 1.0}),
        ActionExecuted(FORM),
        ActiveLoop(FORM),
        ActionExecuted("action_listen"),
        UserUttered("全国", {"name": "inform", "confidence": 1.0}),
        SlotSet("coverage", "全网"),
        ActionExecuted(FORM),
    ]
    restored = DialogueStateTracker("t", domain.slots)
    restored.recreate_from_dialogue(Dialogue("t", events))
    # the restored tracker's latest message is not the one the replay ends with
    assert restored.latest_message.text == "评估一下"
    assert restored.copy().latest_message.text == "全国"
    assert state(restored.copy()) == state(tracker_copy._ORIGINAL(restored))


def test_a_later_copy_replays_only_the_new_events(domain: Domain, patched: None) -> None:
    rng = random.Random(9)
    slots = [s.name for s in domain.slots]
    tracker = DialogueStateTracker("t", domain.slots)
    for _ in range(500):
        tracker.update(random_event(rng, slots))
    tracker.copy()
    tracker.update(UserUttered("x"))
    update = DialogueStateTracker.update
    with mock.patch.object(DialogueStateTracker, "update", autospec=True, side_effect=update) as counted:
        ours = tracker.copy()
    assert counted.call_count == 1
    assert state(ours) == state(tracker_copy._ORIGINAL(tracker))


def test_changing_a_copy_changes_neither_the_tracker_nor_the_next_copy(domain: Domain, patched: None) -> None:
    tracker = DialogueStateTracker("t", domain.slots)
    for event in [
        ActionExecuted("action_listen"),
        UserUttered("x"),
        ActiveLoop(FORM),
        SlotSet("coverage", "地网"),
    ]:
        tracker.update(event)
    before = state(tracker)
    first = tracker.copy()
    first.update(SlotSet("coverage", "全网"))
    first.update(LoopInterrupted(True))
    first.update(ActionExecutionRejected(FORM))
    first.latest_action["action_name"] = "changed"
    assert state(tracker) == before
    assert state(tracker.copy()) == state(tracker_copy._ORIGINAL(tracker))


def test_a_replaced_event_list_is_replayed_again(domain: Domain, patched: None) -> None:
    tracker = DialogueStateTracker.from_events(
        "t", [ActionExecuted("action_listen"), UserUttered("x")], domain.slots
    )
    tracker.copy()
    tracker.events.pop()
    tracker.events.append(UserUttered("other"))
    assert state(tracker.copy()) == state(tracker_copy._ORIGINAL(tracker))
