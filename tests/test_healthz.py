import time

import pytest
from django.core.cache import cache
from django.db import OperationalError

from itpp import heartbeat
from tests.gunicorn_server import free_port


@pytest.fixture(autouse=True)
def _no_heartbeat():
    cache.delete(heartbeat.KEY)


@pytest.fixture
def beat():
    """beat(age) writes a heartbeat `age` seconds old, removed after the test."""
    yield lambda age=0: heartbeat.beat(now=time.time() - age)
    cache.delete(heartbeat.KEY)


@pytest.mark.django_db
def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "worker": "absent"}


@pytest.mark.django_db
def test_healthz_says_the_worker_is_ok_after_a_recent_heartbeat(client, settings, beat):
    settings.WORKER_HEARTBEAT_STALE_AFTER = 60
    beat()
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["worker"] == "ok"


@pytest.mark.django_db
def test_healthz_says_stale_but_stays_200_when_the_last_heartbeat_is_old(client, settings, beat):
    """Pages work without a worker: a load balancer must keep the instance."""
    settings.WORKER_HEARTBEAT_STALE_AFTER = 60
    beat(61)
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "worker": "stale"}


@pytest.mark.django_db
def test_healthz_says_absent_without_a_broker_whatever_the_cache_holds(client, settings, beat):
    """The quick start runs tasks in-process: there is no worker to wait for."""
    settings.CELERY_BROKER_URL = ""
    beat()
    assert client.get("/healthz/").json()["worker"] == "absent"


def test_the_worker_writes_its_heartbeat_from_its_own_bootstep():
    from itpp.celery import Heartbeat, app

    assert Heartbeat in app.steps["worker"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("itpp.views.connection.cursor", refuse)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "not answering"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_shared_cache_does_not(client, settings):
    port = free_port()  # nothing listens there: a Redis that is down
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "cache": "not answering",
        "worker": "absent",
    }


@pytest.mark.django_db
def test_healthz_checks_the_database_cache_without_redis(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": settings.CACHE_TABLE,
        }
    }
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["cache"] == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/admin/", "/admin/activities/activity/"])
def test_nothing_is_visible_without_logging_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]
