#!/usr/bin/env python3
"""Run the action server as deploy/Dockerfile.actions would, without Docker.

    python3 deploy/check_actions.py --venv /tmp/deploy-actions-venv

The venv must hold requirements-actions.lock alone, installed as the Dockerfile
does it (deploy/validate.sh makes it: scripts/find_python.sh, pip 24.0,
--require-hashes). This script copies into a temporary /app the files that the
Dockerfile's COPY lines name (read from the Dockerfile, so a missing file shows
here), starts `deploy/entrypoint.sh actions` there on a free loopback port, and
checks /health, that every custom action of domain.yml is registered, and one
real answer (action_answer_faq on faq/capital, which reads licence/ and zhtext/
data). The server is stopped by its PID.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]


def stage(dockerfile: Path, app: Path) -> List[str]:
    """Copy what the Dockerfile's final stage COPYs from the build context into ``app``."""
    text = dockerfile.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    final = max(i for i, line in enumerate(lines) if line.upper().startswith("FROM "))
    copied = []
    for line in lines[final:]:
        if not line.upper().startswith("COPY ") or "--from=" in line:
            continue
        *sources, dest = line.split()[1:]
        for source in sources:
            src = ROOT / source
            if not src.exists():
                raise FileNotFoundError(f"{dockerfile.name}: COPY {source}: no such file")
            if src.is_file() and dest.endswith("/"):
                target = app / dest / src.name
            else:
                target = app / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, target, dirs_exist_ok=True)
            else:
                shutil.copy2(src, target)
            copied.append(source)
    return copied


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(url: str, payload: Optional[Dict[str, Any]] = None) -> Any:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", required=True, type=Path)
    args = parser.parse_args(argv)
    import yaml  # from the venv that runs this script (the project's or the tools')

    failures: List[str] = []

    def check(ok: bool, what: str) -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            failures.append(what)

    app = Path(tempfile.mkdtemp(prefix="deploy-actions-app-"))
    copied = stage(ROOT / "deploy" / "Dockerfile.actions", app)
    print(f"  staged the image's files: {', '.join(copied)}")
    port = free_port()
    env = {
        "PATH": f"{args.venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(app),
        "LANG": "C.UTF-8",
        "ACTIONS_HOST": "127.0.0.1",
        "ACTIONS_PORT": str(port),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    log = open(app / "actions.log", "wb")
    server = subprocess.Popen(
        [str(app / "deploy" / "entrypoint.sh"), "actions"],
        cwd=app,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    print(f"  action server started, PID {server.pid}, on 127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if call(f"http://127.0.0.1:{port}/health") == {"status": "ok"}:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the action server did not start:\n" + (app / "actions.log").read_text())
            time.sleep(0.5)
        check(True, "/health answers")
        domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
        custom = {a for a in domain.get("actions", []) if a.startswith(("action_", "validate_"))}
        registered = {a["name"] for a in call(f"http://127.0.0.1:{port}/actions")}
        check(
            custom <= registered,
            f"all {len(custom)} custom actions of domain.yml are registered"
            + ("" if custom <= registered else f" (missing {sorted(custom - registered)})"),
        )
        latest = {
            "text": "注册资本要多少",
            "intent": {"name": "faq", "confidence": 0.95},
            "entities": [],
            "fine_intent": {"name": "faq/capital", "confidence": 0.9},
            "fine_ranking": [{"name": "faq/capital", "confidence": 0.9}],
        }
        tracker = {
            "sender_id": "deploy-check",
            "slots": {"requested_slot": None},
            "latest_message": latest,
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
        answer = call(
            f"http://127.0.0.1:{port}/webhook",
            {
                "next_action": "action_answer_faq",
                "sender_id": "deploy-check",
                "tracker": tracker,
                "domain": domain,
                "version": "3.6.21",
            },
        )
        names = [r.get("response") for r in answer.get("responses", [])]
        capital = next((r for r in answer["responses"] if r.get("response") == "utter_faq/capital"), {})
        check(
            "utter_faq/capital" in names and capital.get("local_capital") == 100,
            f"action_answer_faq answers faq/capital from the rule set ({names})",
        )
    finally:
        os.kill(server.pid, signal.SIGTERM)  # the entry point exec'd the server: this PID
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
        log.close()
        print(f"  action server stopped (PID {server.pid})")
        shutil.rmtree(app, ignore_errors=True)
    print("all checks passed" if not failures else f"{len(failures)} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
