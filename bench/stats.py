"""Pure functions of the bench: percentiles, metric aggregation, target checks and
the Markdown report. No Rasa, no I/O, no clock: tests/unit/test_bench.py covers them.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

# --- latency ------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0..100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(ordered[low])
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def latency_summary(latencies_s: Sequence[float], wall_s: float, errors: int = 0) -> Dict[str, Any]:
    """p50/p95/p99/mean/max in milliseconds and messages per second over the wall time."""
    ms = [1000.0 * x for x in latencies_s]
    return {
        "turns": len(ms),
        "errors": errors,
        "wall_s": round(wall_s, 3),
        "msg_per_s": round(len(ms) / wall_s, 3) if wall_s > 0 else 0.0,
        "p50_ms": round(percentile(ms, 50), 1) if ms else None,
        "p95_ms": round(percentile(ms, 95), 1) if ms else None,
        "p99_ms": round(percentile(ms, 99), 1) if ms else None,
        "mean_ms": round(sum(ms) / len(ms), 1) if ms else None,
        "max_ms": round(max(ms), 1) if ms else None,
    }


# --- NLU ----------------------------------------------------------------------


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    if not values:
        raise ValueError("mean of no values")
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(var)


def intent_metrics(report: Dict[str, Any]) -> Dict[str, float]:
    """Accuracy and macro-F1 from a `rasa test nlu` intent_report.json (retrieval
    intents count as one class, `faq`, as in scripts/nlu_report.py)."""
    return {
        "accuracy": float(report["accuracy"]),
        "macro_f1": float(report["macro avg"]["f1-score"]),
        "weighted_f1": float(report["weighted avg"]["f1-score"]),
        "support": int(report["macro avg"]["support"]),
    }


def aggregate_folds(folds: Sequence[Dict[str, Optional[float]]]) -> Dict[str, Any]:
    """Mean and standard deviation of every metric over the folds; a metric that is
    None in any fold (not measurable) stays None."""
    keys: List[str] = []
    for fold in folds:
        keys.extend(k for k in fold if k not in keys)
    result: Dict[str, Any] = {"folds": len(folds)}
    for key in keys:
        values = [fold.get(key) for fold in folds]
        if any(v is None for v in values):
            result[key] = None
            result[f"{key}_std"] = None
            continue
        mean, std = mean_std([float(v) for v in values])  # type: ignore[arg-type]
        result[key] = round(mean, 4)
        result[f"{key}_std"] = round(std, 4)
    return result


def confusion(pairs: Iterable[Tuple[str, str]]) -> Tuple[List[str], List[List[int]]]:
    """Labels (sorted, union of expected and predicted) and the count matrix
    rows=expected, columns=predicted."""
    pairs = list(pairs)
    labels = sorted({a for a, _ in pairs} | {b for _, b in pairs})
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for expected, predicted in pairs:
        matrix[index[expected]][index[predicted]] += 1
    return labels, matrix


# --- conversations: REST replies against the tracker ----------------------------


def turns_from_events(events: Sequence[Dict[str, Any]]) -> Tuple[List[List[str]], List[str]]:
    """Split tracker events into turns: for each user event, the texts of the bot
    events that follow it. Bot events before the first user event are returned
    separately (the bot should never speak unasked)."""
    turns: List[List[str]] = []
    before: List[str] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            turns.append([])
        elif kind == "bot":
            text = event.get("text") or ""
            (turns[-1] if turns else before).append(text)
    return turns, before


def compare_conversation(
    rest_turns: Sequence[Sequence[Dict[str, Any]]], events: Sequence[Dict[str, Any]]
) -> List[str]:
    """Problems between what REST answered (one list of messages per sent turn) and
    what the tracker recorded; an empty list means every turn matches exactly."""
    problems: List[str] = []
    tracked, before = turns_from_events(events)
    if before:
        problems.append(f"{len(before)} bot message(s) before the first user turn")
    if len(tracked) != len(rest_turns):
        problems.append(f"{len(rest_turns)} turns sent, {len(tracked)} user events tracked")
    for i, (sent, recorded) in enumerate(zip(rest_turns, tracked)):
        replied = [m.get("text") or "" for m in sent]
        if replied != recorded:
            if len(replied) < len(recorded):
                kind = "lost"
            elif len(replied) > len(recorded):
                kind = "duplicated"
            else:
                kind = "different"
            problems.append(f"turn {i}: {kind} bot messages (REST {len(replied)}, tracker {len(recorded)})")
    return problems


# --- targets --------------------------------------------------------------------


def ratio(value: Optional[float], peer: Optional[float]) -> Optional[float]:
    if value is None or peer is None or peer == 0:
        return None
    return round(value / peer, 3)


def check_target(
    name: str,
    value: Optional[float],
    op: str,
    threshold: float,
    peer: Optional[float] = None,
    unit: str = "",
    relative: bool = False,
) -> Dict[str, Any]:
    """One row of the targets table. With relative=True the threshold applies to
    value/peer (e.g. throughput at least 1.5x the peer's)."""
    r = ratio(value, peer)
    compared = r if relative else value
    if compared is None:
        met: Optional[bool] = None
    elif op == ">=":
        met = compared >= threshold
    elif op == "<=":
        met = compared <= threshold
    elif op == "<":
        met = compared < threshold
    else:
        raise ValueError(f"unknown operator {op}")
    target = f"{op} {threshold:g}{' x peer' if relative else unit}"
    return {
        "name": name,
        "value": value,
        "peer": peer,
        "ratio_to_peer": r,
        "target": target,
        "met": met,
    }


def concurrency_keys(serving: Dict[str, Any]) -> List[str]:
    """'c1', 'c10', ... (the latency runs of one bot), by concurrency."""
    return sorted((k for k in serving if k[:1] == "c" and k[1:].isdigit()), key=lambda k: int(k[1:]))


# --- Markdown -------------------------------------------------------------------


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in row) + " |")
    return "\n".join(lines)


def pm(metrics: Dict[str, Any], key: str) -> str:
    """'0.951 ± 0.012' for a cross-validated metric."""
    value = metrics.get(key)
    std = metrics.get(f"{key}_std")
    if value is None:
        return "n/a"
    return f"{value:.3f} ± {std:.3f}" if std is not None else f"{value:.3f}"


def render_markdown(result: Dict[str, Any]) -> str:
    env = result["environment"]
    nlu = result["nlu"]
    serving = result["serving"]
    train = result["training"]
    bots = ["project", "peer"]
    out: List[str] = []
    out.append("# Benchmark: project vs. Rasa's default pipeline (peer)")
    out.append("")
    out.append(
        f"Run {env['date']} on {env['cpu_count']} CPUs ({env['platform']}), commit "
        f"`{env['git_commit']}`{' (dirty worktree)' if env.get('git_dirty') else ''}, "
        f"Rasa {env['rasa_version']}, Python {env['python']}. Load average at start "
        f"{env.get('loadavg_start', 'n/a')}. Timings are of this machine at this time; "
        "other processes may have been running."
    )
    out.append("")
    out.append(
        "Peer = `rasa init`'s default pipeline and policies (bench/peer/config.yml) with "
        "JiebaTokenizer in place of WhitespaceTokenizer, same data, domain and action server."
    )
    out.append("")

    out.append("## NLU")
    out.append("")
    out.append(
        "Intent metrics count the retrieval intent as one class, `faq` (as "
        "scripts/nlu_report.py does); which FAQ answer is chosen is the response "
        "selection row. Held-out: `rasa data split nlu --training-fraction 0.8 "
        "--random-seed 42` (the split of scripts/test_nlu.sh). Cross-validation: 5 "
        "stratified folds (sklearn StratifiedKFold, shuffle, seed 42, stratified on the "
        "full intent incl. FAQ sub-topic), mean ± standard deviation over folds."
    )
    out.append("")
    rows = []
    for label, key in [
        ("intent accuracy", "intent_accuracy"),
        ("intent macro-F1", "intent_macro_f1"),
        ("FAQ response selection accuracy", "response_accuracy"),
        ("FAQ response selection macro-F1", "response_macro_f1"),
        ("entity F1 (micro)", "entity_f1"),
    ]:
        rows.append(
            [label] + [fmt(nlu[b]["heldout"].get(key)) for b in bots] + [pm(nlu[b]["cv"], key) for b in bots]
        )
    out.append(
        table(["metric", "project held-out", "peer held-out", "project 5-fold CV", "peer 5-fold CV"], rows)
    )
    out.append("")
    for b in bots:
        out.append(
            f"- {b}: held-out {nlu[b]['heldout'].get('test_examples', 'n/a')} test examples; "
            f"NLU held-out + CV took {fmt(nlu[b].get('duration_s'), 0)} s "
            f"(one NLU training ≈ {fmt(nlu[b].get('mean_train_s'), 0)} s)."
        )
    if nlu.get("entity_note"):
        out.append(f"- Entities: {nlu['entity_note']}")
    out.append("")

    out.append("## Serving (REST, loopback)")
    out.append("")
    out.append(
        "Each conversation is a script of mixed FAQ and eligibility-interview turns with "
        "its own sender id; after a warm-up, a fixed number of turns is sent by 1 or 10 "
        "concurrent conversations. Latency is the REST round trip seen by the client."
    )
    out.append("")
    rows = []
    for b in bots:
        s = serving[b]
        for c_key in concurrency_keys(s):
            m = s[c_key]
            rows.append(
                [
                    b,
                    c_key[1:],
                    m["turns"],
                    m["errors"],
                    fmt(m["p50_ms"], 1),
                    fmt(m["p95_ms"], 1),
                    fmt(m["p99_ms"], 1),
                    fmt(m["msg_per_s"], 2),
                ]
            )
    out.append(table(["bot", "concurrency", "turns", "errors", "p50 ms", "p95 ms", "p99 ms", "msg/s"], rows))
    out.append("")
    rows = []
    for b in bots:
        s = serving[b]
        rows.append(
            [
                b,
                fmt(s.get("cold_start_s"), 1),
                fmt(s.get("rss_mb"), 0),
                fmt(train[b].get("duration_s"), 1),
                fmt(train[b].get("model_mb"), 1),
            ]
        )
    out.append(
        table(["bot", "cold start s", "Rasa RSS MB after warm-up", "full `rasa train` s", "model MB"], rows)
    )
    out.append("")
    out.append(
        "Cold start: from starting `rasa run` to the first correct REST answer (the action "
        "server already running). RSS: the Rasa server process and its children, from /proc."
    )
    out.append("")

    load = result.get("load")
    if load:
        out.append("## Load test (project, 20 concurrent conversations, 60 s)")
        out.append("")
        m = load["latency"]
        out.append(
            table(
                [
                    "conversations",
                    "seconds",
                    "turns",
                    "error responses",
                    "conversations checked",
                    "mismatched conversations",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "msg/s",
                    "passed",
                ],
                [
                    [
                        load["concurrency"],
                        load["duration_s"],
                        m["turns"],
                        m["errors"],
                        load["conversations"],
                        load["mismatched_conversations"],
                        fmt(m["p50_ms"], 1),
                        fmt(m["p95_ms"], 1),
                        fmt(m["p99_ms"], 1),
                        fmt(m["msg_per_s"], 2),
                        fmt(load["passed"]),
                    ]
                ],
            )
        )
        out.append("")
        out.append(
            "Every conversation's REST replies are compared turn by turn with the bot events "
            "in its tracker (`/conversations/<id>/tracker`): no lost, duplicated or different "
            "bot turns allowed."
        )
        for problem in load.get("problems", [])[:10]:
            out.append(f"- {problem}")
        out.append("")

    out.append("## Targets")
    out.append("")
    rows = [
        [t["name"], fmt(t["value"]), t["target"], fmt(t["peer"]), fmt(t["ratio_to_peer"]), fmt(t["met"])]
        for t in result["targets"]
    ]
    out.append(table(["target", "project", "target", "peer", "ratio to peer", "met"], rows))
    out.append("")

    out.append("## Phases")
    out.append("")
    out.append(table(["phase", "seconds"], [[k, fmt(v, 1)] for k, v in result["phases"].items()]))
    out.append("")
    if result.get("notes"):
        out.append("## Notes")
        out.append("")
        out.extend(f"- {n}" for n in result["notes"])
        out.append("")
    out.append(
        "Plots: `latency.png` (latency distribution), `confusion.png` (project, held-out), "
        "`confusion_peer.png` (peer, held-out)."
    )
    out.append("")
    return "\n".join(out)


def summary_lines(result: Dict[str, Any]) -> List[str]:
    """The few lines `make bench` prints at the end."""
    lines = []
    for t in result["targets"]:
        lines.append(
            f"{'MET ' if t['met'] else ('n/a ' if t['met'] is None else 'MISS')} {t['name']}: "
            f"{fmt(t['value'])} (target {t['target']}; peer {fmt(t['peer'])}, ratio {fmt(t['ratio_to_peer'])})"
        )
    load = result.get("load")
    if load:
        lines.append(
            f"load 20x60s: {load['latency']['turns']} turns, {load['latency']['errors']} errors, "
            f"{load['mismatched_conversations']} mismatched conversations, "
            f"p95 {fmt(load['latency']['p95_ms'], 1)} ms -> {'passed' if load['passed'] else 'FAILED'}"
        )
    return lines
