"""Writes of activities: the row and its links are saved together or not at all.

The API and the staff pages both write through these functions. Callers validate
first (`ActivityForm`, or `ActivitySerializer`, both run `full_clean()` and
`Activity.clean_links()`); the database constraints remain the last line of defence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from activities.models import Activity
from goals.models import PartnershipGoal, Programme

LINKS = ("goals", "objectives", "allies")


def programme_of_goals(goals: Iterable[PartnershipGoal]) -> Programme | None:
    """The one programme the goals belong to, so that a client need not repeat it.

    None when there are no goals (the missing goals are reported on their own);
    a ValidationError on `goals` when they belong to several programmes.
    """
    programme_ids = {goal.programme_id for goal in goals}
    if not programme_ids:
        return None
    if len(programme_ids) > 1:
        raise ValidationError(
            {"goals": "These goals belong to different programmes; choose the programme."}
        )
    return Programme.objects.get(pk=programme_ids.pop())


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = {name: value for name, value in data.items() if name not in LINKS}
    links = {name: list(value) for name, value in data.items() if name in LINKS}
    return fields, links


@transaction.atomic
def create_activity(*, user: AbstractBaseUser, data: dict[str, Any]) -> Activity:
    """Create an activity from model field values; `goals`, `objectives` and `allies`
    are iterables of instances. Without `programme`, the goals' programme is used."""
    fields, links = _split(data)
    if fields.get("programme") is None:
        fields["programme"] = programme_of_goals(links.get("goals", []))
    activity = Activity(**fields, created_by=user, updated_by=user)
    activity.save()
    for name, values in links.items():
        getattr(activity, name).set(values)
    return activity


@transaction.atomic
def update_activity(
    *, activity: Activity, user: AbstractBaseUser, data: dict[str, Any]
) -> Activity:
    """Change the given fields and links of an activity (others stay as they are)."""
    fields, links = _split(data)
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.updated_by = user
    activity.save()
    for name, values in links.items():
        getattr(activity, name).set(values)
    return activity
