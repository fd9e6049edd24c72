"""A bot shared by the end-to-end tests of one session (starting it costs ~30 s)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e.servers import MODEL, Bot


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    running = Bot(workdir=Path(tmp_path_factory.mktemp("bot")))
    try:
        yield running.start()
    finally:
        running.stop()
