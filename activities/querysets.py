"""Reusable reads of the activity log."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Q

RESTRICTED = "restricted"
VIEW_RESTRICTED = "activities.view_restricted_activity"


def visibility(user: User | AnonymousUser) -> Q | None:
    """The condition on activities a user may know exist; None when they may see all.

    This is the single gate for restricted activities: `visible_to()` applies it to
    activity querysets, and the progress counts apply it through their joins.
    """
    if user.is_active and user.has_perm(VIEW_RESTRICTED):
        return None
    return ~Q(releasability=RESTRICTED)


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> ActivityQuerySet:
        """Only the activities `user` may see: restricted ones need a permission."""
        condition = visibility(user)
        return self if condition is None else self.filter(condition)

    def with_related(self) -> ActivityQuerySet:
        """Everything a list or detail of activities shows, in a fixed number of queries."""
        return self.select_related("programme", "created_by", "updated_by").prefetch_related(
            "goals__priority_issue", "objectives", "allies"
        )
