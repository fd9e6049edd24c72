"""A tracker's copy is cloned from a replay kept up to date, not replayed whole.

Rasa 3.6 copies the tracker before running every action (the action gets the
copy, with the policy's events applied, so that they can be dropped when the
action is rejected), and ``DialogueStateTracker.copy`` replays every event of
the conversation into a new tracker: a cost that grows with the conversation
(bench/results/serving-steps.md).

The copy must be what that replay gives, which is not always the tracker's own
state: a tracker read back from the store is rebuilt from its applied events
only, which can differ (a form's earlier runs folded away). So this keeps the
replay itself: a private tracker, built the way ``copy`` builds one and updated
with the events the tracker gained since the last copy; a copy is then a clone
of it: the same events in a new list, each slot copied, the active form copied
(it is changed in place), the rest of the state shared as the replay shares it
(events, messages). Events are only ever appended to a tracker; when the kept
replay no longer covers the first events (patches/applied_events.py says how
that is seen), it is built again from the start. Trackers of other classes
(training's) and those with a bounded history are copied as Rasa does.
tests/unit/test_patches_tracker_copy.py compares the clones with Rasa's copies.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import deque
from dataclasses import dataclass
from typing import Any, Optional

from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

_ORIGINAL = DialogueStateTracker.copy
_REPLAY = "_callcentre_copy_replay"
_PRIVATE = "_callcentre_"


@dataclass
class Replay:
    # the tracker's event deque it follows, and how many of its events it holds
    events: Any
    tracker: DialogueStateTracker
    covered: int = 0
    last: Optional[Event] = None


def _replay(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """The tracker's events replayed as ``copy`` replays them, kept up to date."""
    events = tracker.events
    total = len(events)
    replay: Optional[Replay] = tracker.__dict__.get(_REPLAY)
    if (
        replay is None
        or replay.events is not events
        or total < replay.covered
        or (replay.covered and events[replay.covered - 1] is not replay.last)
    ):
        replay = Replay(events, tracker.init_copy())
        tracker.__dict__[_REPLAY] = replay
    for i in range(replay.covered, total):
        replay.tracker.update(events[i])
    replay.covered = total
    replay.last = events[total - 1] if total else None
    return replay.tracker


def clone(source: DialogueStateTracker) -> DialogueStateTracker:
    """A new tracker in the state of ``source``, sharing none of what either changes in place."""
    target = source.init_copy()
    for key, value in source.__dict__.items():
        if key.startswith(_PRIVATE):
            continue
        if key == "events":
            value = deque(value, maxlen=value.maxlen)
        elif key == "slots":
            value = {name: copy.copy(slot) for name, slot in value.items()}
        elif key == "active_loop" and value is not None:
            value = dataclasses.replace(value)
        elif isinstance(value, dict):
            value = dict(value)
        target.__dict__[key] = value
    return target


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """Rasa's ``copy``, cloned from the kept replay."""
    if type(self) is not DialogueStateTracker or self._max_event_history is not None:
        return _ORIGINAL(self)
    return clone(_replay(self))


def apply() -> None:
    DialogueStateTracker.copy = copy_tracker  # type: ignore[method-assign]


def restore() -> None:
    DialogueStateTracker.copy = _ORIGINAL  # type: ignore[method-assign]
