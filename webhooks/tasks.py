"""Delivering webhooks, in the worker: signed, retried for a day, every attempt logged."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webhooks import network, payloads
from webhooks.models import Attempt, Delivery

USER_AGENT = "ITPP-Tracker-Webhooks/1.0"
# Retries wait 1 min, 2 min, 4 min… at most 6 hours, and stop a day after the event.
FIRST_WAIT = 60
LONGEST_WAIT = 6 * 3600
RETRY_FOR = timedelta(days=1)


def signature(secret: str, body: bytes) -> str:
    """The X-ITPP-Signature of `body`: HMAC-SHA256 with the webhook's secret, in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt."""
    return min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)


@shared_task(bind=True, name="webhooks.tasks.deliver", max_retries=None)
def deliver(self, delivery_id: str) -> str:
    """Make one attempt at a delivery; what happened: `delivered`, `retry`, `failed`,
    `withheld`, or the state it was already in.

    Idempotent: the same uuid on every attempt, and a delivery that is no longer pending
    (delivered, failed or withheld) is not sent again, whoever runs the task again. The row
    is locked while sending, so two workers never send one delivery at once."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook__owner")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "busy or gone"
        if delivery.status != Delivery.Status.PENDING:
            return delivery.status
        webhook = delivery.webhook
        resource = payloads.data(delivery) if not delivery.body else None
        if (
            not webhook.active
            or not payloads.may_see(delivery)
            or (not delivery.body and resource is None)
        ):
            delivery.status = Delivery.Status.WITHHELD
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "next_attempt_at"])
            return "withheld"
        if not delivery.body:
            delivery.body = payloads.body(delivery, resource)
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-ITPP-Event": delivery.event,
            "X-ITPP-Delivery": str(delivery.pk),
            "X-ITPP-Signature": signature(webhook.secret, body),
        }
        attempted_at = timezone.now()
        outcome = network.post(webhook.url, body, headers, settings.WEBHOOK_TIMEOUT)
        number = delivery.attempts.count() + 1
        Attempt.objects.create(
            delivery=delivery,
            number=number,
            attempted_at=attempted_at,
            status_code=outcome.status_code,
            error=outcome.error[:500],
            duration_ms=outcome.duration_ms,
        )
        wait = backoff(number)
        now = timezone.now()
        if outcome.ok:
            delivery.status, delivery.next_attempt_at = Delivery.Status.DELIVERED, None
        elif now + timedelta(seconds=wait) > delivery.created_at + RETRY_FOR:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        else:
            delivery.next_attempt_at = now + timedelta(seconds=wait)
        delivery.save(update_fields=["status", "body", "next_attempt_at"])
        result = delivery.status
    if result != Delivery.Status.PENDING:
        return result
    # Without a worker (tasks run in-process: the quick start, the tests) there is nobody
    # to wait for the countdown: the attempt is logged with its next time, and a later
    # run of this task (or the worker) makes it.
    if not self.request.is_eager:
        raise self.retry(countdown=wait)
    return "retry"
