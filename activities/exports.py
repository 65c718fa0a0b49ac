"""The one spreadsheet format of activities: what the exports write and the import reads.

The list page's export (`/activities/export.csv`), the API's CSV (`?format=csv`) and the
admin's import-export all use the columns, separators and cell rules defined here, so any
export is an import template: re-imported unchanged, it changes nothing.

- Columns: `COLUMNS`, in this order; `READ_ONLY_COLUMNS` are written for information and
  ignored by the import (except `version`, which the import uses to refuse overwriting a
  newer change).
- Lists (goals by title, objectives by number, Allies by ISO code) are joined with "; "
  and split on ";" (goal titles contain commas). Participants are each organisation's
  short name (else its name) with its role in parentheses: `JMSDF (lead); ACT (participant)`.
- The programme is written as its name; the import takes the name or the id.
- The texts are in English and Japanese side by side: `title`/`title_ja`,
  `description`/`description_ja`, `outcome`/`outcome_ja` (the `_ja` cells may be empty).
- Dates are `YYYY-MM-DD`. Empty values are empty cells.
- A UTF-8 BOM starts the file, so that Excel reads Japanese and accents as UTF-8.
- Cells a spreadsheet would run as a formula are prefixed with `'` (CSV injection): the
  exports are opened in Excel by people who did not type the data. The prefix is exactly
  reversible (`unescape_formula`), so the import reads back what was exported.

Rows stream as they are read, so a large export neither waits nor fills memory. On
PostgreSQL the database shapes every cell (`_postgres_cells`: links aggregated, the time
converted and formatted, formulas escaped) and Python only writes the rows: a profile of the
export at 100,000 activities was all per-cell Python otherwise (`timezone.localtime`, the
formula guard, the link lookups). Elsewhere (SQLite, the quick start) the portable path
shapes them in Python (`activities.rows`); a test holds the two to the same bytes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import connections, transaction
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.http import StreamingHttpResponse
from django.utils import timezone

from activities import rows
from activities.models import Activity, Ally, Organisation
from goals.models import PartnershipGoal, Programme, StrategicObjective

COLUMNS = [
    "id",
    "programme",
    "title",
    "title_ja",
    "activity_type",
    "status",
    "releasability",
    "start_date",
    "end_date",
    "goals",
    "objectives",
    "allies",
    "organisations",
    "location",
    "lead_organisation",
    "participants",
    "women_participants",
    "description",
    "description_ja",
    "outcome",
    "outcome_ja",
    "version",
    "updated_at",
]
# Written, never imported as values (`id` names the activity to update, `version` the
# version the file was exported at).
READ_ONLY_COLUMNS = ("id", "version", "updated_at")
LINK_COLUMNS = ("goals", "objectives", "allies", "organisations")
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


def organisation_label(organisation: Organisation) -> str:
    """An organisation as a cell names it: its short name, else its name."""
    return organisation.short_name or organisation.name


def participant_label(label: str, role: str) -> str:
    return f"{label} ({role})"


class _Labels:
    """Names of what the rows hold as ids: a few small tables, read once per export."""

    def __init__(self) -> None:
        self.programmes = {p.pk: programme_label(p) for p in Programme.objects.all()}
        self.goals = dict(PartnershipGoal.objects.values_list("id", "title"))
        self.objectives = dict(StrategicObjective.objects.values_list("id", "number"))
        self.organisations = {o.pk: organisation_label(o) for o in Organisation.objects.all()}

    def cells(self, row: dict[str, Any]) -> list[Any]:
        values = {
            **row,
            "programme": self.programmes.get(row["programme"], row["programme"]),
            "goals": join_list(self.goals[pk] for pk in row["goals"]),
            "objectives": join_list(self.objectives[pk] for pk in row["objectives"]),
            "allies": join_list(row["allies"]),
            "organisations": join_list(
                participant_label(self.organisations[link["organisation"]], link["role"])
                for link in row["organisations"]
            ),
        }
        return [values[column] for column in COLUMNS]


def activity_cells(queryset: QuerySet) -> Iterator[list[Any]]:
    """The activities of `queryset` (filtered and ordered) as rows of cells, in COLUMNS
    (the portable path: Python shapes each cell; `csv_lines` makes them safe)."""
    labels = _Labels()
    for row in rows.iter_activity_rows(queryset, COLUMNS, chunk_size=CHUNK_SIZE):
        yield labels.cells(row)


# ----------------------------------------------------------------- PostgreSQL's fast path
#
# The same cells as `activity_cells` + `safe_cell`, made by PostgreSQL. Each is an SQL
# expression over the outer activity row; the rules are the ones above, not copies:
# the escape's characters come from FORMULA_PREFIXES and ESCAPE, the programme's label
# from `programme_label()`, the separator from SEPARATOR.


def _escaped(sql: str) -> tuple[str, list[Any]]:
    """`escape_formula` in SQL over `sql`, an expression without parameters (it is
    written three times: a column reference or a subquery's output column)."""
    return (
        f"CASE WHEN left({sql}, 1) = ANY(%s) THEN %s || {sql} ELSE {sql} END",
        [[*FORMULA_PREFIXES, ESCAPE], ESCAPE],
    )


# Python's csv writer (the excel dialect, QUOTE_MINIMAL) quotes a cell holding a comma, a
# double quote, CR or LF, doubling its double quotes; None and "" are empty, unquoted.
NEEDS_QUOTES = '[",\r\n]'
LINE_END = "\r\n"


def _csv_cell(sql: str, params: list[Any]) -> tuple[str, list[Any]]:
    """The text `sql` as the csv writer writes it in a row (the expression is written
    three times, so its parameters are given three times)."""
    return (
        f"coalesce(CASE WHEN ({sql}) ~ %s THEN '\"' || replace(({sql}), '\"', '\"\"') || '\"'"
        f" ELSE ({sql}) END, '')",
        [*params, NEEDS_QUOTES, *params, *params],
    )


def _python_csv_cell(value: Any) -> str:
    """A value as the csv writer writes it in a row of several cells."""
    return csv.writer(_Echo()).writerow([value, None])[: -len(LINE_END) - 1]


def _local_time_sql(column: str, zone: str) -> tuple[str, list[Any]]:
    """`rows._plain` of a timestamp in SQL: the local time in ISO 8601 as Python's
    `isoformat()` writes it (microseconds only when there are some), `Z` for UTC."""
    local = f"({column} AT TIME ZONE %s)"
    offset = f"({local} - ({column} AT TIME ZONE 'UTC'))"
    sql = (
        f"coalesce(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN to_char({column}, 'US') = '000000' THEN ''"
        f" ELSE to_char({column}, '.US') END"
        f" || CASE WHEN {offset} = interval '0' THEN 'Z'"
        f" WHEN {offset} > interval '0' THEN '+' || to_char({offset}, 'HH24:MI')"
        f" ELSE '-' || to_char(-{offset}, 'HH24:MI') END, '')"
    )
    # The zone is a parameter once per AT TIME ZONE, in the order they appear.
    return sql, [zone] * sql.count("%s")


def _link_queries(connection: Any) -> list[tuple[str, list[Any]]]:
    """Per link column (LINK_COLUMNS' order), the SQL of (activity id, cell) for the
    activities `= ANY(%s)`: the linked items joined with SEPARATOR in the order of
    `rows.LINKS` (then the linked id), escaped as the Python path escapes the joined text."""
    quote = connection.ops.quote_name

    def through(field: str) -> str:
        return quote(Activity._meta.get_field(field).remote_field.through._meta.db_table)

    shapes = {
        "goals": (
            f"{through('goals')} link JOIN {quote(PartnershipGoal._meta.db_table)} item"
            " ON item.id = link.partnershipgoal_id",
            "item.title",
            'item."order", item.id',
        ),
        "objectives": (
            f"{through('objectives')} link JOIN {quote(StrategicObjective._meta.db_table)} item"
            " ON item.id = link.strategicobjective_id",
            "item.number::text",
            "item.number, item.id",
        ),
        "allies": (
            f"{through('allies')} link JOIN {quote(Ally._meta.db_table)} item"
            " ON item.code = link.ally_id",
            "item.code",
            "item.name, item.code",
        ),
        # participant_label() in SQL: the short name (else the name), the role in brackets.
        "organisations": (
            f"{through('organisations')} link JOIN {quote(Organisation._meta.db_table)} item"
            " ON item.id = link.organisation_id",
            "coalesce(nullif(item.short_name, ''), item.name) || ' (' || link.role || ')'",
            "item.name, item.id",
        ),
    }
    queries = []
    for name in LINK_COLUMNS:
        tables, value, order = shapes[name]
        escaped, params = _csv_cell(*_escaped("s.joined"))
        # Names from the models' metadata only; every value is a parameter.
        sql = (
            f"SELECT s.activity_id, {escaped} FROM ("  # noqa: S608
            f"SELECT link.activity_id, string_agg({value}, %s ORDER BY {order}) AS joined"
            f" FROM {tables} WHERE link.activity_id = ANY(%s) GROUP BY link.activity_id) s"
        )
        queries.append((sql, [*params, SEPARATOR]))
    return queries


def _postgres_cells(queryset: QuerySet) -> QuerySet:
    """`queryset` (filtered and ordered) as (id, the CSV text of the cells before the
    links, the CSV text of the cells after them), written by PostgreSQL."""
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    table = quote(Activity._meta.db_table)

    def column(name: str) -> str:
        return f"{table}.{quote(Activity._meta.get_field(name).column)}"

    # The programme's label as Python writes it, as a cell: a handful of programmes, so a
    # CASE beats a join and keeps `programme_label()` the one definition.
    programme_sql, programme_params = "''", []
    programmes = list(Programme.objects.using(queryset.db).all())
    if programmes:
        whens = " ".join("WHEN %s THEN %s" for _ in programmes)
        programme_sql = f"CASE {column('programme')} {whens} END"
        for programme in programmes:
            label = _python_csv_cell(safe_cell(programme_label(programme)))
            programme_params += [programme.pk, label]
    # Cells that cannot hold a comma, a quote or a line break, nor start like a formula:
    # numbers, dates, times and choices (a check constraint holds them to plain words).
    plain = {"id", "activity_type", "status", "releasability", "participants", "version"}
    plain.add("women_participants")
    expressions: dict[str, tuple[str, list[Any]]] = {
        "programme": (programme_sql, programme_params),
        "start_date": (f"coalesce(to_char({column('start_date')}, 'YYYY-MM-DD'), '')", []),
        "end_date": (f"coalesce(to_char({column('end_date')}, 'YYYY-MM-DD'), '')", []),
        "updated_at": _local_time_sql(column("updated_at"), timezone.get_current_timezone_name()),
    }
    at = COLUMNS.index(LINK_COLUMNS[0])
    parts: list[list[tuple[str, list[Any]]]] = [[], []]
    for index, name in enumerate(COLUMNS):
        if name in LINK_COLUMNS:
            continue
        if name in expressions:
            cell = expressions[name]
        elif name in plain:
            cell = (f"coalesce({column(name)}::text, '')", [])
        else:
            cell = _csv_cell(*_escaped(column(name)))
        parts[index > at].append(cell)
    texts = {}
    for key, cells in zip(("cell_head", "cell_tail"), parts, strict=True):
        sql = " || ',' || ".join(f"({cell_sql})" for cell_sql, _ in cells)
        params = [param for _, cell_params in cells for param in cell_params]
        texts[key] = RawSQL(sql, params)  # noqa: S611 (names from metadata)
    return (
        queryset.prefetch_related(None)
        .select_related(None)
        .annotate(cell_id=F("id"), **texts)
        .values_list("cell_id", *texts)
    )


def _postgres_lines(queryset: QuerySet) -> Iterator[str]:
    """The CSV rows of `queryset`, a chunk at a time (a server-side cursor), each chunk's
    links read by one grouped query per link table. PostgreSQL writes the cells as the
    csv writer would (a profile had the writer take a third of the time); Python only puts
    each row's link cells between its two halves. (Links as correlated subqueries in the
    main query cost 2–3 times as much: a hash of the goals built per row.)"""
    connection = connections[queryset.db]
    link_queries = _link_queries(connection)
    # In a transaction the server-side cursor is not WITH HOLD: PostgreSQL makes the rows
    # as they are fetched (on the other core, while Python writes the previous chunk)
    # instead of the whole result before the first row (in autocommit).
    with transaction.atomic(using=queryset.db):
        found = _postgres_cells(queryset).iterator(chunk_size=CHUNK_SIZE)
        while chunk := list(islice(found, CHUNK_SIZE)):
            ids = [row[0] for row in chunk]
            links = []
            with connection.cursor() as cursor:
                for sql, params in link_queries:
                    cursor.execute(sql, [*params, ids])
                    links.append(dict(cursor.fetchall()))
            # The link columns are consecutive in COLUMNS (the test of both paths'
            # identical bytes fails if that changes).
            yield "".join(
                f"{head},{','.join(found.get(pk, '') for found in links)},{tail}{LINE_END}"
                for pk, head, tail in chunk
            )


def uses_postgres_path(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


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


def activities_csv_lines(queryset: QuerySet, *, portable: bool = False) -> Iterator[str]:
    """The activities CSV of `queryset`, in pieces: PostgreSQL's fast path where it can,
    else (or with `portable`) the Python one. Both give the same bytes (tested)."""
    if portable or not uses_postgres_path(queryset):
        yield from csv_lines(COLUMNS, activity_cells(queryset))
        return
    writer = csv.writer(_Echo())
    yield BOM
    yield writer.writerow(COLUMNS)
    yield from _postgres_lines(queryset)


def activities_csv_response(queryset: QuerySet, filename: str) -> StreamingHttpResponse:
    """Stream the activities of `queryset` (already filtered, ordered and limited to what
    the user may see) as the activities CSV. Drafts are never exported."""
    return csv_response(activities_csv_lines(queryset.without_drafts()), filename)
