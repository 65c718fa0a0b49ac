"""Reusable reads of the programme cycle: follow-up actions and what needs attention."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Exists, OuterRef, Q

OPEN = "open"


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> FollowUpQuerySet:
        """A follow-up is visible exactly when its activity is: the one gate,
        `Activity.objects.visible_to()`, decides (restricted activities, drafts)."""
        from activities.models import Activity

        return self.filter(
            Exists(Activity.objects.visible_to(user).filter(pk=OuterRef("activity_id")))
        )

    def overdue(self, today: date) -> FollowUpQuerySet:
        """Still open after their due date."""
        return self.filter(status=OPEN, due_date__lt=today)

    def with_related(self) -> FollowUpQuerySet:
        return self.select_related("activity", "owner", "goal", "created_by", "updated_by")


def holding(permission: str) -> Q:
    """The condition on users that hold `permission` ("app_label.codename"), directly, by
    a group, or as superusers: EXISTS subqueries, so no user repeats."""
    from django.contrib.auth.models import Permission

    app_label, codename = permission.split(".", 1)
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        Q(is_superuser=True)
        | Q(Exists(granted.filter(group__user=OuterRef("pk"))))
        | Q(Exists(granted.filter(user=OuterRef("pk"))))
    )


def possible_owners(activity) -> models.QuerySet:
    """The active users who could own a follow-up of `activity`: those whose role reads
    activities (and restricted ones, if it is). `FollowUp.clean()` has the last word,
    through the one gate."""
    from django.contrib.auth import get_user_model

    from activities.querysets import RESTRICTED, VIEW_RESTRICTED

    users = (
        get_user_model().objects.filter(is_active=True).filter(holding("activities.view_activity"))
    )
    if activity.releasability == RESTRICTED:
        users = users.filter(holding(VIEW_RESTRICTED))
    return users.order_by("username")
