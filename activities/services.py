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
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import (
    REVIEW_COMMENT_MAX_LENGTH,
    Activity,
    ActivityOrganisation,
    Organisation,
    Releasability,
    ReviewState,
)
from activities.querysets import REVIEW, SEE_DRAFTS, VIEW_RESTRICTED, deleted_activities
from activities.signals import activity_event
from goals.models import PartnershipGoal, Programme
from itpp.history import history_batch, m2m_ids, restorable_version
from itpp.tasks import after_commit

T = TypeVar("T")

LINKS = ("goals", "objectives", "allies")
# What a record says happened: an Editor's change to one of these sends an approved record
# back for review; other fields (title, description, location…) do not. The outcome counts
# in either language; who took part (the participants with their roles) counts too.
SUBSTANCE_FIELDS = ("start_date", "end_date", "status", "outcome", "outcome_ja")
SUBSTANCE_LINKS = ("goals", "allies")
# Who took part, each with a role: [(Organisation or its id, role), ...]; written by
# set_participants() after the links, recorded in the history like them (with the roles).
PARTICIPANTS = "organisations"
# The states a record may be created in: a draft, or submitted for review (the default).
CREATION_STATES = (ReviewState.DRAFT, ReviewState.SUBMITTED)


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
            {"goals": _("These goals belong to different programmes; choose the programme.")}
        )
    return Programme.objects.get(pk=programme_ids.pop())


def check_releasability(user: AbstractBaseUser, releasability: str | None) -> None:
    """Whoever restricts an activity must still be allowed to see it afterwards.

    Every door (pages, API) writes through this module, so none can restrict an activity
    its user could not see; the form also leaves the choice out for them.
    """
    if releasability == Releasability.RESTRICTED and not user.has_perm(VIEW_RESTRICTED):
        raise ValidationError(
            {
                "releasability": _(
                    "Only users allowed to see restricted activities can restrict one."
                )
            }
        )


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = {name: value for name, value in data.items() if name not in (*LINKS, PARTICIPANTS)}
    links = {name: list(value) for name, value in data.items() if name in LINKS}
    return fields, links


def set_participants(
    activity: Activity, participants: Iterable[tuple[Organisation | int, str]]
) -> None:
    """Make the activity's participants exactly these (organisation, role) pairs.

    Through the many-to-many manager, so that the history records the change like the
    other links' (only the rows that change are touched). The caller has validated them
    (`Activity.clean_links()`); the programme guard and the constraints remain."""
    wanted = {getattr(org, "pk", org): role for org, role in participants}
    current = dict(
        ActivityOrganisation.objects.filter(activity=activity).values_list(
            "organisation_id", "role"
        )
    )
    if wanted == current:
        return
    stale = [pk for pk, role in current.items() if wanted.get(pk) != role]
    if stale:
        activity.organisations.remove(*stale)
    by_role: dict[str, list[int]] = {}
    for pk, role in wanted.items():
        if current.get(pk) != role:
            by_role.setdefault(role, []).append(pk)
    for role, pks in sorted(by_role.items()):
        activity.organisations.add(*pks, through_defaults={"role": role})


@transaction.atomic
@batched
def create_activity(*, user: AbstractBaseUser, data: dict[str, Any]) -> Activity:
    """Create an activity from model field values; `goals`, `objectives` and `allies`
    are iterables of instances. Without `programme`, the goals' programme is used."""
    fields, links = _split(data)
    check_releasability(user, fields.get("releasability"))
    fields["review_state"] = fields.get("review_state") or ReviewState.SUBMITTED
    if fields["review_state"] not in CREATION_STATES:
        raise ValidationError(
            {"review_state": _("A new record is a draft or submitted for review.")}
        )
    if fields.get("programme") is None:
        fields["programme"] = programme_of_goals(links.get("goals", []))
    activity = Activity(**fields, created_by=user, updated_by=user)
    activity.review_changed_at = timezone.now()
    activity._history_user = user  # also outside a request (commands, tests)
    activity.save()
    for name, values in links.items():
        getattr(activity, name).set(values)
    if data.get(PARTICIPANTS):
        set_participants(activity, data[PARTICIPANTS])
    announce("activity.created", activity, user)
    return activity


class VersionConflict(Exception):
    """Someone else saved the activity since the writer read it; nothing was written."""

    def __init__(self, current: Activity | None) -> None:
        self.current = current  # as it now stands, or None if it was deleted
        super().__init__(_("The activity was changed by someone else."))


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

    The review state is not one of them (see the transitions below), but an Editor's
    change to the substance of an approved record sends it back for review; a Programme
    manager's (who could approve it) keeps it approved.

    Raises VersionConflict (and writes nothing) when `expected_version` is given and
    no longer current.
    """
    fields, links = _split(data)
    for name in ("review_state", "review_comment", "review_changed_at"):
        fields.pop(name, None)
    check_releasability(user, fields.get("releasability"))
    activity.version = claim_version(activity.pk, expected_version)
    if (
        activity.review_state == ReviewState.APPROVED
        and not user.has_perm(REVIEW)
        and changes_substance(activity, fields, links, data.get(PARTICIPANTS))
    ):
        activity.review_state = ReviewState.SUBMITTED
        activity.review_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.updated_by = user
    activity._history_user = user
    activity.save()
    for name, values in links.items():
        getattr(activity, name).set(values)
    if data.get(PARTICIPANTS) is not None:
        set_participants(activity, data[PARTICIPANTS])
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
        raise ValidationError(_("This activity has not been deleted."))
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
        if name == PARTICIPANTS:
            set_participants(activity, [(link["organisation"], link["role"]) for link in ids])
        else:
            getattr(activity, name).set(ids)
    # It exists again for whoever follows the log: announced as created, under its old id.
    announce("activity.created", activity, user)
    return activity


def changes_substance(
    activity: Activity,
    fields: dict[str, Any],
    links: dict[str, list[Any]],
    participants: Iterable[tuple[Organisation | int, str]] | None = None,
) -> bool:
    """Whether writing `fields`, `links` and `participants` (None: left as they are) over
    `activity` (as it stands in the database) changes what it says happened: its dates,
    status, goals, Allies, outcome, or who took part in what role."""
    for name in SUBSTANCE_FIELDS:
        if name in fields and fields[name] != getattr(activity, name):
            return True
    for name in SUBSTANCE_LINKS:
        if name in links:
            new = {getattr(obj, "pk", obj) for obj in links[name]}
            if new != set(getattr(activity, name).values_list("pk", flat=True)):
                return True
    if participants is not None:
        wanted = {getattr(org, "pk", org): role for org, role in participants}
        current = dict(
            ActivityOrganisation.objects.filter(activity=activity).values_list(
                "organisation_id", "role"
            )
        )
        if wanted != current:
            return True
    return False


# --- Review: draft -> submitted -> approved, or returned -> (fixed) submitted -----------


class TransitionRefused(Exception):
    """The record is in a review state it cannot leave that way; nothing was written."""

    def __init__(self, activity: Activity, action: str) -> None:
        self.activity = activity
        self.action = action
        state = ReviewState(activity.review_state).label.lower()
        super().__init__(REFUSED[action] % {"state": state})


# Whole sentences for each transition's past participle, so that each reads naturally
# once translated.
REFUSED = {
    "submitted": gettext_lazy("This record is %(state)s: it cannot be submitted now."),
    "approved": gettext_lazy("This record is %(state)s: it cannot be approved now."),
    "returned": gettext_lazy("This record is %(state)s: it cannot be returned now."),
}
NOT_YOURS = {
    "submitted": gettext_lazy("Your role may not submit records."),
    "approved": gettext_lazy("Your role may not approve records."),
    "returned": gettext_lazy("Your role may not return records."),
}


# Each transition: the permission it takes, the states it leaves, the state it reaches,
# and its past participle for messages.
TRANSITIONS: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "submit": (
        SEE_DRAFTS,
        (ReviewState.DRAFT, ReviewState.RETURNED),
        ReviewState.SUBMITTED,
        "submitted",
    ),
    "approve": (REVIEW, (ReviewState.SUBMITTED,), ReviewState.APPROVED, "approved"),
    "return": (REVIEW, (ReviewState.SUBMITTED,), ReviewState.RETURNED, "returned"),
}


def allowed_transitions(activity: Activity, user: AbstractBaseUser) -> list[str]:
    """The transitions `user` may make on `activity` now (for the page's buttons)."""
    return [
        name
        for name, (permission, sources, _target, _done) in TRANSITIONS.items()
        if activity.review_state in sources and user.has_perm(permission)
    ]


def _transition(
    name: str,
    *,
    activity: Activity,
    user: AbstractBaseUser,
    expected_version: int | None,
    comment: str = "",
) -> Activity:
    permission, sources, target, done = TRANSITIONS[name]
    if not user.has_perm(permission):
        raise PermissionDenied(str(NOT_YOURS[done]))
    # Lock the row first: of two concurrent reviews, the second sees the first's state.
    current = Activity.objects.select_for_update().filter(pk=activity.pk).first()
    if current is None:
        raise VersionConflict(None)
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict(current)
    if current.review_state not in sources:
        raise TransitionRefused(current, done)
    activity.refresh_from_db()
    activity.version = claim_version(activity.pk, expected_version)
    activity.review_state = target
    activity.review_changed_at = timezone.now()
    if name == "return":
        activity.review_comment = comment
    activity.updated_by = user
    activity._history_user = user  # who; the history row's date is when
    activity.save()
    if name in ("approve", "return"):
        from activities.tasks import notify_author_of_review  # the tasks import services

        activity_id, state = activity.pk, activity.review_state
        # robust: the review is committed; a broker or mail server that is down must not
        # turn it into an error page (the failure is logged).
        after_commit(notify_author_of_review, activity_id, state, robust=True)
    # Approval is an event of its own; submitting and returning change the record's state.
    announce("activity.approved" if name == "approve" else "activity.updated", activity, user)
    return activity


@transaction.atomic
@batched
def submit_activity(
    *, activity: Activity, user: AbstractBaseUser, expected_version: int | None = None
) -> Activity:
    """Submit a draft, or a returned record once fixed, for review (Editors, Programme
    managers). TransitionRefused from another state; PermissionDenied for other roles."""
    return _transition("submit", activity=activity, user=user, expected_version=expected_version)


@transaction.atomic
@batched
def approve_activity(
    *, activity: Activity, user: AbstractBaseUser, expected_version: int | None = None
) -> Activity:
    """Approve a submitted record (Programme managers); its author is told by e-mail."""
    return _transition("approve", activity=activity, user=user, expected_version=expected_version)


@transaction.atomic
@batched
def return_activity(
    *,
    activity: Activity,
    user: AbstractBaseUser,
    comment: str,
    expected_version: int | None = None,
) -> Activity:
    """Return a submitted record to its author with a comment saying what to fix
    (Programme managers; the comment is required). The author is told by e-mail."""
    comment = (comment or "").strip()
    if not user.has_perm(REVIEW):
        raise PermissionDenied(_("Your role may not return records."))
    if not comment:
        raise ValidationError({"comment": _("Say what the author should fix.")})
    if len(comment) > REVIEW_COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "comment": _("Keep the comment within %(limit)d characters.")
                % {"limit": REVIEW_COMMENT_MAX_LENGTH}
            }
        )
    return _transition(
        "return", activity=activity, user=user, expected_version=expected_version, comment=comment
    )
