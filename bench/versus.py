"""The serving comparison with Rasa's stock starter bot (`make bench BENCH_ARGS=--serving-only`).

The starter is what `rasa init --no-prompt` creates and trains: stock Rasa 3.6
from the same venv, its stock config (DIET, TED, ...), its in-memory tracker and
lock stores, and none of this project's patches (they are applied only by the
project's own modules, which the starter never imports). It is created once in
build/bench/starter and reused. The project runs as `make run` serves it: its
SQLite tracker store (a fresh file per run), its action server.

Both bots are served the same way, one after the other, over REST on 127.0.0.1,
with the same load: a warm-up; one conversation of 200 turns (the turn-growth
ratio compares its turns 181-200 with its turns 1-20); then ten concurrent
conversations of 40 turns. Each bot gets a mix of FAQ questions and chit-chat it
understands (bench/conversations.py). Writes bench/results/serving.json and
serving.md and prints whether each target was met; it records, it does not fail
on a missed target.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import requests

from bench.conversations import PROJECT_MIX, STARTER_MIX, cycled
from bench.serve import BenchBot, rss_bytes
from bench.stats import latency_summary
from bench.versus_report import growth, render, summary_lines, targets
from tests.e2e.servers import RASA, ROOT

STARTER = ROOT / "build" / "bench" / "starter"
RESULTS = ROOT / "bench" / "results"
LONG_TURNS = 200
CONCURRENT = 10
CONCURRENT_TURNS = 40
WARM_UP_TURNS = 24


@dataclass
class StarterBot(BenchBot):
    """The starter bot, run from its own directory with its own endpoints and
    credentials (in-memory tracker store, no action server)."""

    project: Path = STARTER
    probe: str = "hello"


def starter_model(env: Dict[str, str], log: Any = print) -> Path:
    """The starter's trained model, creating and training the project the first time."""
    models = sorted((STARTER / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    shutil.rmtree(STARTER, ignore_errors=True)
    STARTER.mkdir(parents=True)
    log(f"creating the starter bot with `rasa init --no-prompt` in {STARTER.relative_to(ROOT)} (once)")
    with open(STARTER.parent / "starter-init.log", "wb") as out:
        code = subprocess.run(
            [str(RASA), "init", "--no-prompt", "--init-dir", str(STARTER)],
            cwd=STARTER.parent,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        ).returncode
    models = sorted((STARTER / "models").glob("*.tar.gz"))
    if code or not models:
        raise RuntimeError(f"`rasa init` exited {code}; see {STARTER.parent / 'starter-init.log'}")
    return models[-1]


@dataclass
class Sent:
    latency_s: float
    ok: bool
    replied: bool
    error: str = ""


def send(session: requests.Session, url: str, sender: str, text: str) -> Sent:
    """One REST turn; ok unless the HTTP exchange failed, replied when the bot said something."""
    started = time.monotonic()
    try:
        r = session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
        latency = time.monotonic() - started
        if r.status_code != 200:
            return Sent(latency, False, False, f"HTTP {r.status_code}")
        return Sent(latency, True, bool(r.json()))
    except (requests.RequestException, ValueError) as e:
        return Sent(time.monotonic() - started, False, False, type(e).__name__)


def conversation(url: str, sender: str, texts: Sequence[str]) -> List[Sent]:
    with requests.Session() as session:
        return [send(session, url, sender, text) for text in texts]


def concurrent(url: str, prefix: str, mix: List[str]) -> Tuple[List[Sent], float]:
    """CONCURRENT conversations of CONCURRENT_TURNS turns at once; their turns and the wall time."""
    results: List[List[Sent]] = [[] for _ in range(CONCURRENT)]

    def play(i: int) -> None:
        texts = cycled(mix, CONCURRENT_TURNS, start=i)
        results[i] = conversation(url, f"{prefix}-{i}-{uuid.uuid4().hex[:6]}", texts)

    threads = [threading.Thread(target=play, args=(i,), daemon=True) for i in range(CONCURRENT)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [s for r in results for s in r], time.monotonic() - started


def summarise(turns: List[Sent], wall_s: float) -> Dict[str, Any]:
    summary = latency_summary([t.latency_s for t in turns], wall_s, sum(not t.ok for t in turns))
    summary["unanswered"] = sum(t.ok and not t.replied for t in turns)
    summary["error_samples"] = [t.error for t in turns if not t.ok][:5]
    return summary


def serve_one(name: str, bot: BenchBot, mix: List[str]) -> Dict[str, Any]:
    """Start the bot, warm it up, run the long conversation and the concurrent load, stop it."""
    result: Dict[str, Any] = {"model": str(bot.model.relative_to(ROOT))}
    try:
        result["cold_start_s"] = round(bot.start_rasa_timed(), 2)
        conversation(bot.url, f"warm-{name}", cycled(mix, WARM_UP_TURNS))
        assert bot.rasa is not None
        result["rss_mb"] = round(rss_bytes(bot.rasa.pid) / 2**20, 1)
        started = time.monotonic()
        long = conversation(bot.url, f"long-{name}-{uuid.uuid4().hex[:6]}", cycled(mix, LONG_TURNS))
        result["long"] = summarise(long, time.monotonic() - started)
        result["long"]["growth"] = growth([t.latency_s for t in long])
        result["long"]["latencies_ms"] = [round(1000 * t.latency_s, 2) for t in long]
        turns, wall = concurrent(bot.url, f"c{CONCURRENT}-{name}", mix)
        result[f"c{CONCURRENT}"] = summarise(turns, wall)
        result["rss_mb_after_runs"] = round(rss_bytes(bot.rasa.pid) / 2**20, 1)
    finally:
        bot.stop_rasa()
    return result


def run(env: Dict[str, str], environment: Dict[str, Any], log: Any = print) -> Dict[str, Any]:
    """The whole comparison; writes serving.json and serving.md and returns the result."""
    starter = starter_model(env, log)
    work = Path(tempfile.mkdtemp(prefix="versus-", dir=STARTER.parent))
    result: Dict[str, Any] = {
        "environment": environment,
        "load": {
            "long_turns": LONG_TURNS,
            "concurrent": CONCURRENT,
            "concurrent_turns": CONCURRENT_TURNS,
            "warm_up_turns": WARM_UP_TURNS,
        },
    }
    actions: Optional[BenchBot] = None
    try:
        log(f"starter: {starter.relative_to(ROOT)}, in-memory tracker store")
        (work / "starter").mkdir()
        result["starter"] = serve_one(
            "starter", StarterBot(workdir=work / "starter", model=starter), STARTER_MIX
        )
        log(line("starter", result["starter"]))
        (work / "actions").mkdir()
        actions = BenchBot(workdir=work / "actions")
        actions.start_actions()
        (work / "project").mkdir()
        project = BenchBot(workdir=work / "project", actions_port=actions.actions_port)
        log(f"project: {project.model.relative_to(ROOT)}, SQLite tracker store")
        result["project"] = serve_one("project", project, PROJECT_MIX)
        log(line("project", result["project"]))
    finally:
        if actions is not None:
            actions.stop_actions()
        shutil.rmtree(work, ignore_errors=True)
    result["targets"] = targets(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "serving.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    (RESULTS / "serving.md").write_text(render(result), "utf-8")
    for text in summary_lines(result):
        print("  " + text)
    return result


def line(name: str, s: Dict[str, Any]) -> str:
    c = s[f"c{CONCURRENT}"]
    g = s["long"]["growth"]
    return (
        f"{name}: c={CONCURRENT} {c['msg_per_s']} msg/s p50 {c['p50_ms']} ms p95 {c['p95_ms']} ms; "
        f"long conversation p50 {s['long']['p50_ms']} ms, turns 181-200 / 1-20 = {g['ratio']}; "
        f"RSS {s['rss_mb_after_runs']} MB"
    )
