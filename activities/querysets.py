"""Reusable reads of the activity log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Exists, OuterRef, Q

RESTRICTED = "restricted"
DRAFT = "draft"
# Statuses (activities.models.ActivityStatus) of an activity not reported on yet: one
# still in them when its last day has passed is due for a report.
REPORT_PENDING_STATUSES = ("planned", "ongoing")
PUBLIC = "public"  # may go to the partner: the stock-takes keep counts of these alone
VIEW_RESTRICTED = "activities.view_restricted_activity"
# Drafts are for those who write records (Editors, Programme managers): the permission to
# change activities. Approving and returning them is Programme managers' own.
SEE_DRAFTS = "activities.change_activity"
REVIEW = "activities.review_activity"
# Restoring undoes a deletion and writes the activity again, so it takes both.
RESTORE_PERMISSIONS = ("activities.delete_activity", "activities.add_activity")


def may_see_drafts(user: User | AnonymousUser) -> bool:
    return user.is_active and user.has_perm(SEE_DRAFTS)


def restricted_visibility(user: User | AnonymousUser) -> Q | None:
    """The releasability part of the gate alone: the condition on activities (or their
    historical versions) whose content `user` may read; None when they may read all."""
    if user.is_active and user.has_perm(VIEW_RESTRICTED):
        return None
    return ~Q(releasability=RESTRICTED)


def visibility(user: User | AnonymousUser) -> Q | None:
    """The condition on activities a user may know exist; None when they may see all.

    This is the single gate: restricted activities need a permission, and drafts are
    seen only by those who write records (Editors, Programme managers). `visible_to()`
    applies it to activity querysets, and the progress counts apply it through their
    joins (which also leave drafts out for everyone: a draft is never counted).
    """
    condition = restricted_visibility(user)
    if not may_see_drafts(user):
        hide_drafts = ~Q(review_state=DRAFT)
        condition = hide_drafts if condition is None else condition & hide_drafts
    return condition


def year_bounds(year: int) -> tuple[date, date]:
    """The first and last day of `year`: the period `?year=` stands for everywhere."""
    return date(year, 1, 1), date(year, 12, 31)


def starts_between(start: date | None = None, end: date | None = None) -> Q:
    """The period rule, written once: an activity belongs to a period (a year, a
    stock-take's period, a report's) when it *starts* in it, both ends inclusive. The
    filters, the reports and the stock-take snapshots all use it."""
    condition = Q()
    if start is not None:
        condition &= Q(start_date__gte=start)
    if end is not None:
        condition &= Q(start_date__lte=end)
    return condition


def report_due_condition(today: date | None = None) -> Q:
    """Due for an after-action report: the end date (or the start date, when there is
    none) has passed while the activity is still planned or ongoing."""
    from django.utils import timezone

    today = today or timezone.localdate()
    return Q(status__in=REPORT_PENDING_STATUSES) & (
        Q(end_date__lt=today) | Q(end_date__isnull=True, start_date__lt=today)
    )


def releasability_choices(choices: Iterable[tuple[str, str]], user: User | AnonymousUser) -> list:
    """The releasability `choices` a form or filter offers `user`: without "Restricted"
    for whoever could not see a restricted activity (nor restrict one, see
    activities.services.check_releasability)."""
    if user.has_perm(VIEW_RESTRICTED):
        return list(choices)
    return [choice for choice in choices if choice[0] != RESTRICTED]


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> ActivityQuerySet:
        """Only the activities `user` may see: restricted ones need a permission."""
        condition = visibility(user)
        return self if condition is None else self.filter(condition)

    def without_drafts(self) -> ActivityQuerySet:
        """What may be counted, exported or put in a feed: drafts never are, whoever asks."""
        return self.exclude(review_state=DRAFT)

    def report_due(self, today: date | None = None) -> ActivityQuerySet:
        """Activities due for an after-action report: their end date (or start date when
        they have none) has passed while they are still planned or ongoing. The same rule
        as `Activity.is_report_due()`."""
        return self.filter(report_due_condition(today))

    def with_related(self) -> ActivityQuerySet:
        """Everything a list or detail of activities shows, in a fixed number of queries."""
        return self.select_related("programme", "created_by", "updated_by").prefetch_related(
            "goals__priority_issue", "objectives", "allies"
        )


def deleted_activities(user: User | AnonymousUser) -> models.QuerySet:
    """The deletion records of activities that are deleted now (not restored), as far as
    `user` may know of them: the historical rows, newest deletion first.

    Without the permission to see restricted activities, an activity that was ever
    restricted is left out, as its history is over the API: its past held restricted
    content.
    """
    from activities.models import Activity  # the model imports this module

    history = Activity.history
    deleted = (
        history.filter(history_type="-")
        # The last record of an activity that is gone is its (latest) deletion.
        .exclude(Exists(history.filter(id=OuterRef("id"), history_id__gt=OuterRef("history_id"))))
        .exclude(id__in=Activity.objects.values("id"))
    )
    if restricted_visibility(user) is not None:
        deleted = deleted.exclude(id__in=history.filter(releasability=RESTRICTED).values("id"))
    if not may_see_drafts(user):
        # A record deleted while a draft was never seen by those who cannot see drafts.
        deleted = deleted.exclude(review_state=DRAFT)
    return deleted.select_related("history_user").order_by("-history_date", "-history_id")
