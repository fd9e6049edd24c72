"""Serving bench: start a bot on loopback, measure cold start, latency and
throughput over REST, memory, and run the bounded load test.

Servers are tests/e2e/servers.Bot (free ports on 127.0.0.1, telemetry off, a
SQLite tracker store in a temporary directory, stopped by PID) with the model
path made a parameter.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import requests

from bench.conversations import SCRIPTS
from bench.stats import compare_conversation, latency_summary
from tests.e2e.servers import RASA, ROOT, Bot

# What the REST channel says when a turn failed or timed out (channels/rest.py).
ERROR_MARK = "暂时无法完成"


@dataclass
class BenchBot(Bot):
    model: Path = ROOT / "models" / "callcentre.tar.gz"
    cold_start_s: Optional[float] = None
    # the first message of the cold-start probe: one the bot answers with text
    probe: str = "你好"
    # the directory it runs from: its credentials.yml and endpoints.yml
    project: Path = ROOT

    def _popen_rasa(self, log: Any) -> subprocess.Popen:
        return subprocess.Popen(
            [
                str(RASA),
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
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
            ],
            cwd=self.project,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_rasa_timed(self, timeout: float = 300) -> float:
        """Start `rasa run` and return seconds from Popen to the first correct REST
        answer (a greeting answered with at least one text message)."""
        with open(self.workdir / "rasa.log", "ab") as log:
            started = time.monotonic()
            self.rasa = self._popen_rasa(log)
        deadline = started + timeout
        sender = f"cold-{uuid.uuid4().hex[:8]}"
        while time.monotonic() < deadline:
            if self.rasa.poll() is not None:
                raise RuntimeError(f"rasa exited with {self.rasa.returncode}, see {self.workdir}/rasa.log")
            try:
                r = requests.post(
                    f"{self.url}/webhooks/rest/webhook",
                    json={"sender": sender, "message": self.probe},
                    timeout=30,
                )
                if r.status_code == 200 and any(m.get("text") for m in r.json()):
                    self.cold_start_s = time.monotonic() - started
                    return self.cold_start_s
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"rasa did not answer within {timeout:.0f}s")


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


@dataclass
class Turn:
    sender: str
    text: str
    latency_s: float
    ok: bool
    replies: List[Dict[str, Any]] = field(default_factory=list)
    error: str = ""


class Driver:
    """Sends turns from the conversation scripts; each worker plays whole
    conversations (a new sender id for each), one turn at a time."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self.lock = threading.Lock()
        self.turns: List[Turn] = []
        # sender -> list of REST replies, one per turn sent (in order)
        self.conversations: Dict[str, List[List[Dict[str, Any]]]] = {}
        self._script_ids = itertools.count()

    def _send(self, session: requests.Session, sender: str, text: str) -> Turn:
        started = time.monotonic()
        try:
            r = session.post(
                f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
            )
            latency = time.monotonic() - started
            if r.status_code != 200:
                return Turn(sender, text, latency, False, error=f"HTTP {r.status_code}")
            replies = r.json()
            if not replies:
                return Turn(sender, text, latency, False, replies, "no reply")
            if any(ERROR_MARK in (m.get("text") or "") for m in replies):
                return Turn(sender, text, latency, False, replies, "error answer")
            return Turn(sender, text, latency, True, replies)
        except (requests.RequestException, ValueError) as e:
            return Turn(sender, text, time.monotonic() - started, False, error=type(e).__name__)

    def run(
        self, concurrency: int, max_turns: Optional[int] = None, duration_s: Optional[float] = None
    ) -> Tuple[List[Turn], float]:
        """Run `concurrency` workers until max_turns turns were sent in total or
        duration_s passed (a turn in flight is finished). Returns the turns and
        the wall time."""
        budget = itertools.count()
        results: List[Turn] = []
        stop_at = None if duration_s is None else time.monotonic() + duration_s

        def worker() -> None:
            with requests.Session() as session:
                while True:
                    script_no = next(self._script_ids)
                    script = SCRIPTS[script_no % len(SCRIPTS)]
                    sender = f"{self.prefix}-{script_no}-{uuid.uuid4().hex[:6]}"
                    for text in script:
                        if max_turns is not None and next(budget) >= max_turns:
                            return
                        if stop_at is not None and time.monotonic() >= stop_at:
                            return
                        turn = self._send(session, sender, text)
                        with self.lock:
                            results.append(turn)
                            self.conversations.setdefault(sender, []).append(turn.replies)

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results, time.monotonic() - started


def measure(url: str, prefix: str, concurrency: int, turns: int) -> Dict[str, Any]:
    driver = Driver(url, prefix)
    results, wall = driver.run(concurrency, max_turns=turns)
    summary = latency_summary([t.latency_s for t in results], wall, sum(not t.ok for t in results))
    summary["concurrency"] = concurrency
    summary["latencies_ms"] = [round(1000 * t.latency_s, 2) for t in results]
    summary["error_samples"] = [f"{t.text!r}: {t.error}" for t in results if not t.ok][:5]
    return summary


def warm_up(url: str, prefix: str) -> None:
    """Every script once, sequentially, then a few concurrent turns."""
    driver = Driver(url, prefix)
    driver.run(1, max_turns=sum(len(s) for s in SCRIPTS))
    driver.run(4, max_turns=20)


def load_test(bot: BenchBot, concurrency: int = 20, duration_s: float = 60) -> Dict[str, Any]:
    """Bounded load test: `concurrency` conversations for `duration_s` seconds,
    then every conversation's REST replies against its tracker."""
    driver = Driver(bot.url, "load")
    results, wall = driver.run(concurrency, duration_s=duration_s)
    errors = [t for t in results if not t.ok]
    problems: List[str] = []
    mismatched = 0
    for sender, rest_turns in driver.conversations.items():
        events = bot.tracker(sender)["events"]
        found = compare_conversation(rest_turns, events)
        if found:
            mismatched += 1
            problems.extend(f"{sender}: {p}" for p in found)
    summary = latency_summary([t.latency_s for t in results], wall, len(errors))
    summary["latencies_ms"] = [round(1000 * t.latency_s, 2) for t in results]
    return {
        "concurrency": concurrency,
        "duration_s": duration_s,
        "latency": summary,
        "conversations": len(driver.conversations),
        "mismatched_conversations": mismatched,
        "problems": problems[:50],
        "error_samples": [f"{t.text!r}: {t.error}" for t in errors][:10],
        "passed": not errors and mismatched == 0,
    }


def bench_bot(
    name: str, model: Path, workdir: Path, actions_port: int, runs: List[Tuple[int, int]], with_load: bool
) -> Dict[str, Any]:
    """Cold start, warm-up, RSS, latency at each (concurrency, turns), and the load
    test when asked. The action server (shared by both bots) is already up."""
    workdir.mkdir(parents=True, exist_ok=True)
    bot = BenchBot(workdir=workdir, model=model, actions_port=actions_port)
    result: Dict[str, Any] = {"model": str(model.relative_to(ROOT))}
    try:
        result["cold_start_s"] = round(bot.start_rasa_timed(), 2)
        warm_up(bot.url, f"warm-{name}")
        assert bot.rasa is not None
        result["rss_mb"] = round(rss_bytes(bot.rasa.pid) / 2**20, 1)
        for concurrency, turns in runs:
            result[f"c{concurrency}"] = measure(bot.url, f"{name}-c{concurrency}", concurrency, turns)
        result["rss_mb_after_runs"] = round(rss_bytes(bot.rasa.pid) / 2**20, 1)
        if with_load:
            result["load"] = load_test(bot)
    finally:
        bot.stop_rasa()
    return result
