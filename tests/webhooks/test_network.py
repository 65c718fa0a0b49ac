"""The SSRF guard: addresses checked on every resolution, the connection pinned to them.

The DNS answers are the test's own (socket.getaddrinfo replaced for one made-up name), so
that a name can change its answer between registration and delivery, as a rebinding
attacker's does; the connection itself goes to the real server on loopback."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from activities import services
from tests.api.conftest import token_client
from tests.factories import ActivityFactory
from webhooks import network
from webhooks.models import Delivery

NAME = "hooks.partner.example"
PUBLIC = "93.184.215.14"


@pytest.fixture
def dns(monkeypatch) -> dict[str, list[str]]:
    """Answers for NAME (the addresses in order); every other name resolves as usual."""
    answers: dict[str, list[str]] = {NAME: [PUBLIC]}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME:
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in answers[NAME]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),  # shared address space (carrier-grade NAT)
        ("0.0.0.0", True),  # noqa: S104  (an address checked, not bound)
        ("255.255.255.255", True),
        ("224.0.0.251", True),
        ("::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("::ffff:10.0.0.1", True),
        ("93.184.215.14", False),
        ("2606:4700::6810:85e5", False),
    ],
)
def test_only_public_addresses_are_allowed_by_default(address, refused, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    assert network.address_refused(ipaddress.ip_address(address)) is refused


def test_the_allowed_networks_let_their_addresses_through(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16", "fd00:1::/64"]
    assert not network.address_refused(ipaddress.ip_address("10.20.3.4"))
    assert not network.address_refused(ipaddress.ip_address("fd00:1::5"))
    assert network.address_refused(ipaddress.ip_address("10.21.0.1"))


def test_a_name_is_refused_if_any_of_its_addresses_is(dns, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    assert network.resolve(f"https://{NAME}/hooks").addresses == (PUBLIC,)
    dns[NAME] = [PUBLIC, "10.0.0.7"]
    with pytest.raises(network.URLRefused, match=r"10\.0\.0\.7"):
        network.resolve(f"https://{NAME}/hooks")


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(
    dns, receiver, manager, japan, django_capture_on_commit_callbacks
):
    dns[NAME] = ["127.0.0.1"]  # inside the allowed loopback network of the receiver fixture
    url = f"http://{NAME}:{receiver.port}/hooks?source=itpp"
    response = token_client(manager).post(
        "/api/v1/webhooks/",
        {"url": url, "events": ["activity.updated"], "programme": japan.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    activity = ActivityFactory(programme=japan)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=activity, user=manager, data={"title": "Renamed"})
    (received,) = receiver.received
    assert received.headers["Host"] == f"{NAME}:{receiver.port}"
    assert received.path == "/hooks?source=itpp"


def test_a_name_rebound_to_loopback_after_registration_is_not_connected_to(
    dns, receiver, manager, japan, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    url = f"http://{NAME}:{receiver.port}/hooks"
    response = token_client(manager).post(
        "/api/v1/webhooks/",
        {"url": url, "events": ["activity.updated"], "programme": japan.pk},
        format="json",
    )
    assert response.status_code == 201  # a public address then
    dns[NAME] = ["127.0.0.1"]  # the attacker's DNS now answers loopback
    activity = ActivityFactory(programme=japan)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=activity, user=manager, data={"title": "Renamed"})
    (attempt,) = Delivery.objects.get().attempts.all()
    assert attempt.error.startswith("refused:") and attempt.status_code is None
    assert receiver.received == []


def test_redirects_are_not_followed(receiver, manager, japan, django_capture_on_commit_callbacks):
    receiver.answers.append(302)
    response = token_client(manager).post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["activity.updated"], "programme": japan.pk},
        format="json",
    )
    assert response.status_code == 201
    activity = ActivityFactory(programme=japan)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=activity, user=manager, data={"title": "Renamed"})
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts.get().status_code == 302
    assert len(receiver.received) == 1


def test_https_speaks_tls_to_the_checked_address(
    dns, receiver, manager, japan, django_capture_on_commit_callbacks
):
    # The receiver speaks plain HTTP: a TLS handshake with it fails, which shows the worker
    # went to the pinned address over TLS (with the name as SNI) rather than falling back.
    dns[NAME] = ["127.0.0.1"]
    response = token_client(manager).post(
        "/api/v1/webhooks/",
        {
            "url": f"https://{NAME}:{receiver.port}/hooks",
            "events": ["activity.updated"],
            "programme": japan.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    activity = ActivityFactory(programme=japan)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=activity, user=manager, data={"title": "Renamed"})
    (attempt,) = Delivery.objects.get().attempts.all()
    assert attempt.status_code is None and "SSL" in attempt.error
