"""The Celery application: long and scheduled work runs in a worker (`make worker`, `make beat`).

Configured from Django's settings under the `CELERY_` prefix (itpp/settings.py). Without a
broker (the quick start) every task runs in-process at `.delay()`, so nothing needs a server.
Tasks live in each app's `tasks.py` and are found by `autodiscover_tasks()`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itpp.settings")

app = Celery("itpp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
