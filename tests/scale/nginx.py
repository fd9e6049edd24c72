"""nginx for the scale test: Debian's, running the deployment's own template,
deploy/nginx/callcentre.conf.template, rendered by deploy/render_nginx.py with the
two Rasa servers' ports. The test checks the file the containers use, not a copy
of it, and drains a server the way the template's header tells operators to.
Started on a free loopback port in a temporary directory, stopped by PID.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Callable, Dict, List, Optional, Sequence

import requests

from tests.e2e.servers import ROOT, free_port
from tests.scale.services import find_nginx


def _render_nginx_module() -> ModuleType:
    """deploy/render_nginx.py, loaded by path: deploy/ is not a package."""
    spec = importlib.util.spec_from_file_location("render_nginx", ROOT / "deploy" / "render_nginx.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _children(pid: int) -> Dict[int, str]:
    """The processes whose parent is ``pid``: PID -> title (nginx sets its
    workers' titles, e.g. "nginx: worker process is shutting down")."""
    found: Dict[int, str] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != pid:
                continue
            child = int(stat.split("/")[2])
            title = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").strip()
        except (OSError, IndexError, ValueError):
            continue  # it exited while we looked
        found[child] = title.decode(errors="replace")
    return found


class Nginx:
    """Debian's nginx on a free loopback port in front of two Rasa servers, with
    the deployment's template rendered into a temporary directory (config, pid
    file, temporary files; the access and error logs go to ``nginx.log``)."""

    def __init__(self, upstreams: Sequence[str]) -> None:
        self.upstreams = list(upstreams)
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="scale-nginx-"))
        # nginx's workers run as an unprivileged user and write their temporary
        # files (large proxied responses) under this directory
        self.dir.chmod(0o755)
        self.conf = self.dir / "nginx.conf"
        self.log = self.dir / "nginx.log"
        self.process: Optional[subprocess.Popen] = None
        self.binary = find_nginx()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def render(self, down: Sequence[str] = ()) -> Path:
        """Write the template, with the test's addresses and ``down`` marked down,
        and have ``nginx -t`` accept it."""
        render_nginx = _render_nginx_module()
        values = render_nginx.template_values(self.upstreams, f"127.0.0.1:{self.port}", str(self.dir))
        text = render_nginx.render(render_nginx.TEMPLATE.read_text(encoding="utf-8"), values)
        self.conf.write_text(render_nginx.mark_down(text, down), encoding="utf-8")
        check = subprocess.run(
            self._args("-t", "-q"),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused {self.conf}:\n{check.stderr}")
        return self.conf

    def _args(self, *extra: str) -> List[str]:
        # -e stderr: Debian's built-in error log (/var/log/nginx) is opened before
        # the config is read; -p: relative paths resolve in the temporary directory
        return [str(self.binary), "-e", "stderr", "-p", str(self.dir), "-c", str(self.conf), *extra]

    def start(self) -> "Nginx":
        if self.binary is None:
            raise RuntimeError("nginx is not installed (ensure_packages() installs it)")
        self.render()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self._args("-g", "daemon off;"),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._until(self._answers, 30, "nginx did not answer on its port")
        if self.pid() != self.process.pid:
            raise RuntimeError(f"nginx's pid file says {self.pid()}, the process is {self.process.pid}")
        return self

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/nginx-health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def _until(self, condition: Callable[[], bool], timeout: float, failure: str) -> None:
        """Poll ``condition`` until it holds; RuntimeError with the log after
        ``timeout`` seconds, or at once if nginx exits."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{failure} within {timeout:.0f}s:\n{self.tail()}")
            time.sleep(0.05)

    def workers(self) -> Dict[int, str]:
        """nginx's worker processes (PID -> title), the master's children."""
        assert self.process is not None
        return {pid: title for pid, title in _children(self.process.pid).items() if "worker" in title}

    def take_out(self, address: str) -> List[int]:
        """Step 1 of the template's rolling restart: mark ``address`` down in every
        upstream and reload (SIGHUP to the master, by its PID, as ``nginx -s
        reload`` does). Returns once the reload is in force: new workers run the
        new file and every old worker has stopped accepting connections (its title
        says "shutting down"), so nothing new reaches ``address``. The old workers
        still finish the requests they had sent to it: ``wait_exited`` waits for them."""
        assert self.process is not None
        self.render(down=[address])
        old = list(self.workers())
        os.kill(self.process.pid, signal.SIGHUP)

        def in_force() -> bool:
            now = self.workers()
            new = set(now) - set(old)
            return bool(new) and all("shutting down" in now[pid] for pid in old if pid in now)

        self._until(in_force, 60, f"nginx did not reload with {address} down")
        return old

    def wait_exited(self, workers: Sequence[int], timeout: float = 180) -> None:
        """Step 2: until none of ``workers`` (the old ones) is left, i.e. every
        request they had in flight has been answered."""
        self._until(
            lambda: not set(workers) & set(self.workers()), timeout, "nginx's old workers did not exit"
        )

    def pid(self) -> Optional[int]:
        try:
            return int((self.dir / "nginx.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def errors(self) -> List[str]:
        """The lines of the whole log at level error or worse."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        levels = ("[error]", "[crit]", "[alert]", "[emerg]")
        return [line for line in text.splitlines() if any(level in line for level in levels)]

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def access_log(self, since: int = 0) -> List[str]:
        """The access log's lines (the template's format, ``upstream=`` at the end),
        from byte ``since`` of the log on."""
        with open(self.log, "rb") as log:
            log.seek(since)
            text = log.read().decode(errors="replace")
        return [line for line in text.splitlines() if " upstream=" in line]

    def stop(self) -> None:
        """SIGQUIT (finish the requests in flight) to the master by its PID; the
        workers are its children and leave with it."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
