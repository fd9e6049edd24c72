"""A bot and the chat page's server shared by the browser tests of one session."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.browser.servers import WebBot, WebServer, missing_tools
from tests.e2e.servers import free_port

STAFF_TOKEN = "staff-widget-token-3Qv"


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """The page, served on a free port, talking to a bot that allows its origin."""
    missing = missing_tools()
    if missing:
        pytest.fail("the browser test needs " + ", ".join(missing) + ": run `make setup`")
    workdir = Path(tmp_path_factory.mktemp("web"))
    web_port = free_port()
    origin = f"http://127.0.0.1:{web_port}"
    bot = WebBot(workdir=workdir, cors_origins=[origin])
    # the staff console on the same page server, reading this bot's tracker store and
    # writing through its HTTP API, as `make run` sets it up
    console_env = {
        "STAFF_TOKEN": STAFF_TOKEN,
        "RASA_AUTH_TOKEN": bot.token,
        "RASA_PORT": str(bot.rasa_port),
        "TRACKER_DB_URL": bot.env()["TRACKER_DB_URL"],
    }
    server = WebServer(rasa_url=bot.url, workdir=workdir, port=web_port, env=console_env)
    try:
        bot.start()
        yield server.start()
    finally:
        server.stop()
        bot.stop()
