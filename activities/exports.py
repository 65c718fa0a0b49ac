"""CSV export of activities, shared by the list page and the API.

Rows stream as they are read, so a large export neither waits nor fills memory. Cells a
spreadsheet would run as a formula are neutralised (CSV injection): the export is
opened in Excel by people who did not type the data. The page and the API choose their
columns (`activity_row` here; the API's are its JSON fields); the writing is shared.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from activities.models import Activity

COLUMNS = [
    "id",
    "programme",
    "title",
    "activity_type",
    "status",
    "start_date",
    "end_date",
    "goals",
    "objectives",
    "allies",
    "location",
    "lead_organisation",
    "participants",
    "women_participants",
    "description",
    "outcome",
    "updated_at",
]
# '; ' between linked items: goal titles contain commas.
SEPARATOR = "; "
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Rows fetched (with their links) per round trip while streaming: memory stays bounded
# however many activities match.
CHUNK_SIZE = 2000


def safe_cell(value: Any) -> Any:
    """A value as a CSV cell: None is empty, and a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def activity_row(activity: Activity) -> list[Any]:
    """One activity as CSV cells; expects `Activity.objects.with_related()`."""
    return [
        activity.pk,
        str(activity.programme),
        activity.title,
        activity.activity_type,
        activity.status,
        activity.start_date.isoformat(),
        activity.end_date.isoformat() if activity.end_date else "",
        SEPARATOR.join(goal.title for goal in activity.goals.all()),
        SEPARATOR.join(str(objective.number) for objective in activity.objectives.all()),
        SEPARATOR.join(ally.code for ally in activity.allies.all()),
        activity.location,
        activity.lead_organisation,
        "" if activity.participants is None else activity.participants,
        "" if activity.women_participants is None else activity.women_participants,
        activity.description,
        activity.outcome,
        timezone.localtime(activity.updated_at).isoformat(timespec="seconds"),
    ]


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False
) -> Iterator[str]:
    """The CSV file, line by line: the header, then each row with its cells made safe."""
    writer = csv.writer(_Echo())
    if bom:
        # Without it Excel reads UTF-8 as a legacy code page and garbles “–” and accents.
        yield "\ufeff"
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_response(lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def activities_csv_response(
    queryset: QuerySet, filename: str, *, bom: bool = False
) -> StreamingHttpResponse:
    """Stream the activities of `queryset` (already filtered and ordered) as a CSV file."""
    activities = queryset.with_related().iterator(chunk_size=CHUNK_SIZE)
    rows = (activity_row(activity) for activity in activities)
    return csv_response(csv_lines(COLUMNS, rows, bom=bom), filename)
