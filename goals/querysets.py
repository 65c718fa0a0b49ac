"""Reusable reads of the framework, above all the progress counts.

The dashboard and the progress API both call `with_activity_counts()` (and, for priority
issues, `priority_issues_with_activity_counts()`), so they can never disagree: one
aggregate query per level, computed by the database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection, models
from django.db.models import Count, Exists, F, FilteredRelation, Max, OuterRef, Q
from django.utils import timezone

# Kept as plain strings so that this module does not import the activities app
# (which itself imports the framework models).
ACTIVITY_STATUSES = ("planned", "ongoing", "completed", "postponed", "cancelled")
# Statuses that mean an activity has actually taken place (or is taking place).
HELD_STATUSES = ("ongoing", "completed")


def prefix_q(q: Q, path: str) -> Q:
    """Rewrite a Q written against Activity so it applies through `path`."""
    prefixed = Q()
    prefixed.connector = q.connector
    prefixed.negated = q.negated
    for child in q.children:
        if isinstance(child, Q):
            prefixed.children.append(prefix_q(child, path))
        else:
            key, value = child
            prefixed.children.append((f"{path}__{key}", value))
    return prefixed


def activity_scope(
    *,
    year: int | None = None,
    start: date | None = None,
    end: date | None = None,
    visible: Q | None = None,
) -> Q:
    """The activities that count: those starting in `year` (or between `start` and `end`,
    inclusive), among those a user may see (`visible`, from activities.querysets)."""
    scope = Q()
    if year is not None:
        scope &= Q(start_date__gte=date(year, 1, 1), start_date__lt=date(year + 1, 1, 1))
    if start is not None:
        scope &= Q(start_date__gte=start)
    if end is not None:
        scope &= Q(start_date__lte=end)
    if visible is not None:
        scope &= visible
    return scope


class ActivityCountsQuerySet(models.QuerySet):
    """Annotates each row with the number of distinct activities by status.

    `activities_path` is the relation from this model to Activity. `activities_unique`
    says that an activity can reach a row only once along it (a foreign key, or one link
    table whose unique constraint holds each pair once), so plain `COUNT` is exact: at a
    million activities `COUNT(DISTINCT …)` sorted two million rows per status and took
    twice as long.
    """

    activities_path: str = "activities"
    activities_unique: bool = True

    def with_activity_counts(self, scope: Q | None = None) -> ActivityCountsQuerySet:
        path = self.activities_path
        distinct = not self.activities_unique
        queryset, in_scope = self, scope or Q()
        if scope and not _holds_subquery(scope):
            # The scope (year, visibility) goes into the join to the activities, once:
            # `LEFT JOIN activity ON … AND <scope>`, which PostgreSQL applies while it
            # scans the activities, instead of in each of the seven FILTER clauses below
            # (0.6–0.7 of the time for a Viewer at 100,000 activities, docs/performance.md).
            # Rows outside the scope join as NULLs, which COUNT skips; a row with nothing in
            # scope still gets its zeros. Django cannot put a subquery in a FilteredRelation,
            # so a scope holding one (the reports' period) stays in the FILTERs.
            queryset = self.annotate(
                counted_activities=FilteredRelation(path, condition=prefix_q(scope, path))
            )
            path, in_scope = "counted_activities", Q()
        else:
            in_scope = prefix_q(in_scope, path) if scope else Q()

        def counted(extra: Q | None = None) -> Q | None:
            condition = in_scope & extra if extra is not None else in_scope
            return condition or None

        annotations: dict[str, Any] = {
            "activities_total": Count(path, distinct=distinct, filter=counted()),
        }
        for status in ACTIVITY_STATUSES:
            annotations[f"activities_{status}"] = Count(
                path, distinct=distinct, filter=counted(Q(**{f"{path}__status": status}))
            )
        # The latest activity that has actually taken place, so that planned future
        # work does not hide a goal that has seen nothing for a long time.
        annotations["latest_activity_date"] = Max(
            f"{path}__start_date",
            filter=counted(Q(**{f"{path}__status__in": HELD_STATUSES})),
        )
        return queryset.annotate(**annotations)


def _holds_subquery(q: Q) -> bool:
    """Whether a condition compares with a queryset or an expression (not plain values)."""
    for child in q.children:
        if isinstance(child, Q):
            if _holds_subquery(child):
                return True
        elif isinstance(child[1], models.QuerySet) or hasattr(child[1], "resolve_expression"):
            return True
    return False


class ProgrammeQuerySet(ActivityCountsQuerySet):
    activities_path = "activities"

    def current(self, today: date | None = None) -> Any:
        """The programme whose cycle includes today, else the latest one (None if none).

        Returns a Programme; typed loosely because this module cannot import the model.
        """
        year = (today or timezone.localdate()).year
        running = self.filter(start_year__lte=year, end_year__gte=year).order_by("-start_year")
        return running.first() or self.order_by("-start_year", "partner").first()

    def chosen(self, wanted: str, programmes: list[Any]) -> Any:
        """Among `programmes` (already read for a page's selector), the one that a page's
        `?programme=<id>` names; else the current one (None if there is no programme)."""
        for programme in programmes:
            if str(programme.pk) == wanted:
                return programme
        return self.current()


class StrategicObjectiveQuerySet(ActivityCountsQuerySet):
    activities_path = "activities"


class PriorityIssueQuerySet(ActivityCountsQuerySet):
    # Through the goals: an activity serving two goals of one issue counts once.
    activities_path = "partnership_goals__activities"
    activities_unique = False


class PartnershipGoalQuerySet(ActivityCountsQuerySet):
    activities_path = "activities"


def activity_counts(row: Any) -> dict[str, int]:
    """The counts annotated by `with_activity_counts()`, as the API and pages show them."""
    counts = {"total": row.activities_total}
    counts.update({status: getattr(row, f"activities_{status}") for status in ACTIVITY_STATUSES})
    return counts


def priority_issues_with_activity_counts(programme: Any, scope: Q | None = None) -> list[Any]:
    """The programme's priority issues by number, annotated as `with_activity_counts()`
    annotates them (same names, same numbers), in one query of another shape.

    An activity reaches an issue through each of its goals there, so the counts must be
    distinct. `COUNT(DISTINCT …)` sorts the joined rows once per status, and `SELECT
    DISTINCT` over the pairs hashes them all (spilling to disk with the default
    `work_mem`). Here each pair is one link row, the activity's first goal of the issue
    (an anti-join), counted plainly. The ORM cannot aggregate over such a derived table
    and join the issues for their zeros, so the SQL wraps the ORM's own query for the
    pairs (scope and visibility included); only constants are formatted into it.
    """
    from activities.models import Activity
    from goals.models import PriorityIssue

    # Each (activity, goal) link whose goal is the activity's first in its issue: one row
    # per (issue, activity) pair without DISTINCT, whose hash of every pair spilled to disk
    # with PostgreSQL's default work_mem (an anti-join instead: about 0.7 of the time at
    # 100,000 activities, docs/performance.md).
    links = Activity.goals.through.objects
    earlier_goal_of_same_issue = links.filter(
        activity_id=OuterRef("activity_id"),
        partnershipgoal__priority_issue_id=OuterRef("partnershipgoal__priority_issue_id"),
        partnershipgoal_id__lt=OuterRef("partnershipgoal_id"),
    )
    pairs = (
        links.filter(prefix_q(scope, "activity") if scope else Q())
        .filter(partnershipgoal__programme=programme)
        .exclude(Exists(earlier_goal_of_same_issue))
        .values(
            status=F("activity__status"),
            start_date=F("activity__start_date"),
            issue=F("partnershipgoal__priority_issue_id"),
        )
        .order_by()
    )
    pairs_sql, pairs_params = pairs.query.sql_with_params()
    by_status = "".join(
        f", count(*) FILTER (WHERE status = %s) AS activities_{status}"
        for status in ACTIVITY_STATUSES
    )
    zeroed = "".join(
        f", coalesce(counts.activities_{status}, 0) AS activities_{status}"
        for status in ("total", *ACTIVITY_STATUSES)
    )
    held = ", ".join(["%s"] * len(HELD_STATUSES))
    issues = PriorityIssue._meta.db_table
    sql = f"""
        SELECT issue.*{zeroed}, counts.latest_activity_date
        FROM {connection.ops.quote_name(issues)} AS issue
        LEFT JOIN (
            SELECT pairs.issue, count(*) AS activities_total{by_status},
                max(start_date) FILTER (WHERE status IN ({held})) AS latest_activity_date
            FROM ({pairs_sql}) AS pairs
            GROUP BY pairs.issue
        ) AS counts ON counts.issue = issue.id
        WHERE issue.programme_id = %s
        ORDER BY issue.number
    """  # noqa: S608 (constants only; every value is a parameter)
    params = [*ACTIVITY_STATUSES, *HELD_STATUSES, *pairs_params, programme.pk]
    rows = list(PriorityIssue.objects.raw(sql, params))
    for row in rows:
        # A raw max() of a date is text on SQLite (the quick start); PostgreSQL gives a date.
        if isinstance(row.latest_activity_date, str):
            row.latest_activity_date = date.fromisoformat(row.latest_activity_date)
    return rows


def programme_progress(programme: Any, scope: Q | None = None) -> dict[str, list[dict[str, Any]]]:
    """Where a programme stands: distinct-activity counts per goal, objective and priority
    issue, one aggregate query per level. The progress API, the dashboard and the
    stock-take snapshots all read this."""
    from goals.models import PartnershipGoal, StrategicObjective

    def latest(row: Any) -> str | None:
        return row.latest_activity_date.isoformat() if row.latest_activity_date else None

    goals = PartnershipGoal.objects.filter(programme=programme).with_activity_counts(scope)
    objectives = StrategicObjective.objects.filter(programme=programme).with_activity_counts(scope)
    issues = priority_issues_with_activity_counts(programme, scope)
    return {
        "goals": [
            {
                "id": goal.pk,
                "title": goal.title,
                "priority_issue": goal.priority_issue_id,
                "activities": activity_counts(goal),
                "latest_activity_date": latest(goal),
            }
            for goal in goals.order_by("order")
        ],
        "objectives": [
            {
                "id": objective.pk,
                "number": objective.number,
                "title": objective.title,
                "activities": activity_counts(objective),
                "latest_activity_date": latest(objective),
            }
            for objective in objectives.order_by("number")
        ],
        "priority_issues": [
            {
                "id": issue.pk,
                "number": issue.number,
                "title": issue.title,
                "activities": activity_counts(issue),
                "latest_activity_date": latest(issue),
            }
            for issue in issues
        ],
    }


def status_totals(programme: Any, scope: Q | None = None) -> dict[str, int]:
    """Distinct activities of the programme in `scope`, in total and by status."""
    from activities.models import Activity

    rows = (
        Activity.objects.filter(programme=programme)
        .filter(scope or Q())
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    totals = dict.fromkeys(["total", *ACTIVITY_STATUSES], 0)
    for row in rows:
        totals[row["status"]] = row["n"]
    totals["total"] = sum(totals[status] for status in ACTIVITY_STATUSES)
    return totals


def _rating(row: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    return {
        "rating": row["rating"],
        "label": labels.get(row["rating"], row["rating"]),
        "stocktake": row["stocktake_id"],
        "stocktake_title": row["stocktake__title"],
        "assessed_on": row["assessed_on"],
    }


def rating_change(latest: str | None, previous: str | None) -> str | None:
    """How a goal's rating moved between two closed stock-takes, on RATING_SCALE."""
    from goals.models import RATING_SCALE

    if latest is None:
        return None
    if previous is None:
        return "new"
    rank = {rating: place for place, rating in enumerate(RATING_SCALE)}
    if rank[latest] == rank[previous]:
        return "unchanged"
    return "improved" if rank[latest] > rank[previous] else "declined"


def goal_ratings(programme: Any) -> dict[int, dict[str, Any]]:
    """Per goal of the programme: its latest rating, the one before and how it changed,
    and the open stock-take's rating as a draft. One query, whatever the stock-takes.

    Only closed stock-takes give the latest and previous ratings (a closed one is a
    record both sides agreed; an open one may still change): the latest is from the most
    recent closed stock-take that rated the goal, the previous from the closed one
    before it that did. Goals never rated are left out.
    """
    from goals.models import GoalAssessment, Rating, StockTakeStatus

    labels = dict(Rating.choices)
    rows = (
        GoalAssessment.objects.filter(stocktake__programme=programme)
        .values(
            "goal_id",
            "rating",
            "assessed_on",
            "stocktake_id",
            "stocktake__title",
            "stocktake__status",
        )
        .order_by("stocktake__period_end", "stocktake__closed_at", "stocktake_id")
    )
    closed: dict[int, list[dict[str, Any]]] = {}
    drafts: dict[int, dict[str, Any]] = {}
    for row in rows:
        if row["stocktake__status"] == StockTakeStatus.CLOSED:
            closed.setdefault(row["goal_id"], []).append(_rating(row, labels))
        else:
            drafts[row["goal_id"]] = _rating(row, labels)
    ratings = {}
    for goal_id in closed.keys() | drafts.keys():
        history = closed.get(goal_id, [])
        latest = history[-1] if history else None
        previous = history[-2] if len(history) > 1 else None
        ratings[goal_id] = {
            "latest_rating": latest,
            "previous_rating": previous,
            "rating_change": rating_change(
                latest and latest["rating"], previous and previous["rating"]
            ),
            "draft_rating": drafts.get(goal_id),
        }
    return ratings


NO_RATINGS: dict[str, Any] = {
    "latest_rating": None,
    "previous_rating": None,
    "rating_change": None,
    "draft_rating": None,
}
