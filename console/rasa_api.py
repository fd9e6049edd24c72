"""The console's writes, resuming a paused conversation and recording a staff reply,
through Rasa's HTTP API.

The console reads the tracker store itself, read only. A change to a conversation
goes through the Rasa server instead (``POST /conversations/<id>/tracker/events``),
which takes the conversation's lock and stores the events as it stores its own
turns, so a resume never races a message being answered.

The events are those of ``channels.handoff.resume_events`` without the "back"
message (this layer must not import channels; tests/unit/test_handoff.py checks
that the two agree): ``resume``, then ``action_listen``, because the handoff
action's turn ended paused, without one, and Rasa's rules read a user message
only after ``action_listen``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import quote, urlencode

RESUME_EVENTS: List[Dict[str, Any]] = [
    {"event": "resume"},
    {"event": "action", "name": "action_listen"},
]
TIMEOUT = 10.0


class RasaApiError(RuntimeError):
    """The Rasa server did not take the change (the message names no token)."""


@dataclass(frozen=True)
class RasaApi:
    """The Rasa server the console writes to, and its ``RASA_AUTH_TOKEN``."""

    url: str = "http://127.0.0.1:5005"
    token: Optional[str] = field(default=None, repr=False)
    timeout: float = TIMEOUT

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "RasaApi":
        """The server ``make run`` starts next to the console: 127.0.0.1:$RASA_PORT."""
        port = (env.get("RASA_PORT") or "").strip() or "5005"
        token = (env.get("RASA_AUTH_TOKEN") or "").strip()
        return cls(f"http://127.0.0.1:{port}", token or None)

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    def append_events(
        self, sender_id: str, events: List[Dict[str, Any]], output_channel: Optional[str] = None
    ) -> None:
        """Appends ``events``; with ``output_channel``, Rasa also sends their bot
        messages to that channel (``execute_side_effects``)."""
        if not self.token:
            raise RasaApiError("RASA_AUTH_TOKEN is not set: the console cannot reach Rasa's HTTP API")
        params = {"token": self.token}
        if output_channel:
            params.update(output_channel=output_channel, execute_side_effects="true")
        query = urlencode(params)
        request = urllib.request.Request(
            f"{self.url}/conversations/{quote(sender_id, safe='')}/tracker/events?{query}",
            data=json.dumps(events).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as error:
            raise RasaApiError(f"the Rasa server answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise RasaApiError(f"the Rasa server at {self.url} cannot be reached ({reason})") from None

    def resume(self, sender_id: str) -> None:
        """Ends the conversation's pause: the bot answers its next message."""
        self.append_events(sender_id, RESUME_EVENTS)
