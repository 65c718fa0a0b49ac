import pytest
from django.db import OperationalError

from tests.gunicorn_server import free_port


@pytest.mark.django_db
def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


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
