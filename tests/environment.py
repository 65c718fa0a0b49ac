"""Loaded with `-p` (see pyproject.toml) so it runs before Django reads its settings.

The tests run with production settings (DEBUG off), except that they serve plain HTTP on
loopback, so HTTPS redirects and secure-only cookies are switched off. The secret key is
made fresh for each run: there is none in the repository.
"""

import os
import secrets

os.environ["DJANGO_DEBUG"] = "false"
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
os.environ["DJANGO_SECURE_COOKIES"] = "false"
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/itpp")
# The shared cache is Redis, as in production, in a database number of its own (the tests
# flush it); another one with TEST_REDIS_URL, e.g. for two runs side by side on one machine.
# `make test` starts Redis if it is installed and stopped (scripts/ensure-redis). The
# database cache of the quick start has its own tests (tests/test_shared_cache.py).
os.environ["REDIS_URL"] = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
# Tasks run in-process when queued, so a test sees their effect at once; the tests that start
# a real Celery worker (tests/test_scale_out.py) set it to false for the processes they start.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
