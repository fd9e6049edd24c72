"""The bench's PNG plots (matplotlib, no display)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bench.stats import concurrency_keys, confusion  # noqa: E402


def latency_plot(serving: Dict[str, Dict[str, Any]], load: Dict[str, Any], path: Path) -> None:
    """Latency distributions (empirical CDF, log x) of both bots at each concurrency,
    and of the load test."""
    fig, (ax_cdf, ax_box) = plt.subplots(1, 2, figsize=(13, 5))
    series: List[tuple] = []
    for bot, style in (("project", "-"), ("peer", "--")):
        for key in concurrency_keys(serving.get(bot, {})):
            series.append((f"{bot} c={key[1:]}", serving[bot][key]["latencies_ms"], style))
    if load:
        series.append((f"project load c={load['concurrency']}", load["latency"]["latencies_ms"], ":"))
    for label, values, style in series:
        if not values:
            continue
        ordered = sorted(values)
        n = len(ordered)
        ax_cdf.plot(ordered, [(i + 1) / n for i in range(n)], style, label=f"{label} (n={n})")
    ax_cdf.set_xscale("log")
    ax_cdf.set_xlabel("REST round trip (ms, log scale)")
    ax_cdf.set_ylabel("fraction of turns")
    ax_cdf.axhline(0.95, color="grey", linewidth=0.5)
    ax_cdf.axvline(150, color="red", linewidth=0.5)
    ax_cdf.set_title("Latency CDF (red: 150 ms target at c=1)")
    ax_cdf.legend(fontsize=8)
    ax_cdf.grid(True, which="both", alpha=0.3)
    data = [s[1] for s in series if s[1]]
    labels = [s[0] for s in series if s[1]]
    ax_box.boxplot(data, labels=labels, whis=(5, 95), showfliers=False)
    ax_box.set_yscale("log")
    ax_box.set_ylabel("ms (log scale)")
    ax_box.set_title("Latency (box: p25-p75, whiskers: p5-p95)")
    plt.setp(ax_box.get_xticklabels(), rotation=20, ha="right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def confusion_plot(pairs: Sequence[Sequence[str]], title: str, path: Path) -> None:
    labels, matrix = confusion([(a, b) for a, b in pairs])
    fig, ax = plt.subplots(figsize=(10, 9))
    image = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)))
    ax.set_yticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("true intent")
    peak = max((max(row) for row in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                ax.text(
                    j,
                    i,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if count > peak / 2 else "black",
                )
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
