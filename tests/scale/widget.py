"""Website visitors for the scale test, one process per visitor driven line by
line: tests/scale/widget_client.mjs (the widget's own socket.io-client, from
web/node_modules) in node, and tests/scale/widget_browser.mjs (the real chat page
in headless Chromium, as tests/browser/ drives it). Each process runs in a session
of its own and is stopped by its PID (Chromium goes with its process group)."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

from tests.browser.servers import CHROMIUM, missing_tools, stop
from tests.e2e.servers import ROOT

CLIENT = Path(__file__).with_name("widget_client.mjs")
BROWSER = Path(__file__).with_name("widget_browser.mjs")
SOCKET_IO_CLIENT = ROOT / "web" / "node_modules" / "socket.io-client" / "package.json"
TIMEOUT = 150.0  # longer than the client's own bound on a wait (120 s)


def missing() -> List[str]:
    """What a visitor needs and this machine lacks, each with how to get it."""
    found = []
    if shutil.which("node") is None:
        found.append("node (apt-get install nodejs)")
    if not SOCKET_IO_CLIENT.exists():
        found.append("socket.io-client (npm ci in web/)")
    found.extend(tool for tool in missing_tools() if tool not in found)
    return found


def socketio_messages(turn: List[str]) -> int:
    """How many bot messages the socket.io channel sends for a turn whose REST
    answer is ``turn``: Rasa's socket.io output sends each paragraph of a text
    ("\\n\\n") as a message of its own, with or without buttons; the REST channel
    splits only texts without buttons. A message without text (custom JSON, an
    image) is one message on both."""
    return sum(len(text.strip().split("\n\n")) if text else 1 for text in turn)


def joined(texts: List[str]) -> str:
    """A turn's texts as one, paragraphs apart: the same on both channels."""
    return "\n\n".join(text.strip() for text in texts if text)


class Visitor:
    """One widget session (``session_id``) connected to ``url``."""

    def __init__(self, url: str, session_id: str) -> None:
        self._spawn(session_id, ["node", str(CLIENT), url, session_id])

    def _spawn(self, session_id: str, command: List[str]) -> None:
        self.session_id = session_id
        self.events: List[Dict[str, Any]] = []
        self._reports: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip():
                event = json.loads(line)
                self.events.append(event)
                self._reports.put(event)
        self._reports.put({"event": "exited"})

    def _next(self, *kinds: str) -> Dict[str, Any]:
        while True:
            try:
                event = self._reports.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"{self.session_id}: no {kinds} within {TIMEOUT:.0f}s") from None
            if event["event"] in (*kinds, "error", "exited"):
                assert event["event"] in kinds, f"{self.session_id}: {event} {self.stderr()}"
                return event

    def confirmed(self) -> Dict[str, Any]:
        """The next confirmation of the session (the first, or after a reconnection)."""
        return self._next("confirmed")

    def _send(self, command: Dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
        self.process.stdin.flush()

    def _command(self, command: Dict[str, Any]) -> List[Dict[str, Any]]:
        self._send(command)
        return list(self._next("turn")["replies"])

    def say(self, text: str, expect: int) -> List[Dict[str, Any]]:
        """Send ``text`` once the session is confirmed; the ``expect`` bot messages that follow."""
        return self._command({"say": text, "expect": expect})

    def receive(self, expect: int) -> List[Dict[str, Any]]:
        """The next ``expect`` bot messages nobody asked for (a staff reply, say)."""
        return self._command({"expect": expect})

    def connections(self) -> int:
        return max((e["connections"] for e in self.events if e["event"] == "confirmed"), default=0)

    def stderr(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        return self.process.stderr.read()[-2000:]

    def close(self, timeout: Optional[float] = 10) -> None:
        if self.process.poll() is None and self.process.stdin is not None:
            try:
                self.process.stdin.write('{"quit": true}\n')
                self.process.stdin.close()
                self.process.wait(timeout=timeout)
            except (OSError, subprocess.TimeoutExpired):
                pass
        stop(self.process)


class BrowserVisitor(Visitor):
    """The chat page at ``page_url`` in headless Chromium (profile in ``profile``);
    the server gives the session its id, known once it is confirmed."""

    def __init__(self, page_url: str, profile: Path) -> None:
        self._spawn("", ["node", str(BROWSER), page_url, str(CHROMIUM), str(profile)])

    def confirmed(self) -> Dict[str, Any]:
        event = super().confirmed()
        self.session_id = self.session_id or str(event["session"])
        return event

    def history(self, bot_messages: int, wait: float = 60) -> Dict[str, List[str]]:
        """The texts the page shows (``bot``, ``user``), once it shows ``bot_messages``
        bot messages (the widget delays each a little), or after ``wait`` seconds."""
        self._send({"history": bot_messages, "waitMs": int(wait * 1000)})
        event = self._next("history")
        return {"bot": list(event["bot"]), "user": list(event["user"])}

    def reload(self) -> None:
        """Reload the page; returns once the session is confirmed again."""
        self._send({"reload": True})
        self._next("reloaded")
