"""Staff pages that show counts: the dashboard (where the programme stands) and the goal
pages. Every count comes from progress.querysets under a ProgressQuery built from the page's
activity filters (the list's filter set) and the reader's visibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from activities.history import readable_change_log
from activities.models import Activity, ActivityStatus
from activities.views import CHECKBOX_FILTERS, ActivityPageFilterSet, ActivityTableMixin
from goals.models import PartnershipGoal, Programme
from goals.querysets import NO_RATINGS, goal_ratings
from goals.views import chosen_programme, goal_assessments
from itpp.permissions import RolePermissionMixin
from progress.cache import fragment_key, remember
from progress.query import FilterRefused, ProgressQuery, query_for
from progress.querysets import (
    Counts,
    Progress,
    Row,
    dashboard_progress,
    goal_row,
    programme_progress,
)
from progress.querysets import quarters_by_type as chart_by_type

# A goal whose latest held activity is older than this is flagged for attention.
STALE_AFTER = timedelta(days=365)
UPCOMING_WITHIN = timedelta(days=90)
UPCOMING_SHOWN = 8
RECENT_SHOWN = 8

VIEW_FRAMEWORK = ("goals.view_partnershipgoal", "activities.view_activity")
# The dashboard's filter bar: the list's, less what only syncing clients use.
DASHBOARD_EXCLUDED = ("updated_after", "ordering")


@dataclass
class GoalProgress:
    goal: PartnershipGoal
    counts: Counts
    latest: date | None
    stale: bool
    bars: dict[str, int]
    # goals.querysets.goal_ratings() for this goal, where a page shows ratings.
    ratings: dict[str, Any] | None = None


def goal_progress(row: Row, today: date) -> GoalProgress:
    return GoalProgress(
        goal=row.obj,
        counts=row.counts,
        latest=row.latest,
        stale=row.latest is None or row.latest < today - STALE_AFTER,
        bars=row.bars,
    )


def issues_with_goals(progress: Progress, today: date) -> list[dict[str, Any]]:
    """The priority issues of the programme, each with its counts and its goals."""
    by_issue: dict[int, list[GoalProgress]] = {}
    for row in progress.goals:
        by_issue.setdefault(row.obj.priority_issue_id, []).append(goal_progress(row, today))
    return [
        {"issue": row.obj, "counts": row.counts, "goals": by_issue.get(row.obj.pk, [])}
        for row in progress.priority_issues
    ]


def add_ratings(programme: Programme, issues: list[dict[str, Any]]) -> None:
    """Each goal's latest rating, change and draft, in one query for all of them."""
    ratings = goal_ratings(programme)
    for issue in issues:
        for row in issue["goals"]:
            row.ratings = ratings.get(row.goal.pk, NO_RATINGS)


def list_query(data: QueryDict, programme: Programme, *drop: str) -> str:
    """The page's filters (and its programme) as a query string for links to the activity
    list, so that a count and the list it links to agree."""
    query = data.copy()
    query["programme"] = str(programme.pk)
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


class DashboardView(RolePermissionMixin, TemplateView):
    """Where a programme stands, under the same filters as the activity list (kept in the
    URL: a plain GET form; htmx swaps only the results)."""

    permission_required = VIEW_FRAMEWORK
    template_name = "goals/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        request = self.request
        today = timezone.localdate()
        programmes = list(Programme.objects.all())
        programme = chosen_programme(request, programmes)
        filterset = ActivityPageFilterSet(
            request.GET,
            queryset=Activity.objects.none(),
            request=request,
            exclude=DASHBOARD_EXCLUDED,
        )
        context = super().get_context_data(
            programmes=programmes,
            programme=programme,
            filterset=filterset,
            checkbox_filters=CHECKBOX_FILTERS,
            several_programmes=len(programmes) > 1,
            filter_query=list_query(request.GET, programme, "goal", "status", "objective"),
            upcoming_days=UPCOMING_WITHIN.days,
            today=today,
            **kwargs,
        )
        try:
            query = query_for(request.GET, user=request.user, programme=programme)
        except FilterRefused as refused:
            context["refused"] = refused.message
            return context
        context.update(dashboard(query, today))
        # The rendered counts too (the filter bar is ~100 form widgets, the goals ~40 rows):
        # what each part shows besides the counts is in its key (progress.cache).
        choices = filterset.filters.get("releasability")
        context["page_key"] = fragment_key(
            query,
            "dashboard",
            sorted(request.GET.lists()),
            choices.extra.get("choices") if choices else None,
        )
        context["results_key"] = fragment_key(
            query, "dashboard", today.isoformat(), context["filter_query"]
        )
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        # htmx swaps #results out of the whole page: the page is the same either way, but
        # caches must not hand a history restore a response made for a swap.
        patch_vary_headers(response, ["HX-Request"])
        return response


def dashboard(query: ProgressQuery, today: date) -> dict[str, Any]:
    """Everything the dashboard shows under a query."""
    progress = dashboard_progress(query)
    issues = issues_with_goals(progress, today)
    add_ratings(query.programme, issues)
    activities = query.activities
    upcoming = (
        activities.filter(start_date__gte=today, start_date__lte=today + UPCOMING_WITHIN)
        .exclude(status__in=[ActivityStatus.CANCELLED, ActivityStatus.COMPLETED])
        .order_by("start_date", "id")[:UPCOMING_SHOWN]
    )
    recent = (
        activities.select_related("updated_by")
        .defer("updated_by__password")  # kept in the cache: no password hashes there
        .order_by("-updated_at", "-id")[:RECENT_SHOWN]
    )
    return {
        "progress": progress,
        "totals": progress.totals,
        "issues": issues,
        "objectives": [(row.obj, row.counts) for row in progress.objectives],
        "goal_count": sum(len(issue["goals"]) for issue in issues),
        "stale_count": sum(row.stale for issue in issues for row in issue["goals"]),
        "chart": chart_by_type(query),
        # Short lists, but each a scan of the filtered activities: cached as the counts are.
        "upcoming": remember(query, f"upcoming:{today.isoformat()}", lambda: list(upcoming)),
        "recent": remember(query, "recent", lambda: list(recent)),
    }


class GoalListView(RolePermissionMixin, TemplateView):
    permission_required = VIEW_FRAMEWORK
    template_name = "goals/goal_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        programmes = list(Programme.objects.all())
        programme = chosen_programme(self.request, programmes)
        context = super().get_context_data(programmes=programmes, programme=programme, **kwargs)
        try:
            query = query_for(self.request.GET, user=self.request.user, programme=programme)
        except FilterRefused as refused:
            context.update(refused=refused.message, issues=[])
            return context
        context["issues"] = issues_with_goals(programme_progress(query), timezone.localdate())
        return context


class GoalDetailView(RolePermissionMixin, ActivityTableMixin, TemplateView):
    """A goal's statement, counts and activities; the activities filter as on the list, and
    the counts follow the same filters."""

    permission_required = VIEW_FRAMEWORK
    template_name = "goals/goal_detail.html"
    # The goal is fixed by the page, and so is its programme.
    excluded_filters = ("goal", "programme", "updated_after")

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.goal: PartnershipGoal | None = None

    def get_goal(self) -> PartnershipGoal:
        if self.goal is None:
            goals = PartnershipGoal.objects.select_related("programme", "priority_issue")
            self.goal = get_object_or_404(goals, pk=self.kwargs["pk"])
        return self.goal

    def base_activities(self):
        return Activity.objects.visible_to(self.request.user).filter(goals=self.get_goal())

    def fixed_filters(self) -> dict[str, list[str]]:
        return {"goal": [str(self.get_goal().pk)]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        goal = self.get_goal()
        context = super().get_context_data(**kwargs)
        context.update(self.activity_table())
        # The counts under the table's own filters (those it leaves out, left out here).
        data = self.request.GET.copy()
        for name in self.excluded_filters:
            data.pop(name, None)
        try:
            query = query_for(data, user=self.request.user, programme=goal.programme)
        except FilterRefused:
            query = query_for({}, user=self.request.user, programme=goal.programme)
        row = goal_row(query, goal)
        context.update(
            goal=goal,
            progress=goal_progress(row, timezone.localdate()),
            history=readable_change_log(goal.history.all(), PartnershipGoal),
            **goal_assessments(goal),
        )
        return context
