"""PostgreSQL and Redis for the scale test (nginx: tests/scale/nginx.py): Debian's
packages, installed with apt-get only when missing, each started on a free port
on 127.0.0.1 in a temporary directory and stopped by PID (PostgreSQL with
``pg_ctl stop``).

PostgreSQL refuses to run as root, so its cluster belongs to the ``postgres``
user (created by the Debian package) and is run through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence


from tests.e2e.servers import free_port

PG_USER = "postgres"  # the system account that owns the cluster


def _pg_bin(name: str) -> Optional[str]:
    """Debian keeps initdb/pg_ctl in /usr/lib/postgresql/<version>/bin, not on PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    return found[-1] if found else shutil.which(name)


def _version_key(path: str) -> int:
    version = path.split("/")[4]
    return int(version) if version.isdigit() else 0


def find_nginx() -> Optional[str]:
    """Debian's nginx is in /usr/sbin, which is not on every PATH."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def ensure_packages(packages: Sequence[str] = ("postgresql", "redis-server", "nginx")) -> None:
    """apt-get install postgresql, redis-server and nginx (or those of ``packages``),
    only those that are missing. The WeChat channel's tests need only redis-server."""
    missing: List[str] = []
    if "postgresql" in packages and not (_pg_bin("initdb") and _pg_bin("pg_ctl")):
        missing.append("postgresql")
    if "redis-server" in packages and not shutil.which("redis-server"):
        missing.append("redis-server")
    if "nginx" in packages and not find_nginx():
        missing.append("nginx")
    if not missing:
        return
    if os.geteuid() != 0:
        raise RuntimeError(f"missing {' '.join(missing)}; install them (apt-get) or run as root")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # Without a policy-rc.d the packages would start their own system-wide
    # services (nginx on port 80); this test starts its own instances, so keep
    # those from starting.
    policy = Path("/usr/sbin/policy-rc.d")
    created_policy = not policy.exists()
    if created_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True, stdin=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
            env=env,
            check=True,
            stdin=subprocess.DEVNULL,
        )
    finally:
        if created_policy:
            policy.unlink()


def _wait_port(port: int, timeout: float) -> bool:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.3)
    return False


class Postgres:
    """A throw-away PostgreSQL cluster with a database ``rasa`` owned by ``rasa``."""

    def __init__(self) -> None:
        self.port = free_port()
        self.password = secrets.token_urlsafe(16)
        # not under pytest's tmp_path: its parents are 0700 root, unreadable for postgres
        self.dir = Path(tempfile.mkdtemp(prefix="scale-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.started = False

    @property
    def url(self) -> str:
        return f"postgresql://rasa:{self.password}@127.0.0.1:{self.port}/rasa"

    def _as_postgres(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", PG_USER, "--", *args],
            cwd=self.dir,
            check=check,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
        )

    def start(self) -> "Postgres":
        shutil.chown(self.dir, PG_USER, PG_USER)
        self.dir.chmod(0o700)
        pwfile = self.dir / "pw"
        pwfile.write_text(self.password + "\n")
        shutil.chown(pwfile, PG_USER, PG_USER)
        pwfile.chmod(0o600)
        self._as_postgres(
            str(_pg_bin("initdb")),
            "-D",
            str(self.data),
            "-U",
            "rasa",
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
        )
        pwfile.unlink()
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c max_connections=300 -c fsync=off"
        )
        self.started = True  # from here on stop() has something to do
        result = self._as_postgres(
            str(_pg_bin("pg_ctl")),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "180",
            "start",
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed:\n{result.stdout}\n{self.tail()}")
        env = dict(os.environ, PGPASSWORD=self.password)
        subprocess.run(
            [str(_pg_bin("createdb")), "-h", "127.0.0.1", "-p", str(self.port), "-U", "rasa", "rasa"],
            env=env,
            check=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        return self

    def pid(self) -> Optional[int]:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.started:
            pid = self.pid()
            result = self._as_postgres(
                str(_pg_bin("pg_ctl")),
                "-D",
                str(self.data),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "stop",
                check=False,
            )
            if result.returncode != 0 and pid is not None:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """redis-server on a free loopback port, nothing saved to disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="scale-redis-"))
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "Redis":
        with open(self.dir / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                [
                    shutil.which("redis-server") or "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    "--dir",
                    str(self.dir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        if not _wait_port(self.port, 60):
            raise RuntimeError(f"redis-server did not listen on {self.port}")
        return self

    def commandstats(self) -> Dict[str, int]:
        import redis

        stats = redis.Redis(host="127.0.0.1", port=self.port).info("commandstats")
        return {name: int(value["calls"]) for name, value in stats.items()}

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
