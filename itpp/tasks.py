"""Queueing a task from a request, the same way everywhere."""

from __future__ import annotations

from typing import Any

from celery import Task
from django.db import transaction


def enqueue(task: Task, *args: Any) -> None:
    """Queue `task` with `args` for a worker once the caller's transaction commits (a worker
    must not find the request's writes missing, nor act on a request that rolled back).

    When tasks run in-process (the quick start without a broker, and the tests), it runs at
    once, inside the caller's transaction, exactly as a direct call would: the page that
    queued it shows its effect, and its failure rolls the request back.
    """
    if task.app.conf.task_always_eager:
        task.apply(args=args, throw=True)
    else:
        transaction.on_commit(lambda: task.delay(*args))
