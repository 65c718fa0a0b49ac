"""One cache for every worker of every instance: Redis when REDIS_URL is set, otherwise the
database cache, whose table `migrate` makes. The API's limits hold across workers.

The rest of the suite runs on Redis (tests/environment.py); the database cache of the quick
start is exercised here and by tests/test_quick_start.py.
"""

import os
import re
import secrets
import time

import psycopg2
import pytest
import redis
from django.conf import settings
from django.db import connection
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from tests.gunicorn_server import current_database_url, gunicorn, request
from tests.processes import run_django

DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": settings.CACHE_TABLE,
    }
}


def test_redis_url_configures_djangos_redis_cache():
    url = "redis://127.0.0.1:6379/7"
    result = run_django(
        "from django.core.cache import caches; from django.conf import settings; "
        "print(type(caches['default']).__name__, settings.CACHES['default']['LOCATION'])",
        drop=["REDIS_URL"],
        REDIS_URL=url,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RedisCache", url]


def test_without_redis_url_the_cache_is_the_database_cache():
    result = run_django(
        "from django.core.cache import caches; default = caches['default']; "
        "print(type(default).__name__, default._table)",
        drop=["REDIS_URL"],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["DatabaseCache", "itpp_cache"]


@pytest.mark.django_db
def test_migrate_makes_the_database_cache_table():
    assert settings.CACHE_TABLE in connection.introspection.table_names()


@pytest.mark.django_db
def test_the_database_cache_keeps_the_counts_of_refused_requests(settings):
    """The counters are written while the request is checked, outside the transaction that
    DRF rolls back when it refuses the request."""
    settings.CACHES = DATABASE_CACHE
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/min"},
    }
    client = APIClient()
    answers = [client.get("/api/v1/programmes/").status_code for _ in range(3)]
    assert answers == [401, 401, 429]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {settings.CACHE_TABLE}")  # noqa: S608
        assert cursor.fetchone()[0] > 0  # the counters are in the table


# --- two gunicorn workers ----------------------------------------------------------------


@pytest.fixture
def database_url(db) -> str:
    return current_database_url()


def clear_database_cache(database_url: str) -> None:
    # Through a connection of its own: the workers committed their rows, and this test's
    # transaction must not hold locks on them.
    with psycopg2.connect(database_url) as conn, conn.cursor() as cursor:
        cursor.execute(f"DELETE FROM {settings.CACHE_TABLE}")  # noqa: S608


@pytest.fixture(params=["redis", "database"])
def shared_cache(request, database_url):
    """The environment of a gunicorn whose cache is Redis (a database number of its own,
    flushed before and after) or the database cache in the test database."""
    if request.param == "redis":
        url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
        client = redis.Redis.from_url(url)
        client.flushdb()
        yield {"REDIS_URL": url}
        client.flushdb()
    else:
        clear_database_cache(database_url)
        yield {}
        clear_database_cache(database_url)


@pytest.fixture
def two_workers(shared_cache, database_url, tmp_path):
    """The project's gunicorn.conf.py with two workers, against the test database."""
    log = tmp_path / "access.log"
    with gunicorn(log, DATABASE_URL=database_url, WEB_CONCURRENCY="2", **shared_cache) as port:
        yield port, log


def test_the_anonymous_limit_holds_across_two_gunicorn_workers(two_workers):
    """60 requests a minute per address without a valid token (the default), counted once
    for the whole server: with per-worker counters two workers would let 120 through."""
    port, log = two_workers
    assert api_settings.DEFAULT_THROTTLE_RATES["anon"] == "60/min"
    answers = [request(port, "/api/v1/programmes/").status for _ in range(90)]
    assert answers == [401] * 60 + [429] * 30
    # Both workers answered (each access log line ends with the worker's pid).
    workers = {
        match.group(1)
        for match in re.finditer(
            r'"GET /api/v1/programmes/ HTTP/1\.1" \d+ .* <(\d+)>$', log.read_text(), re.MULTILINE
        )
    }
    assert len(workers) == 2, log.read_text()


def test_the_access_log_holds_the_path_but_not_the_query_string(two_workers):
    port, log = two_workers
    token = secrets.token_urlsafe(32)
    request(port, f"/calendar.ics?token={token}&goal=3")
    time.sleep(0.5)  # the worker writes its line after answering
    text = log.read_text()
    assert '"GET /calendar.ics HTTP/1.1" 404' in text
    assert token not in text
    assert "goal=3" not in text
