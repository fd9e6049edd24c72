"""The socket.io channel on several servers: an emit on one reaches a visitor on another.

Two channels ("servers") run in Sanic apps of their own on 127.0.0.1, each on its
own event loop. A python-socketio client (the widget's protocol) connects to one
and asks for its session; the other sends a bot message to that session, as a
server does that answers a message or a staff reply for a session whose transport
it does not hold. With one Redis the visitor gets it; with the state in each
process (no Redis) it never arrives, which is why several servers need Redis.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict, Iterator, List, Optional

import pytest
import socketio
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Sanic

from channels.socketio import SocketIOInput, redis_manager
from tests.channels.fake_wechat import LoopThread, free_socket

TIMEOUT = 10.0


class Server:
    """One Rasa server's socket.io channel in a Sanic app; it records what visitors say."""

    def __init__(self, redis_url: str) -> None:
        self.channel = SocketIOInput(session_persistence=True)
        self.channel.redis_url = redis_url
        self.received: List[UserMessage] = []
        self.loop = LoopThread("socketio-server")
        self.url = ""
        self._server: Any = None

    def start(self) -> "Server":
        self.loop.start()
        self.loop.run(self._start(), timeout=30)
        return self

    async def _start(self) -> None:
        async def on_new_message(message: UserMessage) -> None:
            self.received.append(message)

        Sanic.test_mode = True  # several apps in one process (see tests/channels/conftest.py)
        app = Sanic(f"socketio_test_{uuid.uuid4().hex}", configure_logging=False)
        app.config.MOTD = False
        app.blueprint(self.channel.blueprint(on_new_message), url_prefix="/webhooks/socketio")
        sock = free_socket()
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        assert server is not None
        await server.startup()
        self._server = server
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    def send_text(self, session_id: str, text: str) -> None:
        """What Rasa does to answer a message of ``session_id`` on this server."""
        assert self.channel.sio is not None
        output = SocketIOOutput(self.channel.sio, self.channel.bot_message_evt)
        self.loop.run(output.send_text_message(session_id, text))

    def wait_received(self, count: int) -> List[UserMessage]:
        """The messages received, once there are ``count`` (bounded wait, on this server's loop)."""

        async def wait() -> List[UserMessage]:
            while len(self.received) < count:
                await asyncio.sleep(0.02)
            return list(self.received)

        return self.loop.run(asyncio.wait_for(wait(), TIMEOUT), timeout=TIMEOUT + 5)

    def stop(self) -> None:
        async def close() -> None:
            for connection in list(self._server.connections):
                connection.close_if_idle()
            self._server.close()
            await self._server.wait_closed()

        self.loop.run(close())
        self.loop.stop()


class Visitor:
    """The widget's side: connects, asks for its session, collects bot messages."""

    def __init__(self) -> None:
        self.loop = LoopThread("socketio-visitor").start()
        self.client = socketio.AsyncClient(reconnection=False)
        self.messages: "asyncio.Queue[Dict[str, Any]]" = asyncio.Queue()
        self.confirmed: "asyncio.Queue[str]" = asyncio.Queue()
        self.client.on("bot_uttered", self.messages.put)
        self.client.on("session_confirm", self.confirmed.put)

    def connect(self, url: str, session_id: str) -> None:
        # Long polling: the websocket client of python-engineio needs a newer aiohttp
        # than Rasa's; the scale test drives websockets from the browser's side.
        async def connect() -> None:
            await self.client.connect(url, transports=["polling"], wait_timeout=int(TIMEOUT))
            await self.client.emit("session_request", {"session_id": session_id})
            assert await asyncio.wait_for(self.confirmed.get(), TIMEOUT) == session_id

        self.loop.run(connect(), timeout=TIMEOUT + 5)

    def say(self, session_id: str, text: str) -> None:
        payload = {"message": text, "session_id": session_id}
        self.loop.run(self.client.emit("user_uttered", payload))

    def next_message(self, timeout: float = TIMEOUT) -> Optional[Dict[str, Any]]:
        async def get() -> Optional[Dict[str, Any]]:
            try:
                return await asyncio.wait_for(self.messages.get(), timeout)
            except asyncio.TimeoutError:
                return None

        return self.loop.run(get(), timeout=timeout + 5)

    def close(self) -> None:
        # abort: not waiting for the pending long poll, which the server holds
        # until its next ping (25 s)
        self.loop.run(self.client.eio.disconnect(abort=True))
        self.loop.stop()


@pytest.fixture
def start_servers() -> Iterator[Any]:
    started: List[Any] = []

    def start(redis_url: str, count: int = 2) -> List[Server]:
        servers = [Server(redis_url).start() for _ in range(count)]
        started.extend(servers)
        return servers

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def visitor() -> Iterator[Visitor]:
    client = Visitor()
    yield client
    client.close()


def test_an_emit_on_one_server_reaches_a_visitor_connected_to_the_other(
    redis_url: str, start_servers: Any, visitor: Visitor
) -> None:
    a, b = start_servers(redis_url)
    session = uuid.uuid4().hex
    visitor.connect(b.url, session)

    a.send_text(session, "地网注册资本100万")
    assert visitor.next_message() == {"text": "地网注册资本100万"}

    # the visitor's own server still reaches it, once per emit, and the visitor's
    # messages are handled where its transport is
    b.send_text(session, "有效期5年")
    visitor.say(session, "谢谢")
    assert visitor.next_message() == {"text": "有效期5年"}
    assert visitor.next_message(timeout=1.0) is None
    assert [(m.sender_id, m.text) for m in b.wait_received(1)] == [(session, "谢谢")]
    assert a.received == []


def test_another_session_on_the_other_server_gets_nothing(
    redis_url: str, start_servers: Any, visitor: Visitor
) -> None:
    a, b = start_servers(redis_url)
    mine, theirs = uuid.uuid4().hex, uuid.uuid4().hex
    visitor.connect(b.url, mine)
    a.send_text(theirs, "别人的回答")
    a.send_text(mine, "你的回答")
    assert visitor.next_message() == {"text": "你的回答"}
    assert visitor.next_message(timeout=1.0) is None


def test_without_redis_each_server_reaches_only_its_own_visitors(
    start_servers: Any, visitor: Visitor
) -> None:
    a, b = start_servers("")
    session = uuid.uuid4().hex
    visitor.connect(b.url, session)
    a.send_text(session, "到不了")
    b.send_text(session, "本机的回答")
    assert visitor.next_message() == {"text": "本机的回答"}
    assert visitor.next_message(timeout=1.0) is None


def test_a_redis_that_does_not_answer_stops_the_channel_at_start() -> None:
    from rasa.shared.exceptions import RasaException

    sock = free_socket()  # listening, never answering a Redis PING within the timeout
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(RasaException, match=f"no Redis at 127.0.0.1:{port}") as raised:
        redis_manager(f"redis://:secret-pw@127.0.0.1:{port}/0")
    assert "secret-pw" not in str(raised.value)
    with pytest.raises(RasaException, match="not redis://"):
        redis_manager("memcached://127.0.0.1:1")
