"""Bar charts drawn as SVG on the server: they print, they go into the PDF (which runs no
script), and they need no inline style (the Content-Security-Policy forbids it)."""

from __future__ import annotations

from typing import Any

from reports.data import Report

SHOWN = ["completed", "ongoing", "planned"]
# As presentation attributes: WeasyPrint's SVG renderer ignores CSS classes.
COLOURS = {"completed": "#146c43", "ongoing": "#0b5ed7", "planned": "#8a94a6"}
TRACK = "#eef0f3"


def goal_bars(report: Report) -> list[dict[str, Any]]:
    """Per goal: stacked segments (x and width in % of the busiest goal's total)."""
    sections = report.goal_sections
    largest = max((sum(s.counts[k] for k in SHOWN) for s in sections), default=0) or 1
    bars = []
    for section in sections:
        x = 0.0
        segments = []
        for status in SHOWN:
            width = 100 * section.counts[status] / largest
            if width:
                segments.append(
                    {
                        "status": status,
                        "colour": COLOURS[status],
                        "x": round(x, 2),
                        "width": round(width, 2),
                    }
                )
            x += width
        bars.append({"section": section, "segments": segments, "track": TRACK})
    return bars
