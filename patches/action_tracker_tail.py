"""The action server gets the conversation's recent events, not all of them.

Rasa 3.6 sends the whole tracker with every call of a custom action: every event
of the conversation, each turned into a dict and written as JSON, then read and
decoded by the action server. That part of a turn grows with the conversation
(bench/results/serving-steps.md); the action server reads little of it.

The request is Rasa's own (``RemoteAction._action_call_format``) in every key
but ``tracker.events``, which holds the events from the ``USER_MESSAGES``-th
last user message on (all of them in a shorter conversation). The slots, the
latest message, the active form, the latest action and the paused flag are
sent whole as before; they are the tracker's state, not read from its events.

What reads the events in the action server, and how far back:
``actions/common.previous_answer_failed`` and
``actions/answers._previous_turn_answered`` (the bot's turn after the previous
user message: back to the second-last user message), rasa_sdk's
``get_latest_input_channel`` (the last user message) and
``FormValidationAction``'s ``slots_to_validate`` (the slot events after the last
user message). ``USER_MESSAGES`` covers all of them;
tests/unit/test_patches_action_tail.py checks that these readers answer the same
on the recent events as on all of them, and fails when a new reader of the
events appears in actions/ or licence/, so that its reach is checked here.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

# The readers above look back to the second-last user message.
USER_MESSAGES = 2

_ORIGINAL = RemoteAction._action_call_format


def recent_events(tracker: DialogueStateTracker, user_messages: int = USER_MESSAGES) -> List[Event]:
    """The tracker's events from its ``user_messages``-th last user message on."""
    recent: List[Event] = []
    seen = 0
    for event in reversed(tracker.events):
        recent.append(event)
        if isinstance(event, UserUttered):
            seen += 1
            if seen >= user_messages:
                break
    recent.reverse()
    return recent


def _action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> Dict[Text, Any]:
    """Rasa's request to the action server, with only the recent events."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in recent_events(tracker)]
    result: Dict[Text, Any] = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(
        self.name()
    ):
        result["domain"] = domain.as_dict()
    return result


def apply() -> None:
    RemoteAction._action_call_format = _action_call_format  # type: ignore[method-assign]


def restore() -> None:
    RemoteAction._action_call_format = _ORIGINAL  # type: ignore[method-assign]
