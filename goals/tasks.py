"""Background work of the programme framework: closing a stock-take.

Closing freezes the activity counts of the stock-take's programme three times over
(goals.services.SNAPSHOT_VIEWS), which takes seconds on a large programme, so the page and
the admin queue the close and a worker does it. Until the worker has run it the stock-take
is simply still open: the close is one transaction under the stock-take's lock (ratings
written before it are in the snapshot, ratings after it are refused), never a closed
stock-take waiting for its counts.
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError

from goals import services
from goals.models import StockTake


@shared_task(
    name="goals.tasks.close_stocktake",
    # A database that is briefly away (a restart, a failover): try again, waiting longer
    # each time (1 s, 2 s, 4 s… at most 10 minutes, with jitter) for about an hour.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,
)
def close_stocktake(stocktake_id: int, user_id: int | None) -> str:
    """Close the stock-take as `user`; what happened: `closed`, `already closed` or `gone`.

    Idempotent: a retry, a redelivery (acks late) or a second click finds the stock-take
    closed and changes nothing."""
    stocktake = StockTake.objects.filter(pk=stocktake_id).first()
    if stocktake is None:
        return "gone"
    if stocktake.is_closed:
        return "already closed"
    user = get_user_model().objects.filter(pk=user_id).first()
    try:
        services.close_stocktake(stocktake, user=user)
    except ValidationError:
        return "already closed"  # closed by another task between the check and the lock
    return "closed"
