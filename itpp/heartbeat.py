"""The Celery workers' heartbeat, read by `/healthz/`.

Each worker writes the time into the shared cache every WORKER_HEARTBEAT_INTERVAL seconds
(a bootstep on the worker's own timer, itpp/celery.py), so every web instance reads the
same answer: `ok` when a worker wrote within WORKER_HEARTBEAT_STALE_AFTER seconds, `stale`
when the last one is older (every worker stopped, or hung), `absent` when no broker is
configured (tasks run in-process: nothing to wait for) or no worker ever wrote.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

# One key for all workers: any live worker can take any task, so "some worker is alive"
# is the question; the value is the newest beat of any of them.
KEY = "celery-worker-heartbeat"


def beat(now: float | None = None) -> None:
    """Record that a worker is alive. Never expires: a stopped worker must read as stale,
    not vanish into `absent`."""
    cache.set(KEY, time.time() if now is None else now, timeout=None)


def worker_status() -> str:
    """`ok`, `stale` or `absent` (see the module's docstring). Raises what the cache raises."""
    if not settings.CELERY_BROKER_URL:
        return "absent"
    last = cache.get(KEY)
    if last is None:
        return "absent"
    if time.time() - float(last) > settings.WORKER_HEARTBEAT_STALE_AFTER:
        return "stale"
    return "ok"
