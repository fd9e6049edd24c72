"""A bot and the chat page's server shared by the browser tests of one session."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.browser.servers import WebBot, WebServer, missing_tools
from tests.e2e.servers import free_port


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
    server = WebServer(rasa_url=bot.url, workdir=workdir, port=web_port)
    try:
        bot.start()
        yield server.start()
    finally:
        server.stop()
        bot.stop()
