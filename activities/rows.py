"""Activities as plain rows, for lists and exports that read many of them.

DRF's serializer builds a model instance, prefetches its links and runs a field object
per value: about half a millisecond per activity, which dominated the list endpoint and
made the CSV export crawl. Here rows are read with `.values()` and each link table with
one query per page (or per chunk of an export), and shaped exactly as the serializer
shapes them; a test holds the two to the same output. The serializer still validates
writes and renders single activities.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.utils import timezone

from activities.models import Activity

# API field -> (link table, column holding the linked value, ordering of the linked model)
LINKS = {
    "goals": (Activity.goals.through, "partnershipgoal_id", "partnershipgoal__order"),
    "objectives": (
        Activity.objectives.through,
        "strategicobjective_id",
        "strategicobjective__number",
    ),
    "allies": (Activity.allies.through, "ally_id", "ally__name"),
    "organisations": (Activity.organisations.through, "organisation_id", "organisation__name"),
}
# Links with a role: each item is {"organisation": id, "role": ...}, as the API writes it.
ROLE_LINKS = {"organisations": "organisation"}
# API field -> the .values() path that holds it
PATHS = {
    "programme": "programme_id",
    "created_by": "created_by_username",
    "updated_by": "updated_by_username",
}
# Usernames are read by a subquery per row, not a join: Django's count of a page keeps a
# `.values()` join, and its join columns kept PostgreSQL from counting by an index-only
# scan of `activity_counted` (a sequential scan of the table instead, twice the time at
# 100,000 activities); COUNT drops an unused annotation, so it counts the plain rows.
USERNAMES = {"created_by_username": "created_by_id", "updated_by_username": "updated_by_id"}
EXPORT_CHUNK = 2000


def _plain(value: Any, zone: tzinfo | None = None) -> Any:
    # As DRF's DateTimeField and DateField render them (`zone`: the current time zone,
    # which a caller shaping many values looks up once).
    if isinstance(value, datetime):
        text = timezone.localtime(value, zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return value.isoformat()
    return value


def _links(ids: Sequence[int], fields: Iterable[str]) -> dict[str, dict[int, list[Any]]]:
    found: dict[str, dict[int, list[Any]]] = {}
    for name in fields:
        through, column, ordering = LINKS[name]
        by_activity: dict[int, list[Any]] = defaultdict(list)
        linked = (
            through.objects.filter(activity_id__in=ids)
            # The linked id breaks ties, so that the CSV export's SQL (activities.exports)
            # can order them the same way.
            .order_by("activity_id", ordering, column)
        )
        if name in ROLE_LINKS:
            for activity_id, value, role in linked.values_list("activity_id", column, "role"):
                by_activity[activity_id].append({ROLE_LINKS[name]: value, "role": role})
        else:
            for activity_id, value in linked.values_list("activity_id", column):
                by_activity[activity_id].append(value)
        found[name] = by_activity
    return found


def _shape(
    records: list[dict[str, Any]], fields: Sequence[str], links: dict[str, dict[int, list]]
) -> list[dict[str, Any]]:
    # A list shapes thousands of values per request: the time zone is looked up once, and
    # what each field needs is decided once, not per value.
    zone = timezone.get_current_timezone()
    plan = [
        (name, links.get(name, {}) if name in LINKS else None, PATHS.get(name, name))
        for name in fields
    ]
    rows = []
    for record in records:
        row: dict[str, Any] = {}
        for name, found, path in plan:
            if found is not None:
                row[name] = found.get(record["id"], [])
            else:
                value = record[path]
                # Most values are neither dates nor times: `_plain` only for those.
                row[name] = _plain(value, zone) if isinstance(value, date) else value
        rows.append(row)
    return rows


def _array_links(
    ids: Sequence[int], fields: Sequence[str], using: str
) -> dict[str, dict[int, list[Any]]]:
    """On PostgreSQL, every link field of the activities `ids` in one query: an array
    subquery per field (in the order of `_links`), each an index-only scan of the link
    table's (activity, item) index. A page then takes two queries instead of four; on a
    busy server each round trip costs several milliseconds. The page is read first and its
    links after: as subqueries of the page's own query they would be run for every row an
    `OFFSET` skips (a last page at 100,000 took 6.5 s instead of 0.5 s)."""
    found: dict[str, dict[int, list[Any]]] = {name: {} for name in fields}
    arrays = _link_arrays(fields)
    for row in Activity.objects.using(using).filter(pk__in=ids).values("pk", **arrays):
        for name in fields:
            found[name][row["pk"]] = row[f"{name}_linked"]
    return found


def _link_arrays(fields: Sequence[str]) -> dict[str, Any]:
    """PostgreSQL array subqueries of the link `fields` of an activity (`<field>_linked`:
    names the model's fields do not use, so that they can be annotations), each ordered as
    `_links` orders them."""
    from django.contrib.postgres.expressions import ArraySubquery

    arrays = {}
    for name in fields:
        through, column, ordering = LINKS[name]
        linked = through.objects.filter(activity_id=OuterRef("pk")).order_by(ordering, column)
        if name in ROLE_LINKS:
            item = JSONObject(**{ROLE_LINKS[name]: F(column), "role": F("role")})
            arrays[f"{name}_linked"] = ArraySubquery(linked.values(item=item))
        else:
            arrays[f"{name}_linked"] = ArraySubquery(linked.values(column))
    return arrays


# The last key of an ordering that makes it total (every row its own place), so that the
# page's ids and the rows read for them come in the same order.
UNIQUE_KEYS = ("id", "-id", "pk", "-pk")


class PagedRecords:
    """The records of a filtered queryset for a page-number paginator, on PostgreSQL:
    counted as `records()` counts them, and a page read in one query with its links:

        SELECT <columns>, ARRAY(<goals>), ARRAY(<objectives>), ARRAY(<allies>)
        FROM activities_activity
        WHERE id IN (SELECT id FROM … WHERE <filters> ORDER BY … LIMIT n OFFSET m)
        ORDER BY …

    one round trip fewer per request than the page then its links (`_array_links`). The
    links are computed for the page's rows only: as subqueries of the page's own query
    they would also be computed for every row an OFFSET skips. An ordering that is not
    total falls back to the two queries."""

    def __init__(self, queryset: QuerySet[Activity], fields: Sequence[str]) -> None:
        self.queryset = queryset
        self.fields = list(fields)
        self.records = records(queryset, fields)
        # For the paginator's check that the list is ordered.
        self.ordered = self.records.ordered

    def count(self) -> int:
        """The number of matching activities, counted without parallel workers.

        The count is an index-only scan of `activity_counted` taking a few milliseconds
        at 100,000 activities; PostgreSQL plans it in parallel once the visibility
        conditions make the serial plan look dearer, and starting the workers took longer
        than the scan (`EXPLAIN ANALYZE` at 100,000 on the 2-core machine: 24-25 ms in
        parallel, 9-12 ms without; docs/performance.md). `SET LOCAL` in the same query
        string holds for that statement's implicit transaction alone, so no other query
        is affected. Inside a transaction (a test's, or a caller's) it would last until
        the transaction ends, so there the count is the ORM's plain one."""
        connection = connections[self.queryset.db]
        if connection.in_atomic_block or connection.vendor != "postgresql":
            return self.records.count()
        try:
            sql, params = self.records.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # a condition that nothing can meet: no query, as the ORM
            return 0
        # The ORM's own SQL; every value is a parameter.
        counted = f"SELECT count(*) FROM ({sql}) AS counted"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0; " + counted, params)
            return cursor.fetchone()[0]

    def __len__(self) -> int:
        return self.count()

    def _ordering(self) -> list[str] | None:
        query = self.records.query
        ordering = list(query.order_by)
        if not ordering and query.default_ordering:
            ordering = list(Activity._meta.ordering)
        if (
            not ordering
            or query.extra_order_by
            or not all(isinstance(key, str) for key in ordering)
            or ordering[-1] not in UNIQUE_KEYS
        ):
            return None
        return ordering

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        if not isinstance(key, slice):
            raise TypeError("PagedRecords takes slices only")
        ordering = self._ordering()
        link_fields = [name for name in self.fields if name in LINKS]
        if ordering is None or not link_fields:
            return rows_from_records(self.records[key], self.fields, self.queryset.db)
        statement = _page_statement(tuple(self.fields), tuple(ordering), self.queryset.db)
        page_ids = self.records.values("pk")[key]
        try:
            ids_sql, ids_params = page_ids.query.get_compiler(page_ids.db).as_sql()
        except EmptyResultSet:  # e.g. the empty first page of nothing: no query, as the ORM
            return []
        found = statement.read(ids_sql, ids_params)
        links = {name: {row["id"]: row[f"{name}_linked"] for row in found} for name in link_fields}
        return _shape(found, self.fields, links)


# Where the page's ids go in a page statement (never in a query the ORM writes).
PAGE_IDS = "@@page-ids@@"


@dataclass(frozen=True)
class PageStatement:
    """The SQL of a page with its links (see PagedRecords), the ORM's own, around the
    place of the page's ids: written and compiled once per fields, ordering and database
    (that took more Python than the rest of a list request's query work), then run for
    each page with the ids' subquery put in, its values converted as the ORM converts them
    (`.values()` of the same queryset)."""

    using: str
    head: str
    tail: str
    head_params: tuple[Any, ...]
    tail_params: tuple[Any, ...]
    names: tuple[str, ...]
    converters: dict[int, tuple[list[Any], Any]]
    link_fields: tuple[str, ...]

    def read(self, ids_sql: str, ids_params: Sequence[Any]) -> list[dict[str, Any]]:
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(
                self.head + ids_sql + self.tail,
                (*self.head_params, *ids_params, *self.tail_params),
            )
            fetched = cursor.fetchall()
        found = []
        for row in fetched:
            if self.converters:
                row = list(row)
                for index, (functions, expression) in self.converters.items():
                    for function in functions:
                        row[index] = function(row[index], expression, connection)
            found.append(dict(zip(self.names, row, strict=True)))
        return found


# One entry per ordering asked for. Those in use are few, but a client can ask for many
# (`ordering=title,title,…`): bounded, the least recently used dropped.
@functools.lru_cache(maxsize=64)
def _page_statement(
    fields: tuple[str, ...], ordering: tuple[str, ...], using: str
) -> PageStatement:
    link_fields = tuple(name for name in fields if name in LINKS)
    columns = [PATHS.get(name, name) for name in fields if name not in LINKS]
    # A constant marker, no outside text: replaced by the ORM's SQL of the ids in `read()`.
    marker = RawSQL(PAGE_IDS, ())  # noqa: S611
    queryset = (
        records(Activity.objects.using(using).filter(pk__in=marker), fields)
        .annotate(**_link_arrays(link_fields))
        .values(*columns, *(f"{name}_linked" for name in link_fields))
        .order_by(*ordering)
    )
    query = queryset.query
    compiler = query.get_compiler(using)
    sql, params = compiler.as_sql()
    head, tail = sql.split(PAGE_IDS)  # exactly once, or this fails loudly
    # The ORM's statements escape a literal % as %%: what is left are its placeholders.
    count = head.replace("%%", "").count("%s")
    selected = [column[0] for column in compiler.select[: compiler.col_count]]
    names = (
        list(query.selected)
        if query.selected
        else [*query.extra_select, *query.values_select, *query.annotation_select]
    )
    return PageStatement(
        using=using,
        head=head,
        tail=tail,
        head_params=tuple(params[:count]),
        tail_params=tuple(params[count:]),
        names=tuple(names),
        converters=compiler.get_converters(selected),
        link_fields=link_fields,
    )


def records(queryset: QuerySet[Activity], fields: Sequence[str]) -> QuerySet:
    """The `.values()` queryset holding the non-link fields (e.g. for a paginator)."""
    columns = [PATHS.get(name, name) for name in fields if name not in LINKS]
    usernames = {
        name: Subquery(get_user_model().objects.filter(pk=OuterRef(column)).values("username")[:1])
        for name, column in USERNAMES.items()
        if name in columns
    }
    return (
        queryset.prefetch_related(None).select_related(None).annotate(**usernames).values(*columns)
    )


def rows_from_records(
    found: Iterable[dict[str, Any]], fields: Sequence[str], using: str = "default"
) -> list[dict]:
    """Records read with `records()` as API rows: their links in one more query on
    PostgreSQL (`_array_links`), one per link table elsewhere."""
    found = list(found)
    ids = [record["id"] for record in found]
    link_fields = [name for name in fields if name in LINKS]
    if not ids or not link_fields:
        links: dict[str, dict[int, list[Any]]] = {}
    elif connections[using].vendor == "postgresql":
        links = _array_links(ids, link_fields, using)
    else:
        links = _links(ids, link_fields)
    return _shape(found, fields, links)


def activity_rows(queryset: QuerySet[Activity], fields: Sequence[str]) -> list[dict[str, Any]]:
    """The activities of `queryset` (e.g. one page) as API rows: 2 queries on PostgreSQL,
    else 1 + one per link."""
    return rows_from_records(records(queryset, fields), fields, queryset.db)


def iter_activity_rows(
    queryset: QuerySet[Activity], fields: Sequence[str], chunk_size: int = EXPORT_CHUNK
) -> Iterator[dict[str, Any]]:
    """Every activity of `queryset`, streamed in chunks so memory stays flat whatever the
    number of rows (a server-side cursor; links read per chunk)."""
    link_fields = [name for name in fields if name in LINKS]
    chunk: list[dict[str, Any]] = []
    for record in records(queryset, fields).iterator(chunk_size=chunk_size):
        chunk.append(record)
        if len(chunk) == chunk_size:
            yield from _shape(chunk, fields, _links([r["id"] for r in chunk], link_fields))
            chunk = []
    if chunk:
        yield from _shape(chunk, fields, _links([r["id"] for r in chunk], link_fields))
