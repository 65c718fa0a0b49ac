"""Every count of activities, in one place: per goal, per objective, per priority issue
(distinct activities), per quarter, and the programme's totals, each by status.

Each takes a `ProgressQuery` (progress.query): the filtered activities the reader may see.
Counting starts from those activities and groups them by what they serve, so a filter on
the activities (an Ally, a type, a year, a goal) narrows every level the same way, and
the counts of a goal always equal the length of the activity list under the same filters
plus that goal. Links hold each (activity, goal) and (activity, objective) pair once, so a
plain `COUNT` is exact; an activity reaches a priority issue once per goal there, so only
its link to its first goal of the issue is counted (an anti-join, no DISTINCT).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncQuarter

from activities.models import Activity, ActivityStatus, ActivityType
from goals.models import PartnershipGoal, PriorityIssue, StrategicObjective
from progress.cache import cached, remember
from progress.query import ProgressQuery

STATUSES: tuple[str, ...] = tuple(ActivityStatus.values)
# Statuses that mean an activity has actually taken place (or is taking place).
HELD_STATUSES: tuple[str, ...] = (ActivityStatus.ONGOING, ActivityStatus.COMPLETED)
# Bars are drawn with width classes in steps of 5% (no style attributes: the CSP forbids them).
BAR_STEP = 5
# The statuses a progress bar shows, in its order.
BAR_STATUSES = ("completed", "ongoing", "planned")

Counts = dict[str, int]


def zero_counts() -> Counts:
    return dict.fromkeys(["total", *STATUSES], 0)


def _by_status() -> dict[str, Any]:
    """Aggregates for one GROUP BY: the total, each status, and the latest held start."""
    aggregates: dict[str, Any] = {"total": Count("id")}
    for status in STATUSES:
        aggregates[status] = Count("id", filter=Q(status=status))
    aggregates["latest"] = Max("start_date", filter=Q(status__in=HELD_STATUSES))
    return aggregates


def _rows_by(activities: QuerySet[Activity], path: str) -> dict[Any, dict[str, Any]]:
    rows = activities.values(key=F(path)).annotate(**_by_status()).order_by()
    return {row.pop("key"): row for row in rows if row["key"] is not None}


def _counts(row: dict[str, Any] | None) -> Counts:
    if row is None:
        return zero_counts()
    return {name: row[name] for name in ("total", *STATUSES)}


def _latest(row: dict[str, Any] | None) -> datetime.date | None:
    value = row["latest"] if row else None
    # A raw max() of a date is text on SQLite (the quick start); PostgreSQL gives a date.
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _issue_rows(query: ProgressQuery) -> dict[int, dict[str, Any]]:
    """Per priority issue, distinct activities by status.

    An activity reaches an issue through each of its goals there. Each (issue, activity)
    pair is kept as one link row, the activity's link to its first goal of that issue
    (`NOT EXISTS` a link to a goal of the same issue with a smaller id), and counted
    plainly: `SELECT DISTINCT` over the pairs hashed every pair and spilled to disk with
    PostgreSQL's default `work_mem`; the anti-join took 0.73-0.83 of its time at 100,000
    and 0.80 at 1,000,000 (docs/performance.md). The activities are the ORM's own query
    (filters and visibility included), wrapped as a derived table, since the ORM cannot
    aggregate over one; only constants and table names are formatted into the SQL.
    """
    activities_sql, activities_params = (
        query.activities.values("id", "status", "start_date").order_by().query.sql_with_params()
    )
    quote = connection.ops.quote_name
    links = Activity.goals.through
    link_table = quote(links._meta.db_table)
    goal_table = quote(PartnershipGoal._meta.db_table)
    activity_id = quote(links._meta.get_field("activity").column)
    goal_id = quote(links._meta.get_field("partnershipgoal").column)
    issue_id = quote(PartnershipGoal._meta.get_field("priority_issue").column)
    by_status = "".join(f', count(*) FILTER (WHERE a.status = %s) AS "{s}"' for s in STATUSES)
    held = ", ".join(["%s"] * len(HELD_STATUSES))
    sql = f"""
        SELECT goal.{issue_id}, count(*) AS total{by_status},
            max(a.start_date) FILTER (WHERE a.status IN ({held})) AS latest
        FROM ({activities_sql}) AS a
        JOIN {link_table} AS link ON link.{activity_id} = a.id
        JOIN {goal_table} AS goal ON goal.id = link.{goal_id}
        WHERE NOT EXISTS (
            SELECT 1 FROM {link_table} AS earlier
            JOIN {goal_table} AS earlier_goal ON earlier_goal.id = earlier.{goal_id}
            WHERE earlier.{activity_id} = link.{activity_id}
                AND earlier_goal.{issue_id} = goal.{issue_id}
                AND earlier.{goal_id} < link.{goal_id}
        )
        GROUP BY goal.{issue_id}
    """  # noqa: S608 (constants and table names only; every value is a parameter)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*STATUSES, *HELD_STATUSES, *activities_params])
        names = [column[0] for column in cursor.description]
        return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def totals(query: ProgressQuery) -> Counts:
    """The programme's distinct activities under the query, in total and by status."""
    row = query.activities.aggregate(
        **{name: value for name, value in _by_status().items() if name != "latest"}
    )
    return _counts(row)


def quarter_label(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarters_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of each quarter from `first`'s to `last`'s."""
    quarters = []
    year, quarter = first.year, (first.month - 1) // 3
    while datetime.date(year, quarter * 3 + 1, 1) <= last:
        quarters.append(datetime.date(year, quarter * 3 + 1, 1))
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return quarters


def quarters(query: ProgressQuery) -> list[dict[str, Any]]:
    """Activities by the quarter they start in, by status: every quarter from the first
    to the last that has a matching activity (those between with zeros); none if none."""
    rows = _rows_by(query.activities.annotate(quarter=TruncQuarter("start_date")), "quarter")
    if not rows:
        return []
    found = {_day(key): row for key, row in rows.items()}
    return [
        {"quarter": quarter_label(day), "start": day, "activities": _counts(found.get(day))}
        for day in quarters_between(min(found), max(found))
    ]


def _day(value: datetime.date | datetime.datetime | str) -> datetime.date:
    if isinstance(value, str):  # SQLite
        return datetime.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime.datetime) else value


def quarters_by_type(query: ProgressQuery) -> dict[str, Any]:
    """The dashboard's chart: activities per quarter by type, cancelled ones left out,
    over the programme's cycle widened to any activity outside it (cached as
    `programme_progress()` is)."""
    return remember(query, "quarters_by_type", lambda: _quarters_by_type(query))


def _quarters_by_type(query: ProgressQuery) -> dict[str, Any]:
    programme = query.programme
    rows = list(
        query.activities.exclude(status=ActivityStatus.CANCELLED)
        .annotate(quarter=TruncQuarter("start_date"))
        .values("quarter", "activity_type")
        .annotate(count=Count("id"))
        .order_by("quarter", "activity_type")
    )
    if not rows:
        return {"labels": [], "datasets": [], "types": [], "table": []}
    counts = {(_day(row["quarter"]), row["activity_type"]): row["count"] for row in rows}
    first = min(datetime.date(programme.start_year, 1, 1), _day(rows[0]["quarter"]))
    last = max(datetime.date(programme.end_year, 10, 1), _day(rows[-1]["quarter"]))
    days = quarters_between(first, last)
    present = {row["activity_type"] for row in rows}
    types = [(value, label) for value, label in ActivityType.choices if value in present]

    def label(day: datetime.date) -> str:
        return quarter_label(day).replace("-", " ")

    return {
        "labels": [label(day) for day in days],
        "datasets": [
            {"key": value, "label": text, "data": [counts.get((day, value), 0) for day in days]}
            for value, text in types
        ],
        # The same numbers as a table, for screen readers and without JavaScript; only the
        # quarters that had activities, so it stays short.
        "types": [text for _, text in types],
        "table": [
            {
                "quarter": label(day),
                "counts": [counts.get((day, value), 0) for value, _ in types],
                "total": sum(counts.get((day, value), 0) for value, _ in types),
            }
            for day in days
            if any((day, value) in counts for value, _ in types)
        ],
    }


def bar_scale(counts: list[Counts]) -> int:
    """The one scale of every progress bar, on pages and in reports: the busiest row's
    total, so rows compare at a glance."""
    return max((row["total"] for row in counts), default=0)


def bar_share(count: int, scale: int) -> float:
    """A count as a percentage of the scale."""
    return 100 * count / scale if count and scale else 0.0


def bar_width(count: int, scale: int) -> int:
    """`bar_share()` as a width class: 0, 5, …, 100 (a non-zero count always shows)."""
    if not count or not scale:
        return 0
    return max(BAR_STEP, round(bar_share(count, scale) / BAR_STEP) * BAR_STEP)


@dataclass
class Row:
    """One goal, objective or priority issue with its counts."""

    obj: Any
    counts: Counts
    latest: datetime.date | None
    bars: dict[str, int] = field(default_factory=dict)

    def as_dict(self, **extra: Any) -> dict[str, Any]:
        return {
            "id": self.obj.pk,
            **extra,
            "activities": self.counts,
            "latest_activity_date": self.latest.isoformat() if self.latest else None,
        }


@dataclass
class Progress:
    """Where a programme stands under a query: what every entry point shows."""

    query: ProgressQuery
    goals: list[Row]
    objectives: list[Row]
    priority_issues: list[Row]
    totals: Counts
    # None when not counted: the dashboard's progress (`dashboard_progress()`), which
    # shows no quarters by status.
    quarters: list[dict[str, Any]] | None

    def as_dict(self) -> dict[str, Any]:
        """As the progress API and the stock-take snapshots store it (JSON-ready)."""
        if self.quarters is None:
            raise ValueError("This progress was counted without its quarters.")
        return {
            "goals": [
                row.as_dict(
                    title=row.obj.title,
                    title_ja=row.obj.title_ja,
                    priority_issue=row.obj.priority_issue_id,
                )
                for row in self.goals
            ],
            "objectives": [
                row.as_dict(number=row.obj.number, title=row.obj.title, title_ja=row.obj.title_ja)
                for row in self.objectives
            ],
            "priority_issues": [
                row.as_dict(number=row.obj.number, title=row.obj.title, title_ja=row.obj.title_ja)
                for row in self.priority_issues
            ],
            "totals": self.totals,
            "quarters": [
                {"quarter": q["quarter"], "activities": q["activities"]} for q in self.quarters
            ],
        }


def _rows(objects: QuerySet, found: dict[Any, dict[str, Any]]) -> list[Row]:
    return [Row(obj, _counts(found.get(obj.pk)), _latest(found.get(obj.pk))) for obj in objects]


def goal_rows(query: ProgressQuery, goals: QuerySet[PartnershipGoal] | None = None) -> list[Row]:
    """Goals (the programme's, or `goals`) with their counts and bars on one scale."""
    if goals is None:
        goals = PartnershipGoal.objects.filter(programme=query.programme)
    goals = goals.select_related("priority_issue").order_by("order")
    rows = _rows(goals, _rows_by(query.activities, "goals"))
    scale = bar_scale([row.counts for row in rows])
    for row in rows:
        row.bars = {status: bar_width(row.counts[status], scale) for status in BAR_STATUSES}
    return rows


def count_progress(query: ProgressQuery, *, with_quarters: bool = True) -> Progress:
    """Every level at once, from the database: seven queries, whatever the size of the
    programme (six `with_quarters=False`). What a stock-take freezes; every page and the
    API read `programme_progress()`, its cached answer."""
    programme = query.programme
    objectives = StrategicObjective.objects.filter(programme=programme).order_by("number")
    issues = PriorityIssue.objects.filter(programme=programme).order_by("number")
    return Progress(
        query=query,
        goals=goal_rows(query),
        objectives=_rows(objectives, _rows_by(query.activities, "objectives")),
        priority_issues=_rows(issues, _issue_rows(query)),
        totals=totals(query),
        quarters=quarters(query) if with_quarters else None,
    )


def _pack_progress(progress: Progress) -> dict[str, Any]:
    # Everything but the query, whose queryset would be evaluated by pickling.
    return {
        "goals": progress.goals,
        "objectives": progress.objectives,
        "priority_issues": progress.priority_issues,
        "totals": progress.totals,
        "quarters": progress.quarters,
    }


def programme_progress(query: ProgressQuery) -> Progress:
    """`count_progress()`, kept in the shared cache until the counted data changes
    (progress.cache): a repeated question costs no query on activities."""
    return remember(
        query,
        "programme",
        lambda: count_progress(query),
        pack=_pack_progress,
        unpack=lambda packed: Progress(query, **packed),
    )


def dashboard_progress(query: ProgressQuery) -> Progress:
    """`programme_progress()` less the quarters by status, which the dashboard does not
    show (its chart is by type: `quarters_by_type()`): the whole answer when the cache
    holds it, else counted without them, one aggregate fewer (about a fifth of the cold
    dashboard's SQL at 100,000 activities), and cached under a name of its own."""
    found = cached(query, "programme")
    if found is not None:
        return Progress(query, **found)
    return remember(
        query,
        "programme-without-quarters",
        lambda: count_progress(query, with_quarters=False),
        pack=_pack_progress,
        unpack=lambda packed: Progress(query, **packed),
    )


def programme_totals(query: ProgressQuery) -> Counts:
    """The programme's totals by status under the query, as `programme_progress()` gives
    them: from its cached answer when there is one, else counted alone (one aggregate, not
    seven) and cached too. The activity list shows these beside its rows."""
    found = cached(query, "programme")
    if found is not None:
        return found["totals"]
    return remember(query, "totals", lambda: totals(query))


def goal_row(query: ProgressQuery, goal: PartnershipGoal) -> Row:
    """One goal of the query's programme with its counts (from the programme's cached
    progress) and its bars on its own scale (shares of its total)."""
    for row in programme_progress(query).goals:
        if row.obj.pk == goal.pk:
            scale = bar_scale([row.counts])
            bars = {status: bar_width(row.counts[status], scale) for status in BAR_STATUSES}
            return Row(goal, row.counts, row.latest, bars)
    return Row(goal, zero_counts(), None, dict.fromkeys(BAR_STATUSES, 0))


def types_per_goal(query: ProgressQuery) -> dict[int, list[tuple[str, int]]]:
    """Per goal, its activities by type (label, count), the commonest first."""
    labels = dict(ActivityType.choices)
    rows = (
        query.activities.values(goal=F("goals"), kind=F("activity_type"))
        .annotate(n=Count("id"))
        .order_by("goal", "-n", "kind")
    )
    types: dict[int, list[tuple[str, int]]] = {}
    for row in rows:
        types.setdefault(row["goal"], []).append((labels[row["kind"]], row["n"]))
    return types


def attendance_per_goal(query: ProgressQuery) -> dict[int, dict[str, int]]:
    """Per goal: participants and women among them, over the activities that record both."""
    rows = (
        query.activities.filter(women_participants__isnull=False)
        .values(goal=F("goals"))
        .annotate(participants=Sum("participants"), women=Sum("women_participants"))
        .order_by()
    )
    return {row["goal"]: row for row in rows}


def objectives_per_goal(query: ProgressQuery) -> dict[int, list[int]]:
    """Per goal, the numbers of the strategic objectives its matching activities serve
    (cached as `programme_progress()` is)."""
    return remember(query, "objectives_per_goal", lambda: _objectives_per_goal(query))


def _objectives_per_goal(query: ProgressQuery) -> dict[int, list[int]]:
    rows = (
        query.activities.filter(objectives__isnull=False)
        .values_list("goals", "objectives__number")
        .distinct()
        .order_by("goals", "objectives__number")
    )
    numbers: dict[int, list[int]] = {}
    for goal, number in rows:
        numbers.setdefault(goal, []).append(number)
    return numbers
