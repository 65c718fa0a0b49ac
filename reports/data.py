"""What a progress report says, computed once for the page, the PDF and the workbook.

The report follows the programme's structure: strategic objectives, then priority issues
with their goals. Every count comes from progress (the same code as the progress API and
the dashboard) under the report's ProgressQuery; a closed stock-take's report uses the
counts frozen when it closed, and says with which filters they were taken. Everything
respects releasability: restricted activities count and show only for users allowed to see
them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from activities.models import Activity, ActivityStatus, ActivityType, Releasability
from activities.querysets import releasability_choices, year_bounds
from goals.models import GoalAssessment, PartnershipGoal, Programme, Rating, StockTake
from progress.query import FilterRefused, ProgressQuery, describe_filters
from progress.querysets import (
    attendance_per_goal,
    programme_progress,
    types_per_goal,
    zero_counts,
)
from progress.services import snapshot_view
from reports.marking import Marking, frozen_releasability, highest_of, highest_releasability

STATUS_LABELS = dict(ActivityStatus.choices)
TYPE_LABELS = dict(ActivityType.choices)


@dataclass
class AssessmentView:
    rating: str
    rating_label: str
    narrative: str
    next_steps: str


class GoalListing:
    """Each goal's listed activities, read the first time a section asks for them (the page
    and the PDF do), all at once: one query and its prefetches. The workbook never asks:
    it streams `Report.activities` instead, so its memory does not grow with the rows."""

    def __init__(self, activities: QuerySet[Activity]) -> None:
        self._activities = activities
        self._by_goal: dict[int, list[Activity]] | None = None

    def of(self, goal_id: int) -> list[Activity]:
        if self._by_goal is None:
            by_goal: dict[int, list[Activity]] = defaultdict(list)
            for activity in self._activities.prefetch_related("goals", "allies", "attachments"):
                for goal in activity.goals.all():
                    by_goal[goal.pk].append(activity)
            self._by_goal = dict(by_goal)
        return self._by_goal.get(goal_id, [])


@dataclass
class GoalSection:
    goal: PartnershipGoal
    counts: dict[str, int]
    types: list[tuple[str, int]]
    listing: GoalListing = field(repr=False)
    assessment: AssessmentView | None
    participants: int | None = None
    women_participants: int | None = None

    @property
    def activities(self) -> list[Activity]:
        """The activities serving this goal, by start date then id."""
        return self.listing.of(self.goal.pk)


@dataclass
class Report:
    programme: Programme
    title: str
    period_start: datetime.date
    period_end: datetime.date
    stocktake: StockTake | None
    generated_at: datetime.datetime
    generated_by: str
    totals: dict[str, int]
    objectives: list[dict[str, Any]]
    issues: list[dict[str, Any]] = field(default_factory=list)
    frozen: bool = False
    # The filters the counts were taken with (a closed stock-take's, when frozen), in words.
    filters: list[str] = field(default_factory=list)
    # The most restrictive releasability the report holds, said in its header.
    marking: Marking = field(default_factory=lambda: Marking(Releasability.PUBLIC))
    # Made with ?releasability=public: for sharing with the partner.
    public_only: bool = False
    # The activities the report lists (those serving at least one of its goals), each once,
    # by start date then id: a query, not evaluated here (the workbook reads it in chunks).
    activities: QuerySet[Activity] = field(default_factory=Activity.objects.none)

    @property
    def goal_sections(self) -> list[GoalSection]:
        return [section for issue in self.issues for section in issue["goals"]]


def report_period(
    programme: Programme, year: int | None, stocktake: StockTake | None
) -> tuple[datetime.date, datetime.date, str]:
    if stocktake is not None:
        return stocktake.period_start, stocktake.period_end, stocktake.title
    if year is not None:
        return (*year_bounds(year), gettext("Progress in %(year)s") % {"year": year})
    return (
        year_bounds(programme.start_year)[0],
        year_bounds(programme.end_year)[1],
        gettext("Progress %(start)s–%(end)s")
        % {"start": programme.start_year, "end": programme.end_year},
    )


def _assessments(programme: Programme, stocktake: StockTake | None) -> dict[int, AssessmentView]:
    """Per goal: the stock-take's assessment (frozen, if it is closed), or else the latest
    one of the programme."""
    labels = dict(Rating.choices)
    if stocktake is not None and stocktake.is_closed and stocktake.snapshot:
        return {
            a["goal"]: AssessmentView(
                a["rating"], labels.get(a["rating"], a["rating"]), a["narrative"], a["next_steps"]
            )
            for a in stocktake.snapshot.get("assessments", [])
        }
    assessments = GoalAssessment.objects.filter(stocktake__programme=programme)
    if stocktake is not None:
        assessments = assessments.filter(stocktake=stocktake)
    latest: dict[int, AssessmentView] = {}
    for assessment in assessments.select_related("stocktake").order_by(
        "stocktake__period_end", "assessed_on", "id"
    ):
        latest[assessment.goal_id] = AssessmentView(
            assessment.rating,
            assessment.get_rating_display(),
            assessment.narrative,
            assessment.next_steps,
        )
    return latest


def frozen_view(stocktake: StockTake, query: ProgressQuery, user: AbstractBaseUser) -> str:
    """Which of a closed stock-take's frozen counts the report reads: "all" or
    "unrestricted" (by the reader's permission), or "public" under ?releasability=public.

    The snapshot holds no other cut, so any other releasability filter is refused
    (FilterRefused) rather than applied to the activities listed but not to the counts.
    """
    default = snapshot_view(query.sees_restricted)
    chosen = set(query.cleaned.get("releasability") or ())
    offered = {value for value, _ in releasability_choices(Releasability.choices, user)}
    if not chosen or chosen >= offered:
        return default
    if chosen == {Releasability.PUBLIC}:
        if "public" in stocktake.snapshot:
            return "public"
        raise FilterRefused(
            {
                "releasability": [
                    gettext(
                        "This stock-take was closed before its counts of public activities "
                        "were kept, so its report cannot be limited to public activities. "
                        "Make the report of the same period without the stock-take instead."
                    )
                ]
            }
        )
    raise FilterRefused(
        {
            "releasability": [
                gettext(
                    "A closed stock-take's counts are frozen for all the activities you may "
                    "see and for the public ones only; leave releasability out or choose public."
                )
            ]
        }
    )


def build_report(
    query: ProgressQuery,
    *,
    user: AbstractBaseUser,
    stocktake: StockTake | None = None,
) -> Report:
    """The report of `query` (the filtered activities `user` may see: an open stock-take's
    report has its period among the filters). A closed stock-take's counts are its frozen
    ones: the caller refuses the filters they cannot follow (reports.views)."""
    programme = query.programme
    start, end, title = report_period(programme, query.year, stocktake)
    frozen = bool(stocktake and stocktake.is_closed and stocktake.snapshot)
    marking = highest_releasability(query.activities)
    if frozen:
        view = frozen_view(stocktake, query, user)
        progress = stocktake.snapshot[view]
        # A count of restricted activities is restricted information even without a title.
        marking = highest_of([marking, frozen_releasability(stocktake.snapshot, view)])
        taken_with = stocktake.snapshot.get("filters") or {
            "period_start": stocktake.snapshot["period"]["start"],
            "period_end": stocktake.snapshot["period"]["end"],
        }
        taken_with = {k: [v] for k, v in taken_with.items() if k != "programme"}
        if view == "public":
            taken_with["releasability"] = [Releasability.PUBLIC]
        filters = describe_filters(taken_with, {})
    else:
        progress = programme_progress(query).as_dict()
        filters = describe_filters(query.applied, query.cleaned)

    goal_counts = {row["id"]: row["activities"] for row in progress["goals"]}
    types = types_per_goal(query)
    attendance = attendance_per_goal(query)
    ordered = query.activities.order_by("start_date", "id")
    listing = GoalListing(ordered)
    # An activity is listed under each of its goals that has a section: the programme's.
    serves_a_goal = Exists(
        Activity.goals.through.objects.filter(
            activity=OuterRef("pk"), partnershipgoal__programme=programme
        )
    )

    assessments = _assessments(programme, stocktake)
    goals = PartnershipGoal.objects.filter(programme=programme).select_related("priority_issue")
    by_issue: dict[int, list[GoalSection]] = defaultdict(list)
    for goal in goals.order_by("order"):
        seen = attendance.get(goal.pk)
        by_issue[goal.priority_issue_id].append(
            GoalSection(
                goal=goal,
                counts=goal_counts.get(goal.pk, zero_counts()),
                types=types.get(goal.pk, []),
                listing=listing,
                assessment=assessments.get(goal.pk),
                participants=seen["participants"] if seen else None,
                women_participants=seen["women"] if seen else None,
            )
        )
    issues = [{**row, "goals": by_issue.get(row["id"], [])} for row in progress["priority_issues"]]
    return Report(
        programme=programme,
        title=title,
        period_start=start,
        period_end=end,
        stocktake=stocktake,
        generated_at=timezone.now(),
        generated_by=user.get_username(),
        totals=progress["totals"],
        objectives=progress["objectives"],
        issues=issues,
        frozen=frozen,
        filters=filters,
        marking=Marking(marking),
        public_only=set(query.cleaned.get("releasability") or ()) == {Releasability.PUBLIC},
        activities=ordered.filter(serves_a_goal),
    )
