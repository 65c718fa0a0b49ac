"""The events, from the apps below: activities' `activity_event` (sent after commit) and
goals' `stocktake_closing` (sent inside the close, so the event waits for its commit)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from activities.signals import activity_event
from goals.signals import stocktake_closing
from webhooks.models import Event
from webhooks.services import raise_event


@receiver(activity_event, dispatch_uid="webhooks.activity_event")
def activity_changed(sender: Any, activity: Any, event: str, **kwargs: Any) -> None:
    if event in Event.values:
        raise_event(event, programme_id=activity.programme_id, object_id=activity.pk)


@receiver(stocktake_closing, dispatch_uid="webhooks.stocktake_closing")
def stocktake_closed(sender: Any, stocktake: Any, **kwargs: Any) -> None:
    programme_id, stocktake_id = stocktake.programme_id, stocktake.pk
    transaction.on_commit(
        lambda: raise_event(
            Event.STOCKTAKE_CLOSED, programme_id=programme_id, object_id=stocktake_id
        ),
        robust=True,
    )
