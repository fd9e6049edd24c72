"""The bot (with CORS for the page's origin) and the chat page's static server for
the browser tests. Every process started here is stopped by PID."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from tests.e2e.servers import MODEL, ROOT, Bot, free_port, wait_for

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
WEBCHAT_BUNDLE = ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js"
PLAYWRIGHT = ROOT / "web" / "node_modules" / "playwright-core" / "package.json"


def stop(process: Optional[subprocess.Popen]) -> None:
    """Stop a process started in its own session, and its children, by PID."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@dataclass
class WebBot(Bot):
    """The e2e bot, started with `--cors` for the origins a browser page comes from
    (as scripts/run.sh does with RASA_CORS_ORIGINS): the socket.io channel's
    long-polling requests need Sanic-CORS headers."""

    cors_origins: List[str] = field(default_factory=list)

    def rasa_args(self) -> List[str]:
        return [*super().rasa_args(), "--cors", *self.cors_origins]


@dataclass
class WebServer:
    """scripts/serve_web.py on a free port, pointed at a bot."""

    rasa_url: str
    workdir: Path
    port: int = field(default_factory=free_port)
    process: Optional[subprocess.Popen] = None
    # the environment on top of the test run's (the console's token, tracker store, Rasa)
    env: Dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> "WebServer":
        with open(self.workdir / "web.log", "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "scripts" / "serve_web.py"),
                    "--port",
                    str(self.port),
                    "--rasa-url",
                    self.rasa_url,
                ],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self.url, 20, self.process)
        return self

    def stop(self) -> None:
        stop(self.process)


def missing_tools() -> List[str]:
    """What the browser test needs and this machine lacks, each with how to get it."""
    missing = [
        f"{what} ({how})"
        for what, path, how in [
            ("a trained model", MODEL, "make train"),
            ("Chromium", CHROMIUM, "apt-get install chromium"),
            ("the rasa-webchat bundle", WEBCHAT_BUNDLE, "npm ci in web/"),
            ("playwright-core", PLAYWRIGHT, "npm ci in web/"),
        ]
        if not path.exists()
    ]
    if shutil.which("node") is None:
        missing.append("node (apt-get install nodejs)")
    return missing
