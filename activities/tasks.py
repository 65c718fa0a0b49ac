"""Background work of the activity log."""

from celery import shared_task

from activities import idempotency


@shared_task(name="activities.tasks.purge_expired_creation_keys")
def purge_expired_creation_keys() -> int:
    """Delete the Idempotency-Key and form-token rows past their 24 hours (run hourly by
    beat, CELERY_BEAT_SCHEDULE); the number deleted. Idempotent: a second run finds none."""
    return idempotency.purge_expired()
