"""The Celery application: long and scheduled work runs in a worker (`make worker`, `make beat`).

Configured from Django's settings under the `CELERY_` prefix (itpp/settings.py). Without a
broker (the quick start) every task runs in-process at `.delay()`, so nothing needs a server.
Tasks live in each app's `tasks.py` and are found by `autodiscover_tasks()`.
"""

import logging
import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itpp.settings")

logger = logging.getLogger(__name__)

app = Celery("itpp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class Heartbeat(bootsteps.StartStopStep):
    """Writes the worker's heartbeat into the shared cache at start and then every
    WORKER_HEARTBEAT_INTERVAL seconds, on the worker's timer (so it goes on while every
    process of the pool is busy with a long report), for `/healthz/` (itpp/heartbeat.py)."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def start(self, worker) -> None:
        from django.conf import settings

        from itpp import heartbeat

        heartbeat.beat()
        self.timer_ref = worker.timer.call_repeatedly(
            settings.WORKER_HEARTBEAT_INTERVAL, self.beat, priority=10
        )

    @staticmethod
    def beat() -> None:
        from itpp import heartbeat

        try:
            heartbeat.beat()
        except Exception:
            logger.warning("Could not write the worker heartbeat", exc_info=True)

    def stop(self, worker) -> None:
        # The last beat stays: a stopped worker reads as `stale`, which is what it is.
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None


app.steps["worker"].add(Heartbeat)
