"""Staff pages for the framework: the dashboard (where the programme stands) and the goals.

Every count comes from `goals.querysets` (`with_activity_counts()`, and
`priority_issues_with_activity_counts()` for the issues), the same aggregates the progress
API uses, so the pages and the API never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncQuarter
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from activities.history import readable_change_log
from activities.models import Activity, ActivityStatus, ActivityType
from activities.querysets import visibility
from activities.views import ActivityTableMixin, RolePermissionMixin
from goals.models import (
    NO_PROGRAMME,
    PartnershipGoal,
    Programme,
    StockTake,
    StockTakeStatus,
    StrategicObjective,
)
from goals.querysets import (
    NO_RATINGS,
    activity_counts,
    activity_scope,
    goal_ratings,
    priority_issues_with_activity_counts,
)

# A goal whose latest held activity is older than this is flagged for attention.
STALE_AFTER = timedelta(days=365)
UPCOMING_WITHIN = timedelta(days=90)
UPCOMING_SHOWN = 8
RECENT_SHOWN = 8
# Bars are drawn with width classes in steps of 5% (no style attributes: the CSP forbids them).
BAR_STEP = 5

VIEW_FRAMEWORK = ("goals.view_partnershipgoal", "activities.view_activity")


def bar_width(count: int, largest: int) -> int:
    """A share of `largest` as a width class value: 0, 5, …, 100 (a non-zero count shows)."""
    if not count or not largest:
        return 0
    return max(BAR_STEP, round(count / largest * 100 / BAR_STEP) * BAR_STEP)


@dataclass
class GoalProgress:
    goal: PartnershipGoal
    counts: dict[str, int]
    latest: date | None
    stale: bool
    bars: dict[str, int]
    # goals.querysets.goal_ratings() for this goal, where a page shows ratings.
    ratings: dict[str, Any] | None = None


def goal_progress(goals: QuerySet, today: date) -> list[GoalProgress]:
    """Goals annotated by `with_activity_counts()`, with their flag and bar widths.

    Bars share one scale (the busiest goal), so goals can be compared at a glance.
    """
    goals = list(goals)
    largest = max((goal.activities_total for goal in goals), default=0)
    rows = []
    for goal in goals:
        counts = activity_counts(goal)
        latest = goal.latest_activity_date
        rows.append(
            GoalProgress(
                goal=goal,
                counts=counts,
                latest=latest,
                stale=latest is None or latest < today - STALE_AFTER,
                bars={
                    status: bar_width(counts[status], largest)
                    for status in ("completed", "ongoing", "planned")
                },
            )
        )
    return rows


def quarters_between(first: date, last: date) -> list[date]:
    quarters = []
    year, quarter = first.year, (first.month - 1) // 3
    while date(year, quarter * 3 + 1, 1) <= last:
        quarters.append(date(year, quarter * 3 + 1, 1))
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return quarters


def quarter_label(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def activities_per_quarter(programme: Programme, visible: QuerySet) -> dict[str, Any]:
    """Activities per quarter by type, counted by the database (cancelled ones left out).

    The quarters run over the programme's cycle, widened to any activity outside it.
    """
    rows = list(
        visible.filter(programme=programme)
        .exclude(status=ActivityStatus.CANCELLED)
        .annotate(quarter=TruncQuarter("start_date"))
        .values("quarter", "activity_type")
        .annotate(count=Count("id"))
        .order_by("quarter", "activity_type")
    )
    if not rows:
        return {"labels": [], "datasets": [], "table": []}
    counts = {(row["quarter"], row["activity_type"]): row["count"] for row in rows}
    first = min(date(programme.start_year, 1, 1), rows[0]["quarter"])
    last = max(date(programme.end_year, 10, 1), rows[-1]["quarter"])
    quarters = quarters_between(first, last)
    present = {row["activity_type"] for row in rows}
    types = [(value, label) for value, label in ActivityType.choices if value in present]
    return {
        "labels": [quarter_label(q) for q in quarters],
        "datasets": [
            {"key": value, "label": label, "data": [counts.get((q, value), 0) for q in quarters]}
            for value, label in types
        ],
        # The same numbers as a table, for screen readers and without JavaScript; only the
        # quarters that had activities, so it stays short.
        "types": [label for _, label in types],
        "table": [
            {
                "quarter": quarter_label(q),
                "counts": [counts.get((q, value), 0) for value, _ in types],
                "total": sum(counts.get((q, value), 0) for value, _ in types),
            }
            for q in quarters
            if any((q, value) in counts for value, _ in types)
        ],
    }


def chosen_programme(request: HttpRequest, programmes: list[Programme]) -> Programme:
    """`?programme=<id>` when it names one, else the current cycle."""
    programme = Programme.objects.chosen(request.GET.get("programme", ""), programmes)
    if programme is None:
        raise Http404(NO_PROGRAMME)
    return programme


def issues_with_goals(programme: Programme, today: date, scope: Q) -> list[dict[str, Any]]:
    """The priority issues of a programme, each with its goals: two aggregate queries."""
    issues = priority_issues_with_activity_counts(programme, scope)
    goals = (
        PartnershipGoal.objects.filter(programme=programme)
        .select_related("priority_issue")
        .with_activity_counts(scope)
        .order_by("order")
    )
    by_issue: dict[int, list[GoalProgress]] = {}
    for row in goal_progress(goals, today):
        by_issue.setdefault(row.goal.priority_issue_id, []).append(row)
    return [
        {"issue": issue, "counts": activity_counts(issue), "goals": by_issue.get(issue.pk, [])}
        for issue in issues
    ]


def add_ratings(programme: Programme, issues: list[dict[str, Any]]) -> None:
    """Each goal's latest rating, change and draft, in one query for all of them."""
    ratings = goal_ratings(programme)
    for issue in issues:
        for row in issue["goals"]:
            row.ratings = ratings.get(row.goal.pk, NO_RATINGS)


class DashboardView(RolePermissionMixin, TemplateView):
    permission_required = VIEW_FRAMEWORK
    template_name = "goals/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        programmes = list(Programme.objects.all())
        programme = chosen_programme(self.request, programmes)
        # Every count and list leaves out what this user may not see.
        scope = activity_scope(visible=visibility(self.request.user))
        visible = Activity.objects.visible_to(self.request.user)
        totals = Programme.objects.with_activity_counts(scope).get(pk=programme.pk)
        issues = issues_with_goals(programme, today, scope)
        add_ratings(programme, issues)
        objectives = StrategicObjective.objects.filter(programme=programme).with_activity_counts(
            scope
        )
        chart = activities_per_quarter(programme, visible)
        upcoming = (
            visible.filter(
                programme=programme,
                start_date__gte=today,
                start_date__lte=today + UPCOMING_WITHIN,
            )
            .exclude(status__in=[ActivityStatus.CANCELLED, ActivityStatus.COMPLETED])
            .order_by("start_date", "id")[:UPCOMING_SHOWN]
        )
        recent = (
            visible.filter(programme=programme)
            .select_related("updated_by")
            .order_by("-updated_at", "-id")[:RECENT_SHOWN]
        )
        goal_count = sum(len(issue["goals"]) for issue in issues)
        stale_count = sum(row.stale for issue in issues for row in issue["goals"])
        return super().get_context_data(
            programmes=programmes,
            programme=programme,
            totals=activity_counts(totals),
            issues=issues,
            objectives=[(o, activity_counts(o)) for o in objectives],
            goal_count=goal_count,
            stale_count=stale_count,
            chart=chart,
            upcoming=upcoming,
            upcoming_days=UPCOMING_WITHIN.days,
            recent=recent,
            today=today,
            **kwargs,
        )


class GoalListView(RolePermissionMixin, TemplateView):
    permission_required = VIEW_FRAMEWORK
    template_name = "goals/goal_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        programmes = list(Programme.objects.all())
        programme = chosen_programme(self.request, programmes)
        return super().get_context_data(
            programmes=programmes,
            programme=programme,
            issues=issues_with_goals(
                programme,
                timezone.localdate(),
                activity_scope(visible=visibility(self.request.user)),
            ),
            **kwargs,
        )


class GoalDetailView(RolePermissionMixin, ActivityTableMixin, TemplateView):
    """A goal's statement, counts and activities; the activities filter as on the list."""

    permission_required = VIEW_FRAMEWORK
    template_name = "goals/goal_detail.html"
    # The goal is fixed by the page, and so is its programme.
    excluded_filters = ("goal", "programme", "updated_after")

    def setup(self, request, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.goal: PartnershipGoal | None = None

    def get_goal(self) -> PartnershipGoal:
        if self.goal is None:
            goals = PartnershipGoal.objects.select_related("programme", "priority_issue")
            self.goal = get_object_or_404(
                goals.with_activity_counts(activity_scope(visible=visibility(self.request.user))),
                pk=self.kwargs["pk"],
            )
        return self.goal

    def base_activities(self) -> QuerySet:
        return Activity.objects.visible_to(self.request.user).filter(goals=self.get_goal())

    def fixed_filters(self) -> dict[str, list[str]]:
        return {"goal": [str(self.get_goal().pk)]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        goal = self.get_goal()
        context = super().get_context_data(**kwargs)
        context.update(self.activity_table())
        context.update(
            goal=goal,
            progress=goal_progress([goal], timezone.localdate())[0],
            history=readable_change_log(goal.history.all(), PartnershipGoal),
            **goal_assessments(goal),
        )
        return context


def goal_assessments(goal: PartnershipGoal) -> dict[str, Any]:
    """The goal's assessments, latest stock-take first, and its programme's open stock-take
    (where it can be rated now), if any."""
    assessments = list(
        goal.assessments.select_related("stocktake", "assessed_by").order_by(
            "-stocktake__period_end", "-stocktake_id"
        )
    )
    open_stocktake = StockTake.objects.filter(
        programme=goal.programme_id, status=StockTakeStatus.OPEN
    ).first()
    return {
        "assessments": assessments,
        "open_stocktake": open_stocktake,
        "rated_in_open": any(
            a.stocktake_id == getattr(open_stocktake, "pk", None) for a in assessments
        ),
    }
