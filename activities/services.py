"""Writes of activities: the row and its links are saved together or not at all.

The API and the staff pages both write through these functions. Callers validate
first (`ActivityForm`, or `ActivitySerializer`, both run `full_clean()` and
`Activity.clean_links()`); the database constraints remain the last line of defence.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from activities.models import Activity, Releasability
from activities.querysets import VIEW_RESTRICTED, deleted_activities
from activities.signals import activity_event
from goals.models import PartnershipGoal, Programme
from itpp.history import history_batch, m2m_ids, restorable_version

T = TypeVar("T")

LINKS = ("goals", "objectives", "allies")


def batched(function: Callable[..., T]) -> Callable[..., T]:
    """One logical write = one change-log entry, however many history rows it makes."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with history_batch():
            return function(*args, **kwargs)

    return wrapper


def announce(event: str, activity: Activity, user: AbstractBaseUser) -> None:
    """Send `activity_event` once the caller's transaction commits: a receiver (webhooks)
    must not tell the world about a write that rolled back. Robust: a failing receiver is
    logged and does not turn a committed write into an error."""
    transaction.on_commit(
        lambda: activity_event.send(sender=Activity, activity=activity, event=event, user=user),
        robust=True,
    )


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


def check_releasability(user: AbstractBaseUser, releasability: str | None) -> None:
    """Whoever restricts an activity must still be allowed to see it afterwards.

    Every door (pages, API) writes through this module, so none can restrict an activity
    its user could not see; the form also leaves the choice out for them.
    """
    if releasability == Releasability.RESTRICTED and not user.has_perm(VIEW_RESTRICTED):
        raise ValidationError(
            {"releasability": "Only users allowed to see restricted activities can restrict one."}
        )


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = {name: value for name, value in data.items() if name not in LINKS}
    links = {name: list(value) for name, value in data.items() if name in LINKS}
    return fields, links


@transaction.atomic
@batched
def create_activity(*, user: AbstractBaseUser, data: dict[str, Any]) -> Activity:
    """Create an activity from model field values; `goals`, `objectives` and `allies`
    are iterables of instances. Without `programme`, the goals' programme is used."""
    fields, links = _split(data)
    check_releasability(user, fields.get("releasability"))
    if fields.get("programme") is None:
        fields["programme"] = programme_of_goals(links.get("goals", []))
    activity = Activity(**fields, created_by=user, updated_by=user)
    activity._history_user = user  # also outside a request (commands, tests)
    activity.save()
    for name, values in links.items():
        getattr(activity, name).set(values)
    announce("activity.created", activity, user)
    return activity


class VersionConflict(Exception):
    """Someone else saved the activity since the writer read it; nothing was written."""

    def __init__(self, current: Activity | None) -> None:
        self.current = current  # as it now stands, or None if it was deleted
        super().__init__("The activity was changed by someone else.")


def claim_version(activity_id: int, expected_version: int | None) -> int:
    """Take the next version of an activity, atomically in the database.

    With `expected_version`, a conditional UPDATE succeeds only if the row still has
    that version: of two concurrent writers holding the same version, the second blocks
    on the row lock, then finds the version gone and gets VersionConflict. Without it
    (simple clients), the write goes through and still bumps the version.
    """
    rows = Activity.objects.filter(pk=activity_id)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    # Only the version column; the save() that follows writes the row and its history.
    if not rows.update(version=F("version") + 1):  # history-safe
        raise VersionConflict(Activity.objects.filter(pk=activity_id).first())
    return Activity.objects.filter(pk=activity_id).values_list("version", flat=True).get()


@transaction.atomic
@batched
def update_activity(
    *,
    activity: Activity,
    user: AbstractBaseUser,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Activity:
    """Change the given fields and links of an activity (others stay as they are).

    Raises VersionConflict (and writes nothing) when `expected_version` is given and
    no longer current.
    """
    fields, links = _split(data)
    check_releasability(user, fields.get("releasability"))
    activity.version = claim_version(activity.pk, expected_version)
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.updated_by = user
    activity._history_user = user
    activity.save()
    for name, values in links.items():
        getattr(activity, name).set(values)
    announce("activity.updated", activity, user)
    return activity


@transaction.atomic
@batched
def delete_activity(
    *, activity: Activity, user: AbstractBaseUser, expected_version: int | None = None
) -> None:
    """Delete an activity (its history keeps it, so it can be restored)."""
    claim_version(activity.pk, expected_version)
    activity._history_user = user  # recorded on the deletion entry
    as_it_was = copy.copy(activity)  # delete() clears the pk; the event names what went
    activity.delete()
    announce("activity.deleted", as_it_was, user)


@transaction.atomic
@batched
def restore_activity(*, activity_id: int, user: AbstractBaseUser) -> Activity:
    """Bring back a deleted activity under its old id, as its last version stood,
    links included. Activity.DoesNotExist for one `user` may not know of (restricted)."""
    if Activity.objects.filter(pk=activity_id).exists():
        raise ValidationError("This activity has not been deleted.")
    if not deleted_activities(user).filter(id=activity_id).exists():
        raise Activity.DoesNotExist(f"No deleted activity {activity_id} for this user.")
    version = restorable_version(Activity.history.filter(id=activity_id))
    if version is None:
        raise Activity.DoesNotExist(f"No history for activity {activity_id}.")
    activity = version.instance
    activity.updated_by = user
    activity.version = version.version + 1
    activity._history_user = user
    activity.save(force_insert=True)
    for name, ids in m2m_ids(version).items():
        getattr(activity, name).set(ids)
    # It exists again for whoever follows the log: announced as created, under its old id.
    announce("activity.created", activity, user)
    return activity
