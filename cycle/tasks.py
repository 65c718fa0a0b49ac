"""Background work of the programme cycle: its e-mails (see cycle.notifications)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from cycle import notifications


@shared_task
def notify_follow_up_owner(follow_up_id: int) -> bool:
    """Tell a follow-up's owner it is theirs (queued when it is assigned)."""
    return notifications.follow_up_assigned(follow_up_id)


@shared_task
def send_weekly_digests() -> int:
    """Each user's weekly digest (beat runs it on Monday mornings; `send_reminders` at
    once). Sending twice the same day sends once, so a retried task is harmless."""
    return notifications.send_digests(timezone.localdate())
