"""The network edge: which forwarded headers are believed, from one number.

DJANGO_PROXY_COUNT (0 by default) says how many reverse proxies stand in front of the app.
With 0 no forwarded header is believed anywhere; with N the client address is the N-th entry
from the right of X-Forwarded-For, the same for the API's throttles (DRF) and the login
lockout (django-axes through django-ipware), and X-Forwarded-Proto is believed (gunicorn only
from the proxies' addresses).
"""

import contextlib
import ipaddress
import os
import runpy
import secrets
from pathlib import Path

import pytest
import redis
from axes.helpers import get_client_ip_address
from django.conf import settings as django_settings
from django.test import RequestFactory, override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from itpp.api.throttling import AnonRateThrottle
from tests.factories import UserFactory
from tests.gunicorn_server import current_database_url, gunicorn, request
from tests.processes import run_django

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a-long-test-passphrase"


def proxy_settings(count: int) -> dict:
    """What itpp/settings.py derives from DJANGO_PROXY_COUNT=count (checked against the
    real settings module by test_the_settings_follow_the_proxy_count)."""
    return {
        "NUM_PROXIES": count,
        "AXES_IPWARE_PROXY_COUNT": count - 1 if count else None,
        "AXES_IPWARE_META_PRECEDENCE_ORDER": (
            ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if count else ["REMOTE_ADDR"]
        ),
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if count else None,
    }


def proxies(count: int) -> override_settings:
    """The settings as if the app had started with DJANGO_PROXY_COUNT=count."""
    derived = proxy_settings(count)
    rest = {**django_settings.REST_FRAMEWORK, "NUM_PROXIES": derived.pop("NUM_PROXIES")}
    return override_settings(REST_FRAMEWORK=rest, **derived)


@pytest.fixture
def behind_proxies():
    overrides = []

    def configure(count: int) -> None:
        overrides.append(proxies(count))
        overrides[-1].enable()

    yield configure
    for override in reversed(overrides):
        override.disable()


@pytest.fixture
def anon_rate(settings):
    def set_rate(rate: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, "anon": rate},
        }

    return set_rate


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("count", [0, 1, 2])
def test_the_settings_follow_the_proxy_count(count):
    code = (
        "from django.conf import settings as s; "
        "print(repr((s.REST_FRAMEWORK['NUM_PROXIES'], s.AXES_IPWARE_PROXY_COUNT, "
        "s.AXES_IPWARE_META_PRECEDENCE_ORDER, s.SECURE_PROXY_SSL_HEADER)))"
    )
    result = run_django(code, **({"DJANGO_PROXY_COUNT": str(count)} if count else {}))
    assert result.returncode == 0, result.stderr
    expected = proxy_settings(count)
    assert result.stdout.strip() == repr(
        (
            expected["NUM_PROXIES"],
            expected["AXES_IPWARE_PROXY_COUNT"],
            expected["AXES_IPWARE_META_PRECEDENCE_ORDER"],
            expected["SECURE_PROXY_SSL_HEADER"],
        )
    )


def test_a_negative_proxy_count_is_refused_with_a_clear_message():
    result = run_django("", DJANGO_PROXY_COUNT="-1")
    assert result.returncode == 1
    assert "DJANGO_PROXY_COUNT must be 0 or a positive number" in result.stderr


# --- the API's throttle ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_rotating_forwarded_for_still_hits_the_throttle_without_proxies(anon_rate):
    anon_rate("3/min")
    client = APIClient()
    answers = [
        client.get("/api/v1/programmes/", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(1, 6)
    ]
    assert answers == [401, 401, 401, 429, 429]


@pytest.mark.django_db
def test_behind_one_proxy_each_client_address_has_its_own_anonymous_limit(
    anon_rate, behind_proxies
):
    behind_proxies(1)
    anon_rate("2/min")
    client = APIClient()  # every request arrives from the proxy, 127.0.0.1

    def get(forwarded_for: str) -> int:
        return client.get("/api/v1/programmes/", HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    # What a client writes into the header itself (left of the proxy's entry) changes nothing.
    assert [get(f"10.0.0.{i}, 198.51.100.1") for i in range(3)] == [401, 401, 429]
    assert get("198.51.100.2") == 401  # another client behind the same proxy


# --- the login lockout -----------------------------------------------------------------


def login(client, username: str, password: str, forwarded_for: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_a_rotating_forwarded_for_does_not_escape_the_lockout_without_proxies(client):
    UserFactory(username="target", roles=["Viewers"])
    for i in range(5):
        login(client, "target", "wrong", forwarded_for=f"198.51.100.{i}")
    # Five bad guesses from one connection's address: locked, whatever the header says.
    assert login(client, "target", PASSWORD, forwarded_for="198.51.100.99").status_code == 429


@pytest.mark.django_db
def test_behind_one_proxy_a_lockout_is_per_client_not_for_everyone(client, behind_proxies):
    behind_proxies(1)
    UserFactory(username="target", roles=["Viewers"])
    for i in range(5):
        # The guesser varies its own part of the header; the proxy's entry stays its address.
        response = login(client, "target", "wrong", forwarded_for=f"10.9.9.{i}, 198.51.100.7")
    assert response.status_code == 429
    assert login(client, "target", PASSWORD, forwarded_for="198.51.100.7").status_code == 429
    # The same username from another client behind the same proxy signs in.
    assert login(client, "target", PASSWORD, forwarded_for="198.51.100.8").status_code == 302


def is_client_address(address: ipaddress.IPv4Address) -> bool:
    """An address a proxy may see a client connect from: a public or a private network's,
    never 0.0.0.0/8, loopback, link-local, multicast or reserved."""
    return (address.is_global or address.is_private) and not (
        address in ipaddress.ip_network("0.0.0.0/8")
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
    )


addresses = st.ip_addresses(v=4).filter(is_client_address).map(str)
# Whatever a client writes in front of the proxies' entries, addresses or not.
forged = st.one_of(
    st.ip_addresses().map(str), st.sampled_from(["unknown", "not-an-ip", "", "[::1]:80"])
)


@pytest.mark.parametrize("count", [1, 2, 3])
@hypothesis_settings(max_examples=60, deadline=None)
@given(spoofed=st.lists(forged, max_size=3), appended=st.lists(addresses, min_size=3))
def test_the_throttle_and_the_lockout_agree_on_the_client_address(count, spoofed, appended):
    """Whatever a client puts in front, DRF and django-axes pick the same entry: the one the
    outermost of `count` proxies appended."""
    chain = spoofed + appended[:count]
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR=", ".join(chain), REMOTE_ADDR="10.0.0.2"
    )
    with proxies(count):
        drf = AnonRateThrottle().get_ident(request)
        axes = get_client_ip_address(request)
    assert drf == chain[-count]
    assert axes == drf


# --- gunicorn --------------------------------------------------------------------------


def gunicorn_settings(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({**clean, **env})
    try:
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_gunicorn_trusts_no_forwarded_scheme_without_proxies():
    assert gunicorn_settings()["forwarded_allow_ips"] == ""


def test_gunicorn_trusts_the_forwarded_scheme_only_from_the_configured_proxies():
    assert gunicorn_settings(DJANGO_PROXY_COUNT="1")["forwarded_allow_ips"] == "127.0.0.1,::1"
    configured = gunicorn_settings(DJANGO_PROXY_COUNT="1", DJANGO_TRUSTED_PROXY_IPS="10.0.0.2")
    assert configured["forwarded_allow_ips"] == "10.0.0.2"


def test_gunicorn_recognises_the_proxies_by_address_or_network():
    trusted = gunicorn_settings(
        DJANGO_PROXY_COUNT="1", DJANGO_TRUSTED_PROXY_IPS="10.0.0.0/8, 192.0.2.7"
    )["_from_trusted_proxy"]
    assert trusted(("10.1.2.3", 50000))
    assert trusted(("::ffff:10.1.2.3", 50000))  # gunicorn bound to [::]
    assert trusted(("192.0.2.7", 50000))
    assert not trusted(("192.0.2.8", 50000))
    assert not trusted(("::1", 50000))
    nobody = gunicorn_settings()["_from_trusted_proxy"]
    assert not nobody(("127.0.0.1", 50000))


def test_gunicorn_logs_the_path_without_the_query_string():
    log_format = gunicorn_settings()["access_log_format"]
    assert "%(U)s" in log_format
    for leaky in ("%(r)s", "%(q)s", "%(f)s"):  # request line, query string, referrer
        assert leaky not in log_format


# --- a real gunicorn: forwarded headers count only from the configured proxies ---------


@pytest.fixture
def serve(db, tmp_path):
    """serve(**env) starts the project's gunicorn (2 anonymous requests a minute) and returns
    its port; the test's requests come from 127.0.0.1."""
    with contextlib.ExitStack() as stack:

        def start(**env: str) -> int:
            return stack.enter_context(
                gunicorn(
                    tmp_path / f"gunicorn-{secrets.token_hex(4)}.log",
                    DATABASE_URL=current_database_url(),
                    DJANGO_API_RATE_ANON="2/min",
                    REDIS_URL=os.environ["REDIS_URL"],
                    **env,
                )
            )

        yield start
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


def scheme_seen(port: int) -> str:
    """The scheme the app believes a request claiming HTTPS came by (it sends HSTS only on
    HTTPS)."""
    response = request(port, "/accounts/login/", {"X-Forwarded-Proto": "https"})
    assert response.status == 200
    return "https" if response.getheader("Strict-Transport-Security") else "http"


def anonymous_answers(port: int) -> list[int]:
    return [
        request(port, "/api/v1/programmes/", {"X-Forwarded-For": f"198.51.100.{i}"}).status
        for i in range(3)
    ]


def test_gunicorn_without_proxies_believes_no_forwarded_header(serve):
    port = serve()
    assert scheme_seen(port) == "http"
    assert anonymous_answers(port) == [401, 401, 429]


def test_gunicorn_believes_forwarded_headers_from_the_configured_proxy(serve):
    port = serve(DJANGO_PROXY_COUNT="1", DJANGO_TRUSTED_PROXY_IPS="127.0.0.1")
    assert scheme_seen(port) == "https"
    assert anonymous_answers(port) == [401, 401, 401]  # three clients behind the proxy


def test_gunicorn_drops_forwarded_headers_from_anyone_else(serve):
    """With a proxy configured, a client that reaches gunicorn directly still cannot
    claim another address or HTTPS."""
    port = serve(DJANGO_PROXY_COUNT="1", DJANGO_TRUSTED_PROXY_IPS="10.9.9.9")
    assert scheme_seen(port) == "http"
    assert anonymous_answers(port) == [401, 401, 429]
