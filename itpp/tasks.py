"""Queueing a task from a request, the same way everywhere."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What sending to a broker that is down or unreachable raises (kombu wraps the transport's
# connection errors; a refused or reset socket may come through as an OSError).
BROKER_DOWN = (OperationalError, OSError)


def enqueue(task: Task, *args: Any, when_unqueued: Callable[[], None] | None = None) -> None:
    """Queue `task` with `args` for a worker once the caller's transaction commits (a worker
    must not find the request's writes missing, nor act on a request that rolled back).

    When tasks run in-process (the quick start without a broker, and the tests), it runs at
    once, inside the caller's transaction, exactly as a direct call would: the page that
    queued it shows its effect, and its failure rolls the request back.

    When the broker cannot be reached, see `send()`.
    """
    if task.app.conf.task_always_eager:
        task.apply(args=args, throw=True)
    else:
        after_commit(task, *args, when_unqueued=when_unqueued)


def after_commit(
    task: Task,
    *args: Any,
    when_unqueued: Callable[[], None] | None = None,
    robust: bool = False,
) -> None:
    """Send `task` once the caller's transaction commits (in-process tasks run then too)."""
    transaction.on_commit(lambda: send(task, args, when_unqueued=when_unqueued), robust=robust)


def send(
    task: Task, args: tuple[Any, ...], *, when_unqueued: Callable[[], None] | None = None
) -> None:
    """Send `task` to the broker. The request's writes are committed by now, so a broker that
    is down must not turn them into an error page: the task runs here instead, as it would
    without a worker (its own failures logged, not raised), or `when_unqueued` says what to
    do (a report job is marked failed with a message rather than made in the request)."""
    try:
        task.delay(*args)
    except BROKER_DOWN:
        logger.exception("Could not queue %s%r: the broker is unreachable", task.name, args)
        if when_unqueued is not None:
            when_unqueued()
            return
        result = task.apply(args=args, throw=False)
        if result.failed():
            logger.error("%s%r failed in-process: %s", task.name, args, result.result)
