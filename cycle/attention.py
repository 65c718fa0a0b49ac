"""What needs attention in a programme, what is on a user's desk, and a user's digest.

The attention page, its API, "My work" and the weekly digest all read here, and every read
goes through the one gate, `Activity.objects.visible_to()` (follow-ups through their
activity's): nothing is listed, counted or mailed to a user who may not see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.models import Activity, ActivityStatus, ReviewState
from cycle.models import FollowUp, FollowUpStatus
from goals.models import PartnershipGoal, Programme

# The longest a list gets, oldest or most overdue first: the page stays readable and the
# request bounded in a programme with years of neglect.
LIST_LIMIT = 200
# Activities that did not (yet) take place do not keep a goal busy.
NOT_HAPPENED = (ActivityStatus.CANCELLED, ActivityStatus.POSTPONED)


def year_before(today: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def days_since(moment: datetime | date | None, today: date) -> int | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        moment = timezone.localdate(moment)
    return max((today - moment).days, 0)


@dataclass
class ActivityItem:
    activity: Activity
    days: int | None  # overdue (reports) or waiting (review states)

    @property
    def id(self) -> int:
        return self.activity.pk


@dataclass
class FollowUpItem:
    follow_up: FollowUp
    days_overdue: int

    @property
    def id(self) -> int:
        return self.follow_up.pk


@dataclass
class Attention:
    programme: Programme | None
    reports_due: list[ActivityItem] = field(default_factory=list)
    awaiting_review: list[ActivityItem] = field(default_factory=list)
    returned: list[ActivityItem] = field(default_factory=list)
    overdue_follow_ups: list[FollowUpItem] = field(default_factory=list)
    quiet_goals: list[PartnershipGoal] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.reports_due
            or self.awaiting_review
            or self.returned
            or self.overdue_follow_ups
            or self.quiet_goals
        )


def due_since(activity: Activity) -> date:
    """The day an activity's report became due after: its last day."""
    return activity.end_date or activity.start_date


def _reports_due(activities, today: date) -> list[ActivityItem]:
    rows = (
        activities.exclude(review_state=ReviewState.DRAFT)
        .report_due(today)
        .select_related("created_by")
        .order_by(Coalesce("end_date", "start_date"), "id")[:LIST_LIMIT]
    )
    return [ActivityItem(a, (today - due_since(a)).days) for a in rows]


def _in_state(activities, state: str, today: date) -> list[ActivityItem]:
    rows = (
        activities.filter(review_state=state)
        .select_related("created_by")
        .order_by(Coalesce("review_changed_at", "created_at"), "id")[:LIST_LIMIT]
    )
    return [ActivityItem(a, days_since(a.review_changed_at, today)) for a in rows]


def _overdue(follow_ups, today: date) -> list[FollowUpItem]:
    rows = follow_ups.overdue(today).with_related().order_by("due_date", "id")[:LIST_LIMIT]
    return [FollowUpItem(f, f.days_overdue(today)) for f in rows]


def quiet_goals(programme: Programme, user: AbstractBaseUser, today: date) -> list:
    """The programme's goals with no activity (of those `user` sees, drafts, cancelled and
    postponed ones aside) starting in the last 12 months; each with `last_activity`, the
    start of its latest one before today (None if it never had one)."""
    latest = (
        Activity.objects.visible_to(user)
        .filter(goals=OuterRef("pk"), start_date__lte=today)
        .exclude(review_state=ReviewState.DRAFT)
        .exclude(status__in=NOT_HAPPENED)
        .order_by("-start_date")
        .values("start_date")[:1]
    )
    return list(
        programme.partnership_goals.select_related("priority_issue")
        .annotate(last_activity=Subquery(latest))
        .filter(Q(last_activity__isnull=True) | Q(last_activity__lte=year_before(today)))
        .order_by("priority_issue__number", "order", "id")
    )


def attention(user: AbstractBaseUser, programme: Programme | None, today: date) -> Attention:
    """What needs attention in `programme`, as far as `user` may see: five queries."""
    if programme is None:
        return Attention(programme=None)
    activities = Activity.objects.visible_to(user).filter(programme=programme)
    follow_ups = FollowUp.objects.visible_to(user).filter(activity__programme=programme)
    return Attention(
        programme=programme,
        reports_due=_reports_due(activities, today),
        awaiting_review=_in_state(activities, ReviewState.SUBMITTED, today),
        returned=_in_state(activities, ReviewState.RETURNED, today),
        overdue_follow_ups=_overdue(follow_ups, today),
        quiet_goals=quiet_goals(programme, user, today),
    )


@dataclass
class MyWork:
    drafts: list[ActivityItem]
    returned: list[ActivityItem]
    actions: list[FollowUp]


def my_work(user: AbstractBaseUser, today: date) -> MyWork:
    """My drafts, my returned records and my open actions, in every programme."""
    mine = Activity.objects.visible_to(user).filter(created_by=user)
    actions = (
        FollowUp.objects.visible_to(user)
        .filter(owner=user, status=FollowUpStatus.OPEN)
        .with_related()
        .order_by("due_date", "id")[:LIST_LIMIT]
    )
    return MyWork(
        drafts=_in_state(mine, ReviewState.DRAFT, today),
        returned=_in_state(mine, ReviewState.RETURNED, today),
        actions=list(actions),
    )


@dataclass
class Digest:
    reports_due: list[ActivityItem]
    returned: list[ActivityItem]
    overdue_follow_ups: list[FollowUpItem]

    @property
    def empty(self) -> bool:
        return not (self.reports_due or self.returned or self.overdue_follow_ups)


def digest_for(user: AbstractBaseUser, today: date) -> Digest:
    """A user's weekly reminder: reports due on the activities they logged, their returned
    records and their overdue actions, all through the one gate."""
    mine = Activity.objects.visible_to(user).filter(created_by=user)
    return Digest(
        reports_due=_reports_due(mine, today),
        returned=_in_state(mine, ReviewState.RETURNED, today),
        overdue_follow_ups=_overdue(FollowUp.objects.visible_to(user).filter(owner=user), today),
    )
