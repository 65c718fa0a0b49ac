"""POST /api/v1/activities/ with an Idempotency-Key: a retry with the same key (same user,
within 24 hours) gets the first response and creates nothing; the same key with another
body is 422; two concurrent requests with one key create one activity."""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connections

from activities import idempotency
from activities.models import Activity, CreationKey
from tests.api.conftest import token_client
from tests.factories import UserFactory

URL = "/api/v1/activities/"


def post(api, body, key):
    return api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_a_retry_with_the_same_key_gets_the_first_response_and_creates_nothing(editor_api, valid):
    first = post(editor_api, valid, "order-7f3a")
    again = post(editor_api, valid, "order-7f3a")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"] == '"1"'
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Activity.objects.count() == 1


@pytest.mark.django_db
def test_the_first_response_is_returned_even_after_the_activity_changed(editor_api, valid):
    first = post(editor_api, valid, "k1").json()
    editor_api.patch(f"{URL}{first['id']}/", {"title": "Renamed"}, format="json")
    assert post(editor_api, valid, "k1").json() == first


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422_and_creates_nothing(editor_api, valid):
    assert post(editor_api, valid, "k1").status_code == 201
    response = post(editor_api, {**valid, "title": "Something else"}, "k1")
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert Activity.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user(api_as, valid):
    assert post(api_as("Editors"), valid, "shared").status_code == 201
    assert post(api_as("Editors"), valid, "shared").status_code == 201
    assert Activity.objects.count() == 2


@pytest.mark.django_db
def test_a_different_key_or_none_creates_again(editor_api, valid):
    post(editor_api, valid, "k1")
    post(editor_api, valid, "k2")
    editor_api.post(URL, valid, format="json")
    assert Activity.objects.count() == 3


@pytest.mark.django_db
def test_a_refused_request_does_not_use_up_its_key(editor_api, valid):
    refused = post(editor_api, {**valid, "goals": []}, "k1")
    assert refused.status_code == 400
    assert not CreationKey.objects.exists()
    assert post(editor_api, valid, "k1").status_code == 201


@pytest.mark.django_db
def test_a_key_expires_after_24_hours(editor_api, valid):
    post(editor_api, valid, "k1")
    CreationKey.objects.update(
        created_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=24, seconds=1)
    )
    again = post(editor_api, valid, "k1")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Activity.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "with space", "é", "x" * 256])
def test_a_malformed_key_is_400_naming_the_header(editor_api, valid, key):
    response = post(editor_api, valid, key)
    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_the_schema_documents_the_header_and_the_422(editor_api):
    schema = editor_api.get("/api/v1/schema/?format=json").json()
    create = schema["paths"]["/api/v1/activities/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    assert "422" in create["responses"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_requests_with_one_key_create_one_activity(japan, monkeypatch):
    user = UserFactory(username="racer", roles=["Editors"])
    body = {
        "title": "Cyber defence table-top exercise",
        "activity_type": "exercise",
        "start_date": "2025-03-04",
        "goals": [japan.partnership_goals.get(order=1).pk],
    }
    # Both requests have parsed and validated their body and opened their transaction
    # before either claims the key: the database, not the timing, decides.
    both_ready = threading.Barrier(2, timeout=20)
    claim = idempotency.claim

    def claim_together(**kwargs):
        both_ready.wait()
        return claim(**kwargs)

    monkeypatch.setattr(idempotency, "claim", claim_together)
    responses = []

    def send() -> None:
        try:
            responses.append(post(token_client(user), body, "same-key"))
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert Activity.objects.count() == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 1


@pytest.mark.django_db
def test_expired_keys_are_purged_by_the_command(editor_api, valid):
    post(editor_api, valid, "old")
    post(editor_api, valid, "new")
    CreationKey.objects.filter(key="old").update(
        created_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=25)
    )
    out = io.StringIO()
    call_command("purge_creation_keys", stdout=out)
    assert "1 expired creation keys deleted." in out.getvalue()
    assert list(CreationKey.objects.values_list("key", flat=True)) == ["new"]
