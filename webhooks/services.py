"""Raising an event: one Delivery per matching webhook, each sent by the worker."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from itpp.tasks import enqueue
from webhooks import tasks
from webhooks.models import Delivery, Webhook


def raise_event(
    event: str, *, programme_id: int, object_id: int, occurred_at: datetime | None = None
) -> list[Delivery]:
    """Queue `event` about the object for every active webhook of the programme that
    asked for it. Called after the write has committed (see webhooks.receivers)."""
    occurred_at = occurred_at or timezone.now()
    # A programme has a handful of webhooks: the events are matched here, which works
    # alike on PostgreSQL and on the quick start's SQLite.
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(programme_id=programme_id, active=True)
        if event in webhook.events
    ]
    deliveries = Delivery.objects.bulk_create(  # history-safe: deliveries keep no history
        Delivery(webhook=webhook, event=event, object_id=object_id, occurred_at=occurred_at)
        for webhook in webhooks
    )
    for delivery in deliveries:
        enqueue(tasks.deliver, str(delivery.pk))
    return deliveries
