"""scripts/serve_web.py with the console on, started on a free port on 127.0.0.1 in
its own session and stopped by PID (tests/unit/test_console_server.py, the browser test)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import requests

from tests.e2e.servers import ROOT, free_port, wait_for


class Server:
    def __init__(self, workdir: Path, env: Dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full = {k: v for k, v in os.environ.items() if k not in ("STAFF_TOKEN", "RASA_AUTH_TOKEN")}
        full.update(env)
        with open(workdir / f"web-{self.port}.log", "ab") as log:
            self.process: Optional[subprocess.Popen] = subprocess.Popen(
                [sys.executable, str(ROOT / "scripts" / "serve_web.py"), "--port", str(self.port)],
                cwd=ROOT,
                env=full,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self.base + "/", 60, self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.base + path, timeout=30, allow_redirects=False, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return requests.post(self.base + path, timeout=30, allow_redirects=False, **kwargs)
