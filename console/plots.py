"""The metrics page's charts, drawn on the server as SVG with matplotlib.

Text stays text in the SVG (``svg.fonttype: none``), so the browser draws the
Chinese labels with its own fonts; no font file is needed here. Pyplot is not used
(its global state is not for a threaded server); one lock serialises drawing.
"""

from __future__ import annotations

import io
import threading
import warnings
from contextlib import contextmanager
from typing import Dict, Iterator, Mapping

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from console.texts import t  # noqa: E402

_lock = threading.Lock()
STYLE = {"svg.fonttype": "none", "font.size": 10, "svg.hashsalt": "staff-console"}
COLOURS = ["#2f6db5", "#e07b39", "#3a9a5b", "#b5443f", "#7b5ea7", "#8c6d31"]


@contextmanager
def _drawing() -> Iterator[None]:
    """One drawing at a time, with the SVG style; the Agg font has no CJK glyphs,
    which only matters for measuring (the browser draws the text)."""
    with _lock, matplotlib.rc_context(STYLE), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from current font")
        yield


def _render(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None})
    return buffer.getvalue()


def _empty(axes) -> None:
    axes.text(0.5, 0.5, t("metrics.no_data"), ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()


def per_day_svg(per_day: Mapping[str, Mapping[str, int]]) -> bytes:
    """Conversations per day, one stacked bar segment per channel."""
    with _drawing():
        figure = Figure(figsize=(8, 3.2))
        axes = figure.add_subplot()
        days = list(per_day)
        channels = sorted({ch for counts in per_day.values() for ch in counts})
        if not days:
            _empty(axes)
        else:
            bottom = [0] * len(days)
            for i, channel in enumerate(channels):
                heights = [per_day[d].get(channel, 0) for d in days]
                axes.bar(
                    range(len(days)), heights, bottom=bottom, label=channel, color=COLOURS[i % len(COLOURS)]
                )
                bottom = [b + h for b, h in zip(bottom, heights)]
            step = max(1, len(days) // 12)
            axes.set_xticks(range(0, len(days), step))
            axes.set_xticklabels([d[5:] for d in days[::step]])
            axes.set_ylabel(t("metrics.per_day_axis"))
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            axes.legend(loc="upper left", fontsize=8)
            axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        return _render(figure)


def bars_svg(counts: Dict[str, int], title: str) -> bytes:
    """A horizontal bar per key (verdicts, reasons)."""
    with _drawing():
        figure = Figure(figsize=(5, 0.6 + 0.4 * max(1, len(counts))))
        axes = figure.add_subplot()
        if not counts:
            _empty(axes)
        else:
            names = sorted(counts, key=lambda k: -counts[k])
            axes.barh(range(len(names)), [counts[n] for n in names], color=COLOURS[0])
            axes.set_yticks(range(len(names)))
            axes.set_yticklabels(names)
            axes.invert_yaxis()
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            axes.spines[["top", "right"]].set_visible(False)
        axes.set_title(title)
        figure.tight_layout()
        return _render(figure)
