"""Fair use and exposure: throttling with 429 and Retry-After, request size limits, and
no endpoint that lists users or shows their e-mail addresses."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.settings import api_settings

from activities.models import Activity
from tests.api.conftest import token_client
from tests.factories import ActivityFactory, UserFactory


@pytest.fixture
def rates(settings):
    def set_rates(**overrides: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **api_settings.DEFAULT_THROTTLE_RATES,
                **overrides,
            },
        }

    return set_rates


def test_defaults_are_generous_for_people_and_scripts():
    configured = api_settings.DEFAULT_THROTTLE_RATES
    assert configured["anon"] == "60/min"
    assert configured["user"] == "1200/min"
    assert set(configured) == {"anon", "user", "write", "export"}


def test_a_user_over_the_rate_gets_429_with_retry_after(rates, viewer_api, api_as):
    rates(user="3/min")
    for _ in range(3):
        assert viewer_api.get("/api/v1/programmes/").status_code == 200
    response = viewer_api.get("/api/v1/programmes/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"].lower()
    # Per user: someone else is not affected.
    assert api_as("Viewers").get("/api/v1/programmes/").status_code == 200


def test_writes_have_their_own_stricter_scope(rates, editor_api, japan):
    rates(write="2/min")
    activity = ActivityFactory(programme=japan)
    for title in ("A", "B"):
        response = editor_api.patch(
            f"/api/v1/activities/{activity.pk}/", {"title": title}, format="json"
        )
        assert response.status_code == 200
    response = editor_api.patch(f"/api/v1/activities/{activity.pk}/", {"title": "C"}, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response
    activity.refresh_from_db()
    assert activity.title == "B"
    # Reading is still allowed.
    assert editor_api.get(f"/api/v1/activities/{activity.pk}/").status_code == 200


def test_csv_exports_have_their_own_scope(rates, viewer_api):
    rates(export="1/min")
    assert viewer_api.get("/api/v1/activities/?format=csv").status_code == 200
    assert viewer_api.get("/api/v1/activities/?format=csv").status_code == 429
    assert viewer_api.get("/api/v1/activities/").status_code == 200


def test_requests_without_valid_credentials_are_throttled_per_address(rates, anonymous, viewer):
    rates(anon="2/min")
    for _ in range(2):
        assert anonymous.get("/api/v1/programmes/").status_code == 401
    assert anonymous.get("/api/v1/programmes/").status_code == 429
    # Guessing tokens counts too.
    anonymous.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert anonymous.get("/api/v1/programmes/").status_code == 429
    # A valid user is counted on their own.
    assert token_client(viewer).get("/api/v1/programmes/").status_code == 200


def test_a_body_over_the_limit_gets_413_json_and_writes_nothing(settings, editor_api, valid):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {**valid, "description": "x" * 20_000}
    response = editor_api.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 413
    assert "10000 bytes" in response.json()["detail"]
    assert not Activity.objects.exists()


def test_the_default_limit_is_one_mebibyte(settings, editor_api):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    response = editor_api.generic(
        "POST",
        "/api/v1/activities/",
        b'{"title": "' + b"x" * (1024 * 1024) + b'"}',
        content_type="application/json",
    )
    assert response.status_code == 413


# --- no users, no e-mail addresses ----------------------------------------------------


def api_routes(resolver=None, prefix: str = "") -> list[str]:
    resolver = resolver or get_resolver()
    routes = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.extend(api_routes(pattern, route))
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            routes.append(route)
    return routes


def test_no_api_route_or_schema_component_is_about_users(viewer_api):
    routes = api_routes()
    assert routes, "the API's routes were not found"
    assert not [route for route in routes if "user" in route.lower() or "account" in route]
    schema = viewer_api.get("/api/v1/schema/?format=json").json()
    assert not [path for path in schema["paths"] if "user" in path.lower()]
    for name, component in schema["components"]["schemas"].items():
        assert "User" not in name
        assert "email" not in component.get("properties", {}), name


def test_no_endpoint_shows_an_email_address(superuser, japan):
    author = UserFactory(username="author", email="author.secret@example.org", roles=["Editors"])
    # Public, so that the IATI export has it too.
    activity = ActivityFactory(
        programme=japan, created_by=author, updated_by=author, releasability="public"
    )
    api = token_client(superuser)
    schema = api.get("/api/v1/schema/?format=json").json()
    bodies = []
    # Every list, the activity and its history (the framework's details hold no people).
    paths = [p for p, operations in schema["paths"].items() if "get" in operations and "{" not in p]
    paths += [f"/api/v1/activities/{activity.pk}/", f"/api/v1/activities/{activity.pk}/history/"]
    for path in paths:
        query = f"?programme={japan.pk}" if "progress" in path or "iati" in path else ""
        response = api.get(f"{path}{query}")
        assert response.status_code == 200, path
        bodies.append(response.content.decode())
    bodies.append(b"".join(api.get("/api/v1/activities/?format=csv").streaming_content).decode())
    everything = "\n".join(bodies)
    assert "author" in everything  # the username is shown, as it should be
    assert "@" not in everything.replace("@example", "")  # sanity: no other addresses
    assert "author.secret@example.org" not in everything
