"""The WeChat channel mounted in a Sanic app with a fake bot, and a fake WeChat API.

Both servers run on 127.0.0.1 in background threads; the tests talk to them
over real HTTP, the way WeChat's servers would. The channel and the fake bot
share a ``FakeClock``: a slow bot or a reply budget that runs out is the test
advancing that clock, never a wait on the real one.

``redis_url`` is a redis-server of the tests' own (Debian's package, installed
with apt-get when missing, as ``make test-scale`` does), on a free loopback
port, emptied for each test and stopped by PID after the session.

The fake bot keeps its conversations in Rasa's own tracker store (in memory, or
SQL on a SQLite file that the staff console can read) and lock store, mounted
as Rasa mounts its agent (``app.ctx.agent``), so the channel reads a handoff's
pause from real Rasa trackers. With a token, the app also serves an imitation
of Rasa's ``POST /conversations/<id>/tracker/events``, the route the console
resumes a conversation through.
"""

from __future__ import annotations

import dataclasses
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

import pytest
import redis
import requests
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.handoff import HandoffConfig
from channels.wechat import Clock, WeChatConfig, WeChatInput
from channels.wechat.render import TRANSFER_PAYLOAD
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
# What the handoff action sends on WeChat (domain.yml's wechat variation).
HANDOFF_TEXT = "正在为你转接人工客服，请稍候。"
HANDOFF = [{"text": HANDOFF_TEXT, "utter_action": "utter_human_handoff"}, {"custom": TRANSFER_PAYLOAD}]


class FakeAgent:
    """What the channel reads of Rasa's agent: its tracker store and lock store."""

    def __init__(self, tracker_store: Optional[TrackerStore] = None) -> None:
        self.tracker_store = tracker_store or InMemoryTrackerStore(Domain.empty())
        self.lock_store = InMemoryLockStore()

    async def tracker(self, sender_id: str) -> DialogueStateTracker:
        found = await self.tracker_store.retrieve(sender_id)
        return found or DialogueStateTracker(sender_id, [])


class FakeBot:
    """Stands in for ``agent.handle_message``: answers from a script.

    ``script[text] = (answer, delay)`` where answer is a list of Rasa bot
    messages (``{"text": ..., "buttons": [...]}``) or an exception to raise.
    Text not in the script is echoed as "echo: <text>". The delay is waited on
    ``clock``, the channel's.

    Like Rasa's processor it logs every message in the conversation's tracker
    and, while the tracker is paused, answers nothing. A text scripted with
    ``hands_off`` answers as the handoff action does on WeChat: the handoff
    text, the transfer payload, then ``ConversationPaused`` (and, as in Rasa,
    no ``action_listen`` after a pause).
    """

    def __init__(self, clock: Clock, tracker_store: Optional[TrackerStore] = None) -> None:
        self.clock = clock
        self.agent = FakeAgent(tracker_store)
        self.received: List[UserMessage] = []
        self.script: Dict[str, Tuple[Answer, float]] = {}
        self.pausing: set = set()

    def says(self, text: str, *messages: Dict[str, Any], delay: float = 0.0) -> None:
        self.script[text] = (list(messages), delay)

    def hands_off(self, text: str) -> None:
        self.says(text, *HANDOFF)
        self.pausing.add(text)

    def fails_on(self, text: str, error: Exception) -> None:
        self.script[text] = (error, 0.0)

    @property
    def texts(self) -> List[str]:
        return [m.text or "" for m in self.received]

    async def __call__(self, message: UserMessage) -> None:
        # Unlike Rasa it takes no conversation lock: tests send a user's next
        # message while a slow answer still waits on the fake clock.
        self.received.append(message)
        text = message.text or ""
        tracker = await self.agent.tracker(message.sender_id)
        tracker.update(UserUttered(text, input_channel=message.input_channel, timestamp=self.clock.now()))
        if tracker.is_paused():
            await self.agent.tracker_store.save(tracker)
            return
        answer, delay = self.script.get(text, ([{"text": f"echo: {text}"}], 0.0))
        if delay:
            await self.clock.sleep(delay)
        if isinstance(answer, Exception):
            raise answer
        tracker.update(ActionExecuted("action_fake_bot", timestamp=self.clock.now()))
        for bot_message in answer:
            metadata = {"utter_action": bot_message["utter_action"]} if "utter_action" in bot_message else {}
            tracker.update(BotUttered(bot_message.get("text"), metadata=metadata, timestamp=self.clock.now()))
            await message.output_channel.send_response(message.sender_id, dict(bot_message))
        if text in self.pausing:
            tracker.update(ConversationPaused(timestamp=self.clock.now()))
        else:
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME, timestamp=self.clock.now()))
        await self.agent.tracker_store.save(tracker)

    def events(self, sender_id: str, run: Callable[[Any], Any]) -> List[Any]:
        """The conversation's events, read on the channel's loop through ``run``."""
        return list(run(self.agent.tracker(sender_id)).events)


def rasa_http_api(agent: FakeAgent, token: str, now: Callable[[], float]) -> Blueprint:
    """Rasa's ``POST /conversations/<id>/tracker/events`` as rasa.server has it:
    ``?token=``, the conversation's lock, the events applied to its tracker
    (timestamped now) and the tracker saved."""
    bp = Blueprint(f"rasa_api_{uuid.uuid4().hex}")

    @bp.route("/conversations/<conversation_id>/tracker/events", methods=["POST"])
    async def append_events(request: Request, conversation_id: str) -> HTTPResponse:
        if request.args.get("token") != token:
            return response.json({"status": "failure", "reason": "NotAuthenticated"}, status=401)
        body = request.json
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.tracker(conversation_id)
            for data in body if isinstance(body, list) else [body]:
                event = Event.from_parameters(data)
                event.timestamp = now()
                tracker.update(event)
            await agent.tracker_store.save(tracker)
        return response.json(tracker.current_state())

    return bp


class ChannelApp:
    """A running Sanic app with the channel under ``/webhooks/wechat``."""

    def __init__(
        self,
        channel: WeChatInput,
        bot: FakeBot,
        access_log: bool = False,
        rasa_token: Optional[str] = None,
    ) -> None:
        self.channel = channel
        self.rasa_token = rasa_token
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
        # Where Rasa's server keeps its agent (rasa.core.run, rasa.server).
        app.ctx.agent = self.bot.agent
        # The same route Rasa's channel.register computes for a custom channel.
        app.blueprint(self.channel.blueprint(self.bot), url_prefix="/webhooks/wechat")
        if self.rasa_token:
            app.blueprint(rasa_http_api(self.bot.agent, self.rasa_token, self.clock.now))
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

    def terminate(self) -> "Future[None]":
        """What Sanic's server does on SIGTERM (sanic/server/runners.py): stop
        listening, close idle connections, then the "after_server_stop" listeners.
        Returns when that is done (``stop`` still ends the loop)."""

        async def shut_down() -> None:
            self._server.close()
            await self._server.wait_closed()
            for connection in list(self._server.connections):
                connection.close_if_idle()
            await self._server.after_stop()

        return self._loop.submit(shut_down())

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

    def events(self, sender_id: str) -> List[Any]:
        """The conversation's events in the bot's tracker store."""
        return self.bot.events(sender_id, self.run)


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
        handoff: Optional[HandoffConfig] = None,
        db: Optional[Path] = None,
        rasa_token: Optional[str] = None,
        **overrides: Any,
    ) -> ChannelApp:
        """``clock``: one shared with other apps ("servers"); by default a clock of its own.
        ``db``: the bot's trackers in Rasa's SQL tracker store on that SQLite file;
        ``rasa_token``: serve the imitation of Rasa's events route."""
        config = config or make_config(fake_wechat.base_url, safe=safe, **overrides)
        clock = clock or FakeClock()
        store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db)) if db else None
        bot = FakeBot(clock, store)
        app = ChannelApp(WeChatInput(config, clock, handoff), bot, access_log, rasa_token).start()
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
