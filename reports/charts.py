"""Bar charts drawn as SVG on the server: they print, they go into the PDF (which runs no
script), and they need no inline style (the Content-Security-Policy forbids it)."""

from __future__ import annotations

from typing import Any

from progress.querysets import BAR_STATUSES, bar_scale, bar_share
from reports.data import Report

# As presentation attributes: WeasyPrint's SVG renderer ignores CSS classes.
COLOURS = {"completed": "#146c43", "ongoing": "#0b5ed7", "planned": "#8a94a6"}
TRACK = "#eef0f3"


def goal_bars(report: Report) -> list[dict[str, Any]]:
    """Per goal: stacked segments (x and width in % of the busiest goal's total: the one
    scale of every progress bar, as on the dashboard)."""
    sections = report.goal_sections
    scale = bar_scale([section.counts for section in sections])
    bars = []
    for section in sections:
        x = 0.0
        segments = []
        for status in BAR_STATUSES:
            width = bar_share(section.counts[status], scale)
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
