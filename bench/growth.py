"""The project's turn-cost growth alone: one long conversation, no starter bot.

`python -m bench.growth` starts the action server and the Rasa server as the
serving comparison does (bench/versus.py: a fresh SQLite tracker store, REST on
127.0.0.1), warms up, plays one conversation of PROJECT_MIX texts and prints the
median latency of its first and last turns and their ratio, the figure the
comparison's growth target reads. A quick check for one change at a time; the
figures recorded in bench/results come from `python -m bench.run --serving-only`.

``--py-spy PATH`` (a py-spy binary) also samples both servers during the first
and the last window of turns and writes their collapsed stacks to --out, to see
what grows: compare ``rasa-first.txt`` with ``rasa-last.txt``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

import requests

from bench.conversations import PROJECT_MIX, cycled
from bench.serve import BenchBot
from bench.versus import WARM_UP_TURNS, send
from bench.versus_report import growth


def spy(binary: str, pid: int, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            binary,
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "200",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_spies(spies: List[subprocess.Popen]) -> None:
    for p in spies:
        os.killpg(p.pid, signal.SIGINT)
    for p in spies:
        p.wait(timeout=60)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--window", type=int, default=20)
    parser.add_argument("--py-spy", dest="py_spy", default="")
    parser.add_argument("--out", type=Path, default=Path("var/growth"))
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for both servers")
    args = parser.parse_args(argv)
    extra: Dict[str, str] = dict(item.split("=", 1) for item in args.env)
    work = Path(tempfile.mkdtemp(prefix="growth-"))
    bot = BenchBot(workdir=work, extra_env=extra)
    try:
        bot.start_actions()
        bot.start_rasa_timed()
        assert bot.rasa is not None and bot.actions is not None
        latencies: List[float] = []
        with requests.Session() as session:
            for text in cycled(PROJECT_MIX, WARM_UP_TURNS):
                send(session, bot.url, "warm", text)
            sender = f"long-{uuid.uuid4().hex[:6]}"
            spies: List[subprocess.Popen] = []
            for i, text in enumerate(cycled(PROJECT_MIX, args.turns)):
                if args.py_spy and i in (0, args.turns - args.window):
                    args.out.mkdir(parents=True, exist_ok=True)
                    part = "first" if i == 0 else "last"
                    spies = [
                        spy(args.py_spy, bot.rasa.pid, args.out / f"rasa-{part}.txt"),
                        spy(args.py_spy, bot.actions.pid, args.out / f"actions-{part}.txt"),
                    ]
                    time.sleep(1)
                sent = send(session, bot.url, sender, text)
                if not sent.ok:
                    raise RuntimeError(f"turn {i + 1} failed: {sent.error}; see {work}")
                latencies.append(sent.latency_s)
                if spies and i + 1 in (args.window, args.turns):
                    stop_spies(spies)
                    spies = []
        g = growth(latencies, args.window)
        print(
            f"turns 1-{args.window} {g['first_median_ms']} ms, "
            f"{args.turns - args.window + 1}-{args.turns} {g['last_median_ms']} ms, growth {g['ratio']}"
        )
    finally:
        bot.stop()


if __name__ == "__main__":
    main()
