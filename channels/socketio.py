"""Rasa's socket.io channel with session persistence that works on python-socketio >= 5.10.

Rasa 3.6 calls `AsyncServer.enter_room()` without `await` (RasaHQ/rasa#13027); since
python-socketio 5.10 it is a coroutine, so the browser never joins the room named after
its session id and, with `session_persistence: true`, never receives the bot's answers.
This channel re-registers the `session_request` handler, awaiting `enter_room` when it is
a coroutine. Everything else is Rasa's channel.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

logger = logging.getLogger(__name__)


class SocketIOInput(RasaSocketIOInput):
    """`socketio:` in credentials.yml, with the room fix; same name and webhook path."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data or {}
            if data.get("session_id") is None:
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, data["session_id"])
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", data["session_id"], room=sid)
            logger.debug(f"User {sid} connected to socketIO endpoint.")

        return blueprint
