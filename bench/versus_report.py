"""Targets and the Markdown report of the serving comparison (bench/versus.py).
Pure functions of the result dictionary: tests/unit/test_bench.py covers them."""

from __future__ import annotations

import statistics
from typing import Any, Dict, List, Sequence

from bench.stats import check_target, fmt, table

# A turn's cost is flat when the last turns of a long conversation cost at most
# this much more than its first ones (medians, so one slow turn does not decide).
FLAT_GROWTH = 1.2


def growth(latencies_s: Sequence[float], window: int = 20) -> Dict[str, Any]:
    """Median latency of the first and the last `window` turns of one conversation, and their ratio."""
    first = statistics.median(latencies_s[:window])
    last = statistics.median(latencies_s[-window:])
    return {
        "window": window,
        "first_median_ms": round(1000 * first, 1),
        "last_median_ms": round(1000 * last, 1),
        "ratio": round(last / first, 3) if first else None,
    }


def targets(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    project, starter = result["project"], result["starter"]
    c = f"c{result['load']['concurrent']}"
    return [
        check_target(
            f"throughput at {c[1:]} conversations (msg/s)",
            project[c]["msg_per_s"],
            ">=",
            1.5,
            starter[c]["msg_per_s"],
            relative=True,
        ),
        check_target(
            f"p95 latency at {c[1:]} conversations (ms)",
            project[c]["p95_ms"],
            "<=",
            0.7,
            starter[c]["p95_ms"],
            relative=True,
        ),
        check_target(
            "turn cost growth, turns 181-200 / 1-20 (median)",
            project["long"]["growth"]["ratio"],
            "<=",
            FLAT_GROWTH,
            starter["long"]["growth"]["ratio"],
        ),
    ]


def summary_lines(result: Dict[str, Any]) -> List[str]:
    return [
        f"{'MET ' if t['met'] else ('n/a ' if t['met'] is None else 'MISS')} {t['name']}: "
        f"project {fmt(t['value'])}, starter {fmt(t['peer'])}, ratio {fmt(t['ratio_to_peer'])} "
        f"(target {t['target']})"
        for t in result["targets"]
    ]


def render(result: Dict[str, Any]) -> str:
    env, load = result["environment"], result["load"]
    c = f"c{load['concurrent']}"
    bots = ["project", "starter"]
    out: List[str] = ["# Serving: the project against Rasa's stock starter bot", ""]
    out.append(
        f"Run {env['date']} on {env['cpu_count']} CPUs ({env['platform']}), commit "
        f"`{env['git_commit']}`{' (dirty worktree)' if env.get('git_dirty') else ''}, "
        f"Rasa {env['rasa_version']}, Python {env['python']}. Load average at start "
        f"{env.get('loadavg_start', 'n/a')}. Both bots were measured in this run, one "
        "after the other; the ratios are what count on a shared machine."
    )
    out.append("")
    out.append(
        "Starter: `rasa init --no-prompt`, trained with its stock config, stock Rasa 3.6 "
        "without the project's patches, in-memory tracker store, no action server. Project: "
        "its default SQLite tracker store (a fresh file), its action server, its endpoints.yml. "
        f"Load over REST on 127.0.0.1 after a {load['warm_up_turns']}-turn warm-up: one "
        f"conversation of {load['long_turns']} turns, then {load['concurrent']} concurrent "
        f"conversations of {load['concurrent_turns']} turns, FAQ questions and chit-chat each "
        "bot understands (bench/conversations.py)."
    )
    out.append("")
    rows = []
    for b in bots:
        s = result[b]
        for label, m in ((f"{load['long_turns']}-turn conversation", s["long"]), (f"{c[1:]} at once", s[c])):
            rows.append(
                [
                    b,
                    label,
                    m["turns"],
                    m["errors"],
                    m["unanswered"],
                    fmt(m["p50_ms"], 1),
                    fmt(m["p95_ms"], 1),
                    fmt(m["p99_ms"], 1),
                    fmt(m["msg_per_s"], 2),
                ]
            )
    out.append(
        table(["bot", "load", "turns", "errors", "no reply", "p50 ms", "p95 ms", "p99 ms", "msg/s"], rows)
    )
    out.append("")
    rows = []
    for b in bots:
        s, g = result[b], result[b]["long"]["growth"]
        rows.append(
            [
                b,
                fmt(g["first_median_ms"], 1),
                fmt(g["last_median_ms"], 1),
                fmt(g["ratio"], 2),
                fmt(s["cold_start_s"], 1),
                fmt(s["rss_mb"], 0),
                fmt(s["rss_mb_after_runs"], 0),
            ]
        )
    out.append(
        table(
            [
                "bot",
                "turns 1-20 median ms",
                "turns 181-200 median ms",
                "growth",
                "cold start s",
                "RSS MB after warm-up",
                "RSS MB after the runs",
            ],
            rows,
        )
    )
    out.append("")
    out.append("## Targets")
    out.append("")
    rows = [
        [t["name"], fmt(t["value"]), fmt(t["peer"]), fmt(t["ratio_to_peer"]), t["target"], fmt(t["met"])]
        for t in result["targets"]
    ]
    out.append(table(["target", "project", "starter", "ratio", "target", "met"], rows))
    out.append("")
    out.append(
        "The throughput and p95 targets are ratios to the starter; the growth target is "
        f"the project's own ratio (at most {FLAT_GROWTH:g}: flat), the starter's shown beside it. "
        "RSS: the Rasa server process and its children (the project's action server is a "
        "separate process and not counted, as the starter has none)."
    )
    out.append("")
    return "\n".join(out)
