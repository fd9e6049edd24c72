"""The serving comparison's pure parts (bench/versus_report.py, bench/conversations.py):
the turn-growth figure, the targets against the starter bot and the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

from bench.conversations import PROJECT_MIX, cycled
from bench.versus_report import growth, render, summary_lines, targets


def test_growth_compares_the_medians_of_the_first_and_last_twenty_turns() -> None:
    latencies = [0.05] * 20 + [1.0] * 160 + [0.06] * 19 + [5.0]
    g = growth(latencies)
    assert (g["first_median_ms"], g["last_median_ms"], g["ratio"]) == (50.0, 60.0, 1.2)


def test_cycled_makes_a_conversation_of_any_length_from_the_mix() -> None:
    texts = cycled(PROJECT_MIX, 30, start=2)
    assert len(texts) == 30
    assert texts[0] == PROJECT_MIX[2] and texts[len(PROJECT_MIX) - 2] == PROJECT_MIX[0]


def bot(msg_per_s: float, p95: float, ratio: float) -> Dict[str, Any]:
    run = {"turns": 400, "errors": 0, "unanswered": 0, "p50_ms": 1.0, "p95_ms": p95, "p99_ms": p95}
    return {
        "cold_start_s": 10.0,
        "rss_mb": 900.0,
        "rss_mb_after_runs": 901.0,
        "long": run
        | {
            "msg_per_s": 20.0,
            "growth": {"first_median_ms": 40.0, "last_median_ms": 40.0 * ratio, "ratio": ratio},
        },
        "c10": run | {"msg_per_s": msg_per_s},
    }


def result(project: Dict[str, Any], starter: Dict[str, Any]) -> Dict[str, Any]:
    r = {
        "environment": {
            "date": "d",
            "cpu_count": 2,
            "platform": "p",
            "git_commit": "c",
            "rasa_version": "3.6",
            "python": "3.10",
        },
        "load": {"long_turns": 200, "concurrent": 10, "concurrent_turns": 40, "warm_up_turns": 24},
        "project": project,
        "starter": starter,
    }
    r["targets"] = targets(r)
    return r


def test_targets_are_ratios_to_the_starter_and_the_projects_own_growth() -> None:
    met = result(bot(30.0, 140.0, 1.1), bot(20.0, 200.0, 4.0))["targets"]
    assert [t["met"] for t in met] == [True, True, True]
    assert [t["ratio_to_peer"] for t in met[:2]] == [1.5, 0.7]
    missed = result(bot(29.0, 150.0, 1.3), bot(20.0, 200.0, 1.0))["targets"]
    assert [t["met"] for t in missed] == [False, False, False]


def test_the_report_shows_both_bots_and_every_target(tmp_path: Path) -> None:
    r = result(bot(30.0, 140.0, 1.1), bot(20.0, 200.0, 4.0))
    text = render(r)
    assert "| project | 10 at once | 400 |" in text and "| starter | 10 at once | 400 |" in text
    assert text.count("| yes |") == 3
    assert all(line.startswith("MET ") for line in summary_lines(r))
    json.dumps(r)  # serving.json holds the same result
