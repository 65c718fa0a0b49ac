"""What a progress report says, computed once for the page, the PDF and the workbook.

The report follows the programme's structure: strategic objectives, then priority issues
with their goals. Counts come from `goals.querysets.programme_progress()` (the same code as
the progress API and the dashboard); a closed stock-take's report uses the counts frozen
when it closed. Everything respects releasability: restricted activities count and show
only for users allowed to see them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from activities.models import Activity, ActivityStatus, ActivityType, Releasability
from activities.querysets import VIEW_RESTRICTED, releasability_choices
from goals.models import GoalAssessment, PartnershipGoal, Programme, Rating, StockTake
from goals.querysets import programme_progress, status_totals
from reports.marking import Marking, frozen_releasability, highest_of, highest_releasability

STATUSES = [status for status, _ in ActivityStatus.choices]
TYPE_LABELS = dict(ActivityType.choices)
STATUS_LABELS = dict(ActivityStatus.choices)


@dataclass
class AssessmentView:
    rating: str
    rating_label: str
    narrative: str
    next_steps: str


@dataclass
class GoalSection:
    goal: PartnershipGoal
    counts: dict[str, int]
    types: list[tuple[str, int]]
    activities: list[Activity]
    assessment: AssessmentView | None
    participants: int | None = None
    women_participants: int | None = None


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
    # The most restrictive releasability the report holds, said in its header.
    marking: Marking = field(default_factory=lambda: Marking(Releasability.PUBLIC))
    # Made with ?releasability=public: for sharing with the partner.
    public_only: bool = False

    @property
    def goal_sections(self) -> list[GoalSection]:
        return [section for issue in self.issues for section in issue["goals"]]


def report_period(
    programme: Programme, year: int | None, stocktake: StockTake | None
) -> tuple[datetime.date, datetime.date, str]:
    if stocktake is not None:
        return stocktake.period_start, stocktake.period_end, stocktake.title
    if year is not None:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"Progress in {year}"
    return (
        datetime.date(programme.start_year, 1, 1),
        datetime.date(programme.end_year, 12, 31),
        f"Progress {programme.start_year}–{programme.end_year}",
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


class FrozenCountsRefused(ValueError):
    """A closed stock-take's frozen counts cannot be narrowed as asked."""


def snapshot_view(
    stocktake: StockTake, user: AbstractBaseUser, releasability: Collection[str]
) -> str:
    """Which of a closed stock-take's frozen counts `user` reads, given the releasability
    filter: "all" or "unrestricted" (by the user's permission), or "public".

    The snapshot holds no other cut, so any other releasability filter is refused rather
    than applied to the activities listed but not to the counts.
    """
    default = "all" if user.has_perm(VIEW_RESTRICTED) else "unrestricted"
    chosen = set(releasability)
    offered = {value for value, _ in releasability_choices(Releasability.choices, user)}
    if not chosen or chosen >= offered:
        return default
    if chosen == {Releasability.PUBLIC}:
        if "public" in stocktake.snapshot:
            return "public"
        raise FrozenCountsRefused(
            "releasability: this stock-take was closed before its counts of public "
            "activities were kept, so its report cannot be limited to public activities. "
            "Make the report of the same period without the stock-take instead."
        )
    raise FrozenCountsRefused(
        "releasability: a closed stock-take's counts are frozen for all the activities you "
        "may see and for the public ones only; leave releasability out or choose public."
    )


def build_report(
    programme: Programme,
    *,
    user: AbstractBaseUser,
    activities: QuerySet[Activity],
    year: int | None = None,
    stocktake: StockTake | None = None,
    releasability: Collection[str] = (),
) -> Report:
    """`activities` is what the user may see, already narrowed by any list filters, of
    which `releasability` is the releasability filter (raises FrozenCountsRefused when a
    closed stock-take's counts cannot follow it)."""
    start, end, title = report_period(programme, year, stocktake)
    in_period = activities.filter(programme=programme, start_date__gte=start, start_date__lte=end)
    frozen = bool(stocktake and stocktake.is_closed and stocktake.snapshot)
    marking = highest_releasability(in_period)
    if frozen:
        view = snapshot_view(stocktake, user, releasability)
        progress = stocktake.snapshot[view]
        marking = highest_of([marking, frozen_releasability(stocktake.snapshot, view)])
    else:
        progress = programme_progress(programme, Q(pk__in=in_period.values("pk")))

    goal_counts = {row["id"]: row["activities"] for row in progress["goals"]}
    link = Activity.goals.through.objects.filter(activity__in=in_period)
    types: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for row in (
        link.values("partnershipgoal_id", "activity__activity_type")
        .annotate(n=Count("activity_id", distinct=True))
        .order_by("partnershipgoal_id", "-n")
    ):
        types[row["partnershipgoal_id"]].append(
            (TYPE_LABELS[row["activity__activity_type"]], row["n"])
        )
    attendance = {
        row["partnershipgoal_id"]: row
        for row in link.filter(activity__women_participants__isnull=False)
        .values("partnershipgoal_id")
        .annotate(
            participants=Sum("activity__participants"),
            women=Sum("activity__women_participants"),
        )
    }
    listed: dict[int, list[Activity]] = defaultdict(list)
    for activity in in_period.prefetch_related("goals", "allies").order_by("start_date", "id"):
        for goal in activity.goals.all():
            listed[goal.pk].append(activity)

    assessments = _assessments(programme, stocktake)
    empty = dict.fromkeys(["total", *STATUSES], 0)
    goals = PartnershipGoal.objects.filter(programme=programme).select_related("priority_issue")
    by_issue: dict[int, list[GoalSection]] = defaultdict(list)
    for goal in goals.order_by("order"):
        seen = attendance.get(goal.pk)
        by_issue[goal.priority_issue_id].append(
            GoalSection(
                goal=goal,
                counts=goal_counts.get(goal.pk, empty),
                types=types.get(goal.pk, []),
                activities=listed.get(goal.pk, []),
                assessment=assessments.get(goal.pk),
                participants=seen["participants"] if seen else None,
                women_participants=seen["women"] if seen else None,
            )
        )
    issues = [{**row, "goals": by_issue.get(row["id"], [])} for row in progress["priority_issues"]]
    totals = progress.get("totals") or status_totals(programme, Q(pk__in=in_period.values("pk")))
    return Report(
        programme=programme,
        title=title,
        period_start=start,
        period_end=end,
        stocktake=stocktake,
        generated_at=timezone.now(),
        generated_by=user.get_username(),
        totals=totals,
        objectives=progress["objectives"],
        issues=issues,
        frozen=frozen,
        marking=Marking(marking),
        public_only=set(releasability) == {Releasability.PUBLIC},
    )
