"""gunicorn settings, read from the working directory by every `gunicorn` started here
(the Docker image, `make serve`, the benchmark)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads keep a worker's heartbeat going while one of them streams a long CSV export;
# a sync worker would be killed by the timeout half-way through a large export.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
# The app sits behind a reverse proxy that sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
