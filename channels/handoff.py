"""The bot's pause while a person has the conversation, read from Rasa's tracker.

A conversation is paused by Rasa's own ``ConversationPaused`` event (the handoff
action sends it where a person really takes over: WeChat, see README) and
resumed by ``ConversationResumed``. While it is paused, Rasa logs the user's
messages and predicts nothing, so the bot is silent by Rasa's own rule; this
module only adds what Rasa does not have:

* the timeout: a pause older than ``HANDOFF_TIMEOUT_MIN`` minutes ends with the
  user's next message, and the bot says it is back before it answers;
* reading the state for a channel that must stay silent instead of apologising
  for an empty answer (the REST channel).

The states::

    ACTIVE --handoff (ConversationPaused)--> PAUSED
    PAUSED --staff resume (console, ConversationResumed)--> ACTIVE
    PAUSED --HANDOFF_TIMEOUT_MIN pass--> TIMED_OUT (still paused in the tracker)
    TIMED_OUT --next user message: resume, "back"--> ACTIVE
    any --/restart or a new session--> ACTIVE (Rasa resets the pause itself)

``pause_state`` is pure (a tracker and a time in, a state out); ``PauseGate``
does the reading and the one write, under the conversation's lock.
"""

from __future__ import annotations

import enum
import logging
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from channels.responses import response_text

logger = logging.getLogger(__name__)

TIMEOUT_ENV = "HANDOFF_TIMEOUT_MIN"
DEFAULT_TIMEOUT_MIN = 30.0
# What the bot says first when a timed-out pause ends (domain.yml).
RESUMED_RESPONSE = "utter_handoff_resumed"


class Status(enum.Enum):
    ACTIVE = "active"  # the bot answers
    PAUSED = "paused"  # a person has the user; the bot is silent
    TIMED_OUT = "timed_out"  # paused longer than the timeout: the next message resumes


@dataclass(frozen=True)
class PauseState:
    status: Status
    # when the pause began (the ConversationPaused event's time), None if active
    paused_at: Optional[float] = None


ACTIVE = PauseState(Status.ACTIVE)


@dataclass(frozen=True)
class HandoffConfig:
    """How long a handoff pauses the bot at most, in seconds."""

    timeout: float = DEFAULT_TIMEOUT_MIN * 60

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "HandoffConfig":
        """``HANDOFF_TIMEOUT_MIN``: minutes, default 30; 0 resumes at the next message."""
        raw = ((os.environ if env is None else env).get(TIMEOUT_ENV) or "").strip()
        if not raw:
            return cls()
        try:
            minutes = float(raw)
        except ValueError:
            minutes = -1.0
        if not 0 <= minutes <= 7 * 24 * 60:
            raise RasaException(f"{TIMEOUT_ENV} must be a number of minutes from 0 to 10080, not {raw!r}")
        return cls(timeout=minutes * 60)


def pause_state(tracker: Optional[DialogueStateTracker], now: float, timeout: float) -> PauseState:
    """Where ``tracker``'s conversation stands at wall time ``now``.

    Whether it is paused is Rasa's own answer (``is_paused``: restarts and new
    sessions end a pause too); when the pause began is the latest
    ``ConversationPaused``.
    """
    if tracker is None or not tracker.is_paused():
        return ACTIVE
    paused_at = next(
        (float(e.timestamp) for e in reversed(tracker.events) if isinstance(e, ConversationPaused)),
        None,
    )
    if paused_at is None:  # paused, but the event is gone (a trimmed history)
        return PauseState(Status.PAUSED)
    if now - paused_at >= timeout:
        return PauseState(Status.TIMED_OUT, paused_at)
    return PauseState(Status.PAUSED, paused_at)


def resume_events(now: float, back: Optional[Dict[str, Any]] = None) -> List[Event]:
    """The events that end a pause, and say ``back`` when given.

    The turn that paused (the handoff action) ended without Rasa's
    ``action_listen``: the pause stops the prediction loop. Rules match a user
    message only after ``action_listen``, so a resume ends with one; otherwise
    the first message after the pause would get the fallback.
    """
    events: List[Event] = [ConversationResumed(timestamp=now)]
    if back is not None:
        events += [
            ActionExecuted(RESUMED_RESPONSE, timestamp=now),
            BotUttered(
                back.get("text"),
                {k: v for k, v in back.items() if k != "text"},
                {"utter_action": RESUMED_RESPONSE},
                timestamp=now,
            ),
        ]
    events.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=now))
    return events


def back_message() -> Dict[str, Any]:
    """The bot's "I am back" message (domain.yml's ``utter_handoff_resumed``)."""
    return {"text": response_text(RESUMED_RESPONSE)}


async def is_paused(agent: Any, sender_id: str) -> bool:
    """Whether Rasa keeps the bot silent in this conversation (False without an agent)."""
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return False
    tracker = await store.retrieve(sender_id)
    return tracker is not None and tracker.is_paused()


class PauseGate:
    """Checks a conversation's pause before its message reaches the bot.

    ``agent`` is Rasa's (``request.app.ctx.agent``): its tracker store and lock
    store. ``now`` is wall time (the injected clock's ``now`` in tests).
    """

    def __init__(self, config: HandoffConfig, now: Callable[[], float]) -> None:
        self.config = config
        self.now = now

    async def state(self, agent: Any, sender_id: str) -> PauseState:
        """The conversation's state; ACTIVE when there is no agent to ask."""
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return ACTIVE
        tracker = await store.retrieve(sender_id)
        return pause_state(tracker, self.now(), self.config.timeout)

    async def before_message(self, agent: Any, sender_id: str) -> Optional[Dict[str, Any]]:
        """Ends a timed-out pause; the "back" message to send first, else None.

        A pause that has not timed out is left to Rasa, which logs the message
        and stays silent. The resume is written under the conversation's lock,
        after reading the tracker again, so a staff resume or another message
        arriving at the same moment does not resume twice.
        """
        if (await self.state(agent, sender_id)).status is not Status.TIMED_OUT:
            return None
        async with agent.lock_store.lock(sender_id):
            tracker = await agent.tracker_store.retrieve(sender_id)
            now = self.now()
            state = pause_state(tracker, now, self.config.timeout)
            if tracker is None or state.status is not Status.TIMED_OUT:
                return None
            back = back_message()
            for event in resume_events(now, back):
                tracker.update(event)
            await agent.tracker_store.save(tracker)
        logger.info(
            "handoff of a %s conversation timed out after %.0f min; the bot answers again",
            tracker.get_latest_input_channel() or "",
            (now - (state.paused_at or now)) / 60,
        )
        return back
