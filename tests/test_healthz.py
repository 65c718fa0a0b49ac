import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("itpp.views.connection.cursor", refuse)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/admin/", "/admin/activities/activity/"])
def test_nothing_is_visible_without_logging_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]
