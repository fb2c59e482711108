"""The /overview chart (issue 7): decisions per council by state, as a PNG.

Owns the drawing only (matplotlib, headless Agg backend, no global pyplot state): a
horizontal stacked bar per council — done, in progress, not started, blocked — with the
overdue count noted beside it. Labels come translated from the caller.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COLOURS = ("#2e7d32", "#1565c0", "#9e9e9e", "#c62828")


@dataclass(frozen=True, slots=True)
class Row:
    council: str
    counts: tuple[int, int, int, int]  # done, in progress, not started, blocked
    overdue: int


def png_bytes(title: str, legend: tuple[str, str, str, str], overdue_label: str,
              rows: list[Row]) -> bytes:
    height = 1.2 + 0.6 * max(1, len(rows))
    figure = Figure(figsize=(8, height), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    names = [r.council for r in rows] or [""]
    lefts = [0] * len(names)
    for index, colour in enumerate(COLOURS):
        values = [r.counts[index] for r in rows] or [0]
        axes.barh(names, values, left=lefts, color=colour, label=legend[index])
        lefts = [a + b for a, b in zip(lefts, values, strict=True)]
    for y, row in enumerate(rows):
        if row.overdue:
            axes.text(lefts[y] + 0.1, y, overdue_label.format(n=row.overdue), va="center",
                      fontsize=8, color="#c62828")
    axes.set_title(title)
    axes.invert_yaxis()
    axes.legend(loc="lower right", fontsize=8)
    axes.set_xlim(0, max([*lefts, 1]) * 1.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
