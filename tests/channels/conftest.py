"""The WeChat channel mounted in a Sanic app with a fake bot, and a fake WeChat API.

Both servers run on 127.0.0.1 in background threads; the tests talk to them
over real HTTP, the way WeChat's servers would. The channel and the fake bot
share a ``FakeClock``: a slow bot or a reply budget that runs out is the test
advancing that clock, never a wait on the real one.

``redis_url`` is a redis-server of the tests' own (Debian's package, installed
with apt-get when missing, as ``make test-scale`` does), on a free loopback
port, emptied for each test and stopped by PID after the session.
"""

from __future__ import annotations

import dataclasses
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

import pytest
import redis
import requests
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from channels.wechat import Clock, WeChatConfig, WeChatInput
from tests.channels.fake_clock import FakeClock
from tests.channels.fake_wechat import (
    AES_KEY,
    APPID,
    SECRET,
    TOKEN,
    FakeWeChatServer,
    LoopThread,
    SignedRequest,
    free_socket,
)
from tests.scale.services import Redis, ensure_packages

Answer = Union[List[Dict[str, Any]], Exception]


class FakeBot:
    """Stands in for ``agent.handle_message``: answers from a script.

    ``script[text] = (answer, delay)`` where answer is a list of Rasa bot
    messages (``{"text": ..., "buttons": [...]}``) or an exception to raise.
    Text not in the script is echoed as "echo: <text>". The delay is waited on
    ``clock``, the channel's.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.received: List[UserMessage] = []
        self.script: Dict[str, Tuple[Answer, float]] = {}

    def says(self, text: str, *messages: Dict[str, Any], delay: float = 0.0) -> None:
        self.script[text] = (list(messages), delay)

    def fails_on(self, text: str, error: Exception) -> None:
        self.script[text] = (error, 0.0)

    @property
    def texts(self) -> List[str]:
        return [m.text or "" for m in self.received]

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        text = message.text or ""
        answer, delay = self.script.get(text, ([{"text": f"echo: {text}"}], 0.0))
        if delay:
            await self.clock.sleep(delay)
        if isinstance(answer, Exception):
            raise answer
        for bot_message in answer:
            await message.output_channel.send_response(message.sender_id, dict(bot_message))


class ChannelApp:
    """A running Sanic app with the channel under ``/webhooks/wechat``."""

    def __init__(self, channel: WeChatInput, bot: FakeBot, access_log: bool = False) -> None:
        self.channel = channel
        self.clock = channel.clock
        self.access_log = access_log
        self.bot = bot
        self._loop = LoopThread("wechat-channel")
        self._server: Any = None
        self.base_url = ""
        self.http = requests.Session()
        self._pool = ThreadPoolExecutor(4, thread_name_prefix="wechat-post")

    @property
    def webhook(self) -> str:
        return f"{self.base_url}/webhooks/wechat/webhook"

    def start(self) -> "ChannelApp":
        self._loop.start()
        self._loop.run(self._start())
        return self

    async def _start(self) -> None:
        # Several apps start in one process: without test mode Sanic 21.12's
        # "touch-up" rewrites its own HTTP code twice and fails.
        Sanic.test_mode = True
        app = Sanic(f"wechat_test_{uuid.uuid4().hex}", configure_logging=False)
        app.config.MOTD = False
        # The same route Rasa's channel.register computes for a custom channel.
        app.blueprint(self.channel.blueprint(self.bot), url_prefix="/webhooks/wechat")
        sock = free_socket()
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=self.access_log)
        assert server is not None  # already listening (create_server awaited it)
        await server.startup()
        self._server = server
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    def stop(self) -> None:
        self.http.close()
        self._pool.shutdown(wait=False, cancel_futures=True)

        async def close() -> None:
            for connection in list(self._server.connections):
                connection.close_if_idle()
            self._server.close()
            await self._server.wait_closed()

        self._loop.run(close())
        self._loop.stop()

    def post(self, request: SignedRequest, **kwargs: Any) -> requests.Response:
        return self.http.post(self.webhook, params=request.params, data=request.body, timeout=10, **kwargs)

    def submit(self, request: SignedRequest) -> "Future[requests.Response]":
        """Posts from another thread, for requests that wait on the clock."""
        return self._pool.submit(
            requests.post,
            self.webhook,
            params=request.params,
            data=request.body,
            timeout=10,
        )

    def settle(self) -> None:
        """Waits until the channel has no bot run or push in flight."""
        self.run(self.channel.exchanges.wait_idle())

    def get(self, request: SignedRequest) -> requests.Response:
        return self.http.get(self.webhook, params=request.params, timeout=10)

    def run(self, coro: Any) -> Any:
        """Runs a coroutine on the app's event loop (for the channel's state)."""
        return self._loop.run(coro)


@pytest.fixture
def fake_wechat() -> Iterator[FakeWeChatServer]:
    with FakeWeChatServer() as server:
        yield server


def make_config(api_base: str, safe: bool = False, **overrides: Any) -> WeChatConfig:
    config = WeChatConfig(
        token=TOKEN,
        appid=APPID,
        secret=SECRET,
        aes_key=AES_KEY if safe else "",
        api_base=api_base,
        reply_budget=1.0,
        overflow_delay=0.05,
    )
    return dataclasses.replace(config, **overrides)


@pytest.fixture
def start_channel(
    fake_wechat: FakeWeChatServer,
) -> Iterator[Callable[..., ChannelApp]]:
    """``start_channel(safe=False, access_log=False, **overrides)`` -> a running app."""
    started: List[ChannelApp] = []

    def start(
        safe: bool = False,
        config: Optional[WeChatConfig] = None,
        access_log: bool = False,
        clock: Optional[FakeClock] = None,
        **overrides: Any,
    ) -> ChannelApp:
        """``clock``: one shared with other apps ("servers"); by default a clock of its own."""
        config = config or make_config(fake_wechat.base_url, safe=safe, **overrides)
        clock = clock or FakeClock()
        app = ChannelApp(WeChatInput(config, clock), FakeBot(clock), access_log).start()
        started.append(app)
        return app

    yield start
    for app in started:
        app.stop()


@pytest.fixture
def channel(start_channel: Callable[..., ChannelApp]) -> ChannelApp:
    """The channel in plain mode, reply budget 1 s."""
    return start_channel()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    ensure_packages(("redis-server",))
    server = Redis().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: Redis) -> Iterator[str]:
    """The URL of the tests' Redis, empty at the start of the test."""
    client = redis.Redis(host="127.0.0.1", port=redis_server.port)
    client.flushall()
    yield redis_server.url
    client.close()
