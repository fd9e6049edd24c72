"""Rasa's socket.io channel, fixed for python-socketio >= 5.10 and shared by several servers.

Rasa 3.6 calls `AsyncServer.enter_room()` without `await` (RasaHQ/rasa#13027); since
python-socketio 5.10 it is a coroutine, so the browser never joins the room named after
its session id and, with `session_persistence: true`, never receives the bot's answers.
This channel re-registers the `session_request` handler, awaiting `enter_room` when it is
a coroutine.

With Redis configured (`REDIS_URL`, else `LOCK_STORE_URL`: channels/redis_url.py, the
rule the WeChat channel follows), the server's client manager is python-socketio's
`AsyncRedisManager`: every emit is published on one Redis channel and each server
delivers it to the sockets of that room connected to it. A message for a session
(a bot reply, a staff reply sent through another server's HTTP API) then reaches the
visitor whichever server holds the transport. The transport itself (a websocket, or
the polling requests of one Engine.IO session) must still reach the server that
opened it: the load balancer's sticky routing (deploy/nginx/). Without Redis, the
manager is python-socketio's default, in this process, as in Rasa.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import redis
import socketio
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint

from channels.redis_url import redis_url_from_env

logger = logging.getLogger(__name__)

# The Redis pub/sub channel every server publishes its emits on and listens to.
# Pub/sub is not scoped by Redis database, so the name carries the project's prefix.
PUBSUB_CHANNEL = "callcentre:socketio"


def redis_manager(url: str, channel: str = PUBSUB_CHANNEL) -> socketio.AsyncRedisManager:
    """A Redis client manager for ``url``, once Redis has answered a PING.

    A Redis that does not answer stops the server at start, as for the lock store
    and the WeChat channel; neither message holds the URL (it may hold a password).
    """
    try:
        probe = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
    except ValueError:
        raise RasaException(
            "socket.io channel: the Redis URL is not redis://, rediss:// or unix://"
        ) from None
    try:
        probe.ping()
    except redis.RedisError as error:
        kwargs = probe.connection_pool.connection_kwargs
        where = kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}"
        # worded as the lock store's message: the same Redis, the same failure
        raise RasaException(f"socket.io channel: no Redis at {where} ({error})") from None
    finally:
        probe.close()
    return socketio.AsyncRedisManager(url, channel=channel)


class SocketIOInput(RasaSocketIOInput):
    """`socketio:` in credentials.yml, with the room fix; same name and webhook path.

    ``redis_url``: where emits are shared with the other servers; None (the default,
    and what credentials.yml gives) reads it from the environment when the server
    starts, '' keeps everything in this process.
    """

    redis_url: Optional[str] = None

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()
        url = redis_url_from_env() if self.redis_url is None else self.redis_url
        if url:
            # Rasa builds the AsyncServer itself; no connection has reached it yet, so
            # its manager (which starts listening on the first one) can still be replaced.
            manager = redis_manager(url)
            sio.manager = manager
            manager.set_server(sio)
            logger.info("socket.io channel: emits shared with the other servers through Redis")

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
