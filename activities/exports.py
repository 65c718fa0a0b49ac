"""The one spreadsheet format of activities: what the exports write and the import reads.

The list page's export (`/activities/export.csv`), the API's CSV (`?format=csv`) and the
admin's import-export all use the columns, separators and cell rules defined here, so any
export is an import template: re-imported unchanged, it changes nothing.

- Columns: `COLUMNS`, in this order; `READ_ONLY_COLUMNS` are written for information and
  ignored by the import (except `version`, which the import uses to refuse overwriting a
  newer change).
- Lists (goals by title, objectives by number, Allies by ISO code) are joined with "; "
  and split on ";" (goal titles contain commas).
- The programme is written as its name; the import takes the name or the id.
- Dates are `YYYY-MM-DD`. Empty values are empty cells.
- A UTF-8 BOM starts the file, so that Excel reads Japanese and accents as UTF-8.
- Cells a spreadsheet would run as a formula are prefixed with `'` (CSV injection): the
  exports are opened in Excel by people who did not type the data. The prefix is exactly
  reversible (`unescape_formula`), so the import reads back what was exported.

Rows stream as they are read (`activities.rows`), so a large export neither waits nor
fills memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from activities import rows
from goals.models import PartnershipGoal, Programme, StrategicObjective

COLUMNS = [
    "id",
    "programme",
    "title",
    "activity_type",
    "status",
    "releasability",
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
    "version",
    "updated_at",
]
# Written, never imported as values (`id` names the activity to update, `version` the
# version the file was exported at).
READ_ONLY_COLUMNS = ("id", "version", "updated_at")
LINK_COLUMNS = ("goals", "objectives", "allies")
# Between linked items when writing; the import splits on LIST_SEPARATOR and strips.
SEPARATOR = "; "
LIST_SEPARATOR = ";"
DATE_FORMAT = "YYYY-MM-DD"
BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A text that starts with the escape itself is escaped too, so that unescaping is exact.
ESCAPE = "'"
# Rows fetched (with their links) per round trip while streaming: memory stays bounded
# however many activities match.
CHUNK_SIZE = 2000


def escape_formula(value: str) -> str:
    """A text as a spreadsheet cell that is never run as a formula."""
    if value.startswith(FORMULA_PREFIXES) or value.startswith(ESCAPE):
        return ESCAPE + value
    return value


def unescape_formula(value: str) -> str:
    """The text `escape_formula` was given (a cell typed by hand is left as it is)."""
    if value.startswith(ESCAPE) and value[1:].startswith((*FORMULA_PREFIXES, ESCAPE)):
        return value[1:]
    return value


def safe_cell(value: Any) -> Any:
    """A value as a cell: None is empty, and a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(value)
    return value


def join_list(values: Iterable[Any]) -> str:
    return SEPARATOR.join(str(value) for value in values)


def split_list(value: Any) -> list[str]:
    """The items of a list cell (an XLSX number, e.g. objective 2, is one item)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [part.strip() for part in str(value or "").split(LIST_SEPARATOR) if part.strip()]


def programme_label(programme: Programme) -> str:
    return str(programme)


class _Labels:
    """Names of what the rows hold as ids: a few small tables, read once per export."""

    def __init__(self) -> None:
        self.programmes = {p.pk: programme_label(p) for p in Programme.objects.all()}
        self.goals = dict(PartnershipGoal.objects.values_list("id", "title"))
        self.objectives = dict(StrategicObjective.objects.values_list("id", "number"))

    def cells(self, row: dict[str, Any]) -> list[Any]:
        values = {
            **row,
            "programme": self.programmes.get(row["programme"], row["programme"]),
            "goals": join_list(self.goals[pk] for pk in row["goals"]),
            "objectives": join_list(self.objectives[pk] for pk in row["objectives"]),
            "allies": join_list(row["allies"]),
        }
        return [values[column] for column in COLUMNS]


def activity_cells(queryset: QuerySet) -> Iterator[list[Any]]:
    """The activities of `queryset` (filtered and ordered) as rows of cells, in COLUMNS."""
    labels = _Labels()
    for row in rows.iter_activity_rows(queryset, COLUMNS, chunk_size=CHUNK_SIZE):
        yield labels.cells(row)


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], cells: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV file, line by line: the BOM, the header, then each row with its cells
    made safe."""
    writer = csv.writer(_Echo())
    # Without it Excel reads UTF-8 as a legacy code page and garbles Japanese and “–”.
    yield BOM
    yield writer.writerow(header)
    for row in cells:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_response(lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def activities_csv_response(queryset: QuerySet, filename: str) -> StreamingHttpResponse:
    """Stream the activities of `queryset` (already filtered, ordered and limited to what
    the user may see) as the activities CSV. Drafts are never exported."""
    return csv_response(csv_lines(COLUMNS, activity_cells(queryset.without_drafts())), filename)
