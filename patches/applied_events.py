"""A tracker's applied events are worked out once, then extended with its new events.

``DialogueStateTracker.applied_events`` (the events not undone by a rewind, a
revert, a restart or a form's later run) walks the whole conversation every
time it is called, and Rasa 3.6 calls it several times a turn: the session
check of every message, ``get_last_event_for``, RulePolicy's states. Its cost
grows with the conversation (bench/results/serving-steps.md).

This keeps, on the tracker, the list it returned and how many of the tracker's
events it covers; a later call applies only the events added since, with the
same rules as Rasa's loop. Events are only ever appended to a tracker, so the
covered ones are unchanged when the tracker still holds the same event object at
the last covered position. When that does not hold, when a new form name
appears (Rasa's rule for a form's runs reads the names of every form in the
conversation, later ones included), or for a tracker that keeps a bounded
history, the list is worked out from the start as Rasa does. Callers get a new
list each time, as before. tests/unit/test_patches_applied_events.py compares
it with Rasa's own on random conversations.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, FrozenSet, List, Optional

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

_ORIGINAL = DialogueStateTracker.applied_events
MEMO = "_callcentre_applied_events"


@dataclass
class Memo:
    # the tracker's event deque the list was worked out from
    events: Any
    # how many of its events the list covers, and the last of them
    covered: int = 0
    last: Optional[Event] = None
    loop_names: FrozenSet[str] = frozenset()
    applied: List[Event] = field(default_factory=list)


def _loop_names(events: Any) -> FrozenSet[str]:
    return frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)


def _extend(tracker: DialogueStateTracker, memo: Memo, new: List[Event]) -> None:
    """The body of Rasa's ``applied_events`` loop, for the events ``new``."""
    applied = memo.applied
    for event in new:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in memo.loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    memo.applied = applied


def applied_events(self: DialogueStateTracker) -> List[Event]:
    events = self.events
    if self._max_event_history is not None or not isinstance(events, deque):
        return _ORIGINAL(self)
    total = len(events)
    memo: Optional[Memo] = self.__dict__.get(MEMO)
    if (
        memo is None
        or memo.events is not events
        or total < memo.covered
        or (memo.covered and events[memo.covered - 1] is not memo.last)
    ):
        memo = None
    new = [events[i] for i in range(memo.covered, total)] if memo is not None else []
    if memo is not None and not _loop_names(new) <= memo.loop_names:
        memo = None
    if memo is None:
        memo = Memo(events, loop_names=_loop_names(events))
        new = list(events)
        self.__dict__[MEMO] = memo
    _extend(self, memo, new)
    memo.covered = total
    memo.last = events[total - 1] if total else None
    return list(memo.applied)


def apply() -> None:
    DialogueStateTracker.applied_events = applied_events  # type: ignore[method-assign]


def restore() -> None:
    DialogueStateTracker.applied_events = _ORIGINAL  # type: ignore[method-assign]
