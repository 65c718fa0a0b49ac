"""Writes of activities that touch several tables: the row and its many-to-many links.

Callers validate first (ActivityForm on the pages, the serializer in the API, both of
which run the model's `full_clean()` and `Activity.clean_links()`); these functions only
save, atomically, and record who did it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from activities.models import Activity

LINKS = ("goals", "objectives", "allies")


def _split(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = {name: value for name, value in data.items() if name not in LINKS}
    links = {name: data[name] for name in LINKS if name in data}
    return fields, links


def _set_links(activity: Activity, links: dict[str, Any]) -> None:
    for name, values in links.items():
        getattr(activity, name).set(values)


@transaction.atomic
def create_activity(*, user: AbstractBaseUser, data: Mapping[str, Any]) -> Activity:
    """Save a new activity with its goals, objectives and Allies."""
    fields, links = _split(data)
    activity = Activity(**fields, created_by=user, updated_by=user)
    activity.save()
    _set_links(activity, links)
    return activity


@transaction.atomic
def update_activity(
    *, activity: Activity, user: AbstractBaseUser, data: Mapping[str, Any]
) -> Activity:
    """Change an activity; links not named in `data` are left as they are."""
    fields, links = _split(data)
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.updated_by = user
    activity.save()
    _set_links(activity, links)
    return activity
