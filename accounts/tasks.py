"""Periodic housekeeping of accounts."""

from __future__ import annotations

from celery import shared_task

from itpp.api.authentication import purge_expired_tokens


@shared_task(name="accounts.tasks.purge_expired_api_tokens")
def purge_expired_api_tokens() -> int:
    """Delete the API tokens past their expiry (run hourly by beat, CELERY_BEAT_SCHEDULE);
    the number deleted. Authentication checks only the presented token's expiry
    (itpp.api.authentication), so the others are deleted here. Idempotent."""
    return purge_expired_tokens()
