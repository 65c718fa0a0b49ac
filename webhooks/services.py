"""Raising an event: one Delivery per matching webhook, each sent by the worker."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from itpp.tasks import enqueue
from webhooks import payloads, tasks
from webhooks.models import Delivery, Webhook


def raise_event(
    event: str, *, programme_id: int, object_id: int, occurred_at: datetime | None = None
) -> list[Delivery]:
    """Queue `event` about the object for every active webhook of the programme that
    asked for it. Called after the write has committed (see webhooks.receivers).

    Each delivery's body is written now: the resource as it stands after this write, as
    its owner sees it (a later change is its own event), and what the owner may not see is
    withheld at once. The worker checks the owner's sight again at every attempt."""
    occurred_at = occurred_at or timezone.now()
    # A programme has a handful of webhooks: the events are matched here, which works
    # alike on PostgreSQL and on the quick start's SQLite.
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(programme_id=programme_id, active=True)
        .select_related("owner")
        .order_by("id")
        if event in webhook.events
    ]
    deliveries = []
    for webhook in webhooks:
        delivery = Delivery(
            webhook=webhook, event=event, object_id=object_id, occurred_at=occurred_at
        )
        resource = payloads.data(delivery) if payloads.may_see(delivery) else None
        if resource is None:
            delivery.status = Delivery.Status.WITHHELD
        else:
            delivery.body = payloads.body(delivery, resource)
        deliveries.append(delivery)
    Delivery.objects.bulk_create(deliveries)  # history-safe: deliveries keep no history
    for delivery in deliveries:
        if delivery.status == Delivery.Status.PENDING:
            enqueue(tasks.deliver, str(delivery.pk))
    return deliveries
