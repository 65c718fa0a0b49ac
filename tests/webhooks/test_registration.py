"""Registering webhooks: who may, what is refused (SSRF), the secret shown once."""

from __future__ import annotations

import pytest

from tests.api.conftest import token_client
from tests.factories import ProgrammeFactory, UserFactory
from webhooks.models import Webhook

URL = "/api/v1/webhooks/"
ALL_EVENTS = [
    "activity.created",
    "activity.updated",
    "activity.deleted",
    "activity.approved",
    "stocktake.closed",
]


def register(client, url: str, programme, events=None):
    return client.post(
        URL,
        {"url": url, "events": events or ["activity.created"], "programme": programme.pk},
        format="json",
    )


def test_a_manager_registers_and_sees_the_secret_once(manager, japan, receiver):
    client = token_client(manager)
    response = register(client, receiver.url, japan, ALL_EVENTS)
    assert response.status_code == 201, response.json()
    created = response.json()
    webhook = Webhook.objects.get(pk=created["id"])
    assert created["secret"] == webhook.secret and len(webhook.secret) == 64
    assert created["owner"] == "manager" and created["events"] == ALL_EVENTS
    assert created["active"] is True and created["programme"] == japan.pk

    detail = client.get(f"{URL}{webhook.pk}/")
    listed = client.get(URL)
    assert detail.status_code == 200 and listed.status_code == 200
    for body in (detail.content, listed.content):
        assert webhook.secret.encode() not in body
    assert "secret" not in detail.json()
    assert [item["id"] for item in listed.json()["results"]] == [webhook.pk]


@pytest.mark.parametrize("role", ["Viewers", "Editors", None])
def test_viewers_editors_and_users_without_a_role_may_not_register_nor_read(
    role, japan, receiver, manager
):
    webhook = Webhook.objects.create(
        owner=manager, programme=japan, url=receiver.url, events=["activity.created"]
    )
    client = token_client(UserFactory(roles=[role] if role else None))
    assert register(client, receiver.url, japan).status_code == 403
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{webhook.pk}/").status_code == 403
    assert client.get(f"{URL}{webhook.pk}/deliveries/").status_code == 403
    assert client.patch(f"{URL}{webhook.pk}/", {"active": False}, format="json").status_code == 403
    assert client.delete(f"{URL}{webhook.pk}/").status_code == 403
    assert Webhook.objects.filter(pk=webhook.pk, active=True).exists()


def test_managers_see_their_own_webhooks_and_administrators_all(japan, receiver, superuser):
    first, second = (UserFactory(roles=["Programme managers"]) for _ in range(2))
    theirs = Webhook.objects.create(
        owner=first, programme=japan, url=receiver.url, events=["activity.created"]
    )
    client = token_client(second)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.get(f"{URL}{theirs.pk}/deliveries/").status_code == 404
    assert client.patch(f"{URL}{theirs.pk}/", {"active": False}, format="json").status_code == 404
    assert client.delete(f"{URL}{theirs.pk}/").status_code == 404

    admin = token_client(superuser)
    assert [item["id"] for item in admin.get(URL).json()["results"]] == [theirs.pk]
    assert admin.patch(f"{URL}{theirs.pk}/", {"active": False}, format="json").status_code == 200
    assert admin.delete(f"{URL}{theirs.pk}/").status_code == 204
    assert not Webhook.objects.exists()


def test_the_owner_changes_url_events_and_active_but_not_the_programme(manager, japan, receiver):
    client = token_client(manager)
    webhook_id = register(client, receiver.url, japan).json()["id"]
    response = client.patch(
        f"{URL}{webhook_id}/",
        {"events": ["activity.deleted", "activity.deleted"], "active": False, "url": receiver.url},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["events"] == ["activity.deleted"] and response.json()["active"] is False
    assert "secret" not in response.json()

    other = ProgrammeFactory()
    refused = client.patch(f"{URL}{webhook_id}/", {"programme": other.pk}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["programme"]
    assert client.put(f"{URL}{webhook_id}/", {}, format="json").status_code == 405


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"url", "events", "programme"}),
        ({"url": "not a url", "events": ["activity.created"]}, {"url", "programme"}),
        ({"events": ["activity.renamed"]}, {"events"}),
        ({"events": []}, {"events"}),
        ({"events": "activity.created"}, {"events"}),
        ({"programme": 999999}, {"programme"}),
        ({"secret": "mine"}, {"secret"}),
    ],
)
def test_bad_input_is_a_400_naming_the_fields(body, fields, manager, japan, receiver):
    valid = {"url": receiver.url, "events": ["activity.created"], "programme": japan.pk}
    data = body if body == {} or "url" in body else {**valid, **body}
    response = token_client(manager).post(URL, data, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/hooks",
        "gopher://example.org/",
        "http://127.0.0.1:8000/admin/",
        "http://localhost/hooks",
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://10.0.0.5/hooks",
        "http://192.168.1.20/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://user:password@example.org/hooks",
        "http://no-such-host.invalid/hooks",
    ],
)
def test_urls_other_systems_must_not_be_pointed_at_are_refused_on_url(url, manager, japan):
    # No WEBHOOK_ALLOWED_NETWORKS (the default): loopback and private networks are refused.
    response = register(token_client(manager), url, japan)
    assert response.status_code == 400
    assert list(response.json()) == ["url"]
    assert not Webhook.objects.exists()


def test_loopback_is_accepted_only_inside_the_allowed_networks(manager, japan, settings):
    client = token_client(manager)
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert register(client, "http://127.0.0.1:9/hooks", japan).status_code == 400
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert register(client, "http://127.0.0.1:9/hooks", japan).status_code == 201
