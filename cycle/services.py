"""Writes of follow-up actions: the row, its history and the owner's e-mail, together.

The API and the pages both write through these functions. Callers check the role (add or
change permission, or being the owner for `mark_done`); the model's `clean()` checks the
rules (the goal's programme, an owner who can see the activity).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cycle.models import FollowUp, FollowUpStatus
from itpp.history import history_batch

CHANGE = "cycle.change_followup"
ADD = "cycle.add_followup"


def may_change(user: AbstractBaseUser) -> bool:
    """Editors and Programme managers change any follow-up they can see."""
    return user.has_perm(CHANGE)


def may_mark_done(user: AbstractBaseUser, follow_up: FollowUp) -> bool:
    """Who may mark it done: whoever may change it, and its owner (only that)."""
    return may_change(user) or follow_up.owner_id == user.pk


def _queue_assignment_mail(follow_up: FollowUp, user: AbstractBaseUser) -> None:
    # Nobody is told what they just assigned to themselves; without mail, nothing is queued.
    if follow_up.owner_id == user.pk or not settings.EMAIL_CONFIGURED:
        return
    from cycle.tasks import notify_follow_up_owner

    follow_up_id = follow_up.pk
    transaction.on_commit(lambda: notify_follow_up_owner.delay(follow_up_id))


@transaction.atomic
def create_follow_up(*, user: AbstractBaseUser, data: dict[str, Any]) -> FollowUp:
    """A new follow-up of `data` (activity, text, owner, due_date, optional goal and
    status); its owner is mailed once the transaction commits."""
    follow_up = FollowUp(**data, created_by=user, updated_by=user)
    follow_up.full_clean()
    with history_batch():
        follow_up.save()
    _queue_assignment_mail(follow_up, user)
    return follow_up


@transaction.atomic
def update_follow_up(
    *, follow_up: FollowUp, user: AbstractBaseUser, data: dict[str, Any]
) -> FollowUp:
    """Change the fields in `data`; a new owner is mailed once the transaction commits."""
    locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    previous_owner = locked.owner_id
    for name, value in data.items():
        setattr(locked, name, value)
    locked.updated_by = user
    locked.full_clean()
    with history_batch():
        locked.save()
    if locked.owner_id != previous_owner:
        _queue_assignment_mail(locked, user)
    return locked


@transaction.atomic
def mark_done(*, follow_up: FollowUp, user: AbstractBaseUser) -> FollowUp:
    """The owner (or an Editor) marks an open action done; done already, it stays so."""
    locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if not may_mark_done(user, locked):
        raise PermissionDenied(_("Only its owner, an Editor or a Programme manager may do this."))
    if locked.status == FollowUpStatus.DONE:
        return locked
    if locked.status != FollowUpStatus.OPEN:
        raise ValidationError({"status": _("A dropped action cannot be marked done.")})
    locked.status = FollowUpStatus.DONE
    locked.updated_by = user
    with history_batch():
        locked.save()
    return locked
