"""Start and stop the real action server and Rasa server for end-to-end tests.

Both listen on free ports on 127.0.0.1; the tracker store is a SQLite file in a
temporary directory; every process started here is stopped by PID.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "callcentre.tar.gz"
RASA = ROOT / ".venv" / "bin" / "rasa"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up in {timeout:.0f}s")


@dataclass
class Bot:
    """A running bot: REST channel, HTTP API (with token) and action server."""

    workdir: Path
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    extra_env: Dict[str, str] = field(default_factory=dict)
    # to try another channel set-up or model without touching the project's files
    credentials: str = "credentials.yml"
    model: Path = MODEL
    rasa: Optional[subprocess.Popen] = None
    actions: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            ACTIONS_PORT=str(self.actions_port),
            TRACKER_DB_URL=f"sqlite:///{self.workdir / 'tracker.db'}",
            HANDOFF_PHONE="400-123-4567",
            HANDOFF_WECHAT="cc-licence-test",
            HANDOFF_HOURS="工作日 9:00-18:00",
            WECHAT_TOKEN="",
            WECHAT_APPID="",
            WECHAT_SECRET="",
            WECHAT_AES_KEY="",
            WECHAT_API_BASE="http://127.0.0.1:9",
            MAX_BODY_BYTES="65536",
            LOCK_STORE_URL="",
            REDIS_URL="",
        )
        env.update(self.extra_env)
        return env

    def spawn_actions(self) -> None:
        with open(self.workdir / "actions.log", "ab") as log:
            self.actions = subprocess.Popen(
                [str(ROOT / "scripts" / "actions.sh")],
                cwd=ROOT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_actions(self) -> None:
        assert self.actions is not None
        wait_for(f"http://127.0.0.1:{self.actions_port}/health", 120, self.actions)

    def start_actions(self) -> None:
        self.spawn_actions()
        self.wait_actions()

    def spawn_rasa(self) -> None:
        with open(self.workdir / "rasa.log", "ab") as log:
            self.rasa = self._popen_rasa(log)

    def wait_rasa(self) -> None:
        assert self.rasa is not None
        wait_for(f"{self.url}/", 240, self.rasa)

    def start_rasa(self) -> None:
        self.spawn_rasa()
        self.wait_rasa()

    def rasa_args(self) -> List[str]:
        # "--auth-token=<token>": a token_urlsafe token can start with "-", which
        # argparse would take for an option if it were a separate argument.
        return [
            "run",
            "--model",
            str(self.model),
            "--enable-api",
            f"--auth-token={self.token}",
            "-i",
            "127.0.0.1",
            "--port",
            str(self.rasa_port),
            "--credentials",
            self.credentials,
            "--endpoints",
            "endpoints.yml",
        ]

    def _popen_rasa(self, log: Any) -> subprocess.Popen:
        return subprocess.Popen(
            [str(RASA), *self.rasa_args()],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start(self) -> "Bot":
        # Rasa calls the action server only when a message needs an action, so the
        # two start side by side: the slower start, not the sum, is the wait.
        self.spawn_actions()
        self.spawn_rasa()
        self.wait_actions()
        self.wait_rasa()
        return self

    @staticmethod
    def _stop(process: Optional[subprocess.Popen]) -> None:
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_actions(self) -> None:
        self._stop(self.actions)

    def stop_rasa(self) -> None:
        self._stop(self.rasa)

    def stop(self) -> None:
        self.stop_rasa()
        self.stop_actions()

    # --- talking to it -------------------------------------------------------

    def say(self, sender: str, text: str) -> List[Dict[str, Any]]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def texts(self, sender: str, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, text))

    def tracker(self, sender: str) -> Dict[str, Any]:
        response = requests.get(
            f"{self.url}/conversations/{sender}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def slots(self, sender: str) -> Dict[str, Any]:
        return self.tracker(sender)["slots"]
