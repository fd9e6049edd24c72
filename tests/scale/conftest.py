"""The scale tests' services, shared by every module of tests/scale (one start per run).

One action server and two Rasa servers (same model) with the tracker store in
PostgreSQL and the conversation locks, the WeChat channel's state and the
socket.io channel's emits in Redis; the WeChat channel on (plain mode) against a
fake WeChat API on loopback; nginx (the deployment's template) in front of both
servers, and the chat page (scripts/serve_web.py) pointed at nginx, for the module
that uses them. `make test-scale` runs them (it installs
Debian's postgresql, redis-server and nginx when missing); the other targets do
not collect them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import yaml

from tests.browser.servers import WebBot, WebServer
from tests.channels import fake_wechat as wx
from tests.e2e.servers import MODEL, ROOT, Bot, free_port
from tests.scale.conversations import Replies, run_all
from tests.scale.nginx import Nginx
from tests.scale.services import Postgres, Redis, ensure_packages

# PostgreSQL's application_name of each server's sessions (pg_stat_activity), so
# a test can see when a server is in the middle of a request
APP_NAME = {"a": "scale-a", "b": "scale-b"}
# The module that stops a server runs last, so that no other waits for a restart.
LAST = "test_three_channels.py"


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name == LAST)


@dataclass
class Stack:
    a: Bot
    b: Bot
    redis: Redis
    postgres: Postgres
    wechat: wx.FakeWeChatServer
    workdir: Path
    page_port: int  # where the chat page is served: the servers allow its origin (CORS)

    def name_of(self, server: Bot) -> str:
        return APP_NAME["a"] if server is self.a else APP_NAME["b"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    ensure_packages()
    workdir = Path(tmp_path_factory.mktemp("scale"))
    # The REST channel apologises after reply_timeout (20 s); on a loaded machine
    # that would change a reply, and this test is about the stores, not speed.
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    credentials["channels.rest.RestInput"]["reply_timeout"] = 300
    credentials_file = workdir / "credentials.yml"
    credentials_file.write_text(yaml.safe_dump(credentials, allow_unicode=True))

    postgres, redis, wechat = Postgres(), Redis(), wx.FakeWeChatServer()
    # the page's long-polling requests cross origins (the page's port, nginx's)
    page_port = free_port()
    cors = [f"http://127.0.0.1:{page_port}"]
    servers: List[Bot] = []
    try:
        postgres.start()
        redis.start()
        wechat.start()

        def env(name: str) -> Dict[str, str]:
            return {
                "TRACKER_DB_URL": f"{postgres.url}?application_name={name}",
                "LOCK_STORE_URL": redis.url,
                "WECHAT_TOKEN": wx.TOKEN,
                "WECHAT_APPID": wx.APPID,
                "WECHAT_SECRET": wx.SECRET,
                "WECHAT_API_BASE": wechat.base_url,
            }

        a = WebBot(
            workdir=workdir / "a",
            extra_env=env(APP_NAME["a"]),
            credentials=str(credentials_file),
            cors_origins=cors,
        )
        a.workdir.mkdir()
        servers.append(a)
        a.start_actions()
        b = WebBot(
            workdir=workdir / "b",
            extra_env=env(APP_NAME["b"]),
            credentials=str(credentials_file),
            actions_port=a.actions_port,
            token=a.token,
            cors_origins=cors,
        )
        b.workdir.mkdir()
        servers.append(b)
        # one at a time: two servers creating the tables at once log errors
        a.start_rasa()
        b.start_rasa()
        yield Stack(a, b, redis, postgres, wechat, workdir, page_port)
    finally:
        for server in reversed(servers):
            server.stop()
        wechat.stop()
        redis.stop()
        postgres.stop()


@pytest.fixture(scope="session")
def balancer(stack: Stack) -> Iterator[Nginx]:
    """nginx on a free loopback port in front of servers A and B."""
    nginx = Nginx([f"127.0.0.1:{stack.a.rasa_port}", f"127.0.0.1:{stack.b.rasa_port}"])
    try:
        nginx.start()
        yield nginx
    finally:
        nginx.stop()


@pytest.fixture(scope="session")
def page(stack: Stack, balancer: Nginx) -> Iterator[WebServer]:
    """The chat page, its widget pointed at nginx (scripts/serve_web.py --rasa-url)."""
    workdir = stack.workdir / "page"
    workdir.mkdir()
    server = WebServer(rasa_url=balancer.url, workdir=workdir, port=stack.page_port)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def references(stack: Stack) -> Dict[str, Replies]:
    """Script (as JSON) -> the replies one server gives it, each script once."""
    running(stack.a, stack.b)
    found: Dict[str, Replies] = {}
    for script, replies in run_all([stack.a], "single", 5).values():
        found.setdefault(json.dumps(script), replies)
    return found


def running(*servers: Bot) -> None:
    """A server stopped by a test run before this one (pytest -k, another order)
    is started again here."""
    for server in servers:
        if server.rasa is None or server.rasa.poll() is not None:
            server.start_rasa()
