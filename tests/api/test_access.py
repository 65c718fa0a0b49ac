"""Who gets in: tokens, sessions, roles, and the 401/403/405 answers of the API."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.tasks import purge_expired_api_tokens
from activities.models import Activity
from tests.api.conftest import token_client
from tests.factories import ActivityFactory, UserFactory

DATA_URLS = [
    "/api/v1/programmes/",
    "/api/v1/programmes/{programme}/",
    "/api/v1/objectives/",
    "/api/v1/priority-issues/",
    "/api/v1/goals/",
    "/api/v1/goals/{goal}/",
    "/api/v1/allies/",
    "/api/v1/allies/FR/",
    "/api/v1/activities/",
    "/api/v1/activities/{activity}/",
    "/api/v1/activities/?format=csv",
    "/api/v1/progress/?programme={programme}",
]


@pytest.fixture
def activity(japan) -> Activity:
    return ActivityFactory(programme=japan, goals=[japan.partnership_goals.first()])


def fill(url: str, japan, activity) -> str:
    return url.format(
        programme=japan.pk, goal=japan.partnership_goals.first().pk, activity=activity.pk
    )


def api_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from api_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith("api/"):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_view_is_exempt_from_the_login_redirect():
    patterns = dict(api_patterns(get_resolver().url_patterns))
    # The Swagger page, for people, wraps itself in login_required (see test_schema).
    del patterns["api/v1/docs/"]
    assert len(patterns) > 10
    for route, view in patterns.items():
        assert getattr(view, "login_required", True) is False, route


@pytest.mark.parametrize("url", DATA_URLS)
def test_anonymous_requests_get_401_json_with_www_authenticate(url, anonymous, japan, activity):
    response = anonymous.get(fill(url, japan, activity))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_anonymous_writes_get_401(method, anonymous, activity):
    url = "/api/v1/activities/" if method == "post" else f"/api/v1/activities/{activity.pk}/"
    response = getattr(anonymous, method)(url, {}, format="json")
    assert response.status_code == 401
    assert Activity.objects.filter(pk=activity.pk).exists()


@pytest.mark.parametrize("url", DATA_URLS)
def test_an_account_without_a_role_gets_403(url, api_as, japan, activity):
    response = api_as(None).get(fill(url, japan, activity))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


def test_a_wrong_or_malformed_token_gets_401(japan):
    for header in ["Token not-a-key", "Token", "Token a b"]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get("/api/v1/programmes/").status_code == 401, header


def test_an_expired_token_gets_401(viewer):
    token, key = AuthToken.objects.create(user=viewer, expiry=timedelta(days=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/programmes/").status_code == 200
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/programmes/").status_code == 401
    assert not AuthToken.objects.filter(pk=token.pk).exists()  # deleted, as knox does


def test_a_token_is_checked_alone_and_the_users_other_expired_tokens_wait_for_the_purge(
    viewer,
):
    # knox would read (and clean up) all the user's tokens on every request: one query
    # more per API call. Only the presented token is read here.
    old, _ = AuthToken.objects.create(user=viewer, expiry=timedelta(days=1))
    AuthToken.objects.filter(pk=old.pk).update(expiry=timezone.now() - timedelta(days=1))
    client = token_client(viewer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/programmes/").status_code == 200
    token_reads = [q["sql"] for q in queries if "knox_authtoken" in q["sql"]]
    assert len(token_reads) == 1, token_reads
    assert AuthToken.objects.filter(pk=old.pk).exists()
    assert purge_expired_api_tokens.delay().get() == 1
    assert not AuthToken.objects.filter(pk=old.pk).exists()
    assert client.get("/api/v1/programmes/").status_code == 200


def test_a_disabled_account_cannot_use_its_token(viewer):
    client = token_client(viewer)
    viewer.is_active = False
    viewer.save()
    assert client.get("/api/v1/programmes/").status_code == 401


def test_create_api_token_prints_a_working_key_on_its_last_line(viewer):
    out = StringIO()
    call_command("create_api_token", "viewer", "--expires-days", "7", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    token = AuthToken.objects.get(user=viewer)
    # Stored hashed: the key itself is nowhere in the database.
    assert key not in (token.digest, token.token_key)
    assert timedelta(days=6, hours=23) < token.expiry - timezone.now() <= timedelta(days=7)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/programmes/").status_code == 200


def test_create_api_token_refuses_unknown_users_and_bad_expiry(viewer):
    with pytest.raises(CommandError, match="no user"):
        call_command("create_api_token", "nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="expires-days"):
        call_command("create_api_token", "viewer", "--expires-days", "0", stdout=StringIO())
    assert not AuthToken.objects.exists()


def test_revoking_tokens_takes_effect_at_once(viewer):
    client = token_client(viewer)
    assert client.get("/api/v1/programmes/").status_code == 200
    call_command("revoke_api_tokens", "viewer", stdout=StringIO())
    assert client.get("/api/v1/programmes/").status_code == 401


def test_the_browser_session_works_with_csrf_protection(viewer, editor, japan):
    reader = APIClient()
    reader.force_login(viewer)
    assert reader.get("/api/v1/activities/").status_code == 200
    writer = APIClient(enforce_csrf_checks=True)
    writer.force_login(editor)
    body = {"title": "Visit", "activity_type": "visit", "start_date": "2025-01-10"}
    body["goals"] = [japan.partnership_goals.first().pk]
    response = writer.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Activity.objects.exists()


# Each role against each verb on activities.
VERBS = ["list", "retrieve", "create", "update", "partial_update", "destroy"]
ALLOWED = {
    "Viewers": {"list", "retrieve"},
    "Editors": {"list", "retrieve", "create", "update", "partial_update"},
    "Programme managers": set(VERBS),
    "superuser": set(VERBS),
}
SUCCESS = {
    "list": 200,
    "retrieve": 200,
    "create": 201,
    "update": 200,
    "partial_update": 200,
    "destroy": 204,
}


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("verb", VERBS)
def test_each_role_against_each_verb_on_activities(role, verb, api_as, japan, activity):
    client = api_as(role)
    detail = f"/api/v1/activities/{activity.pk}/"
    goal = japan.partnership_goals.last().pk
    body = {"title": "Renamed", "activity_type": "visit", "start_date": "2025-01-10"}
    body["goals"] = [goal]
    request = {
        "list": lambda: client.get("/api/v1/activities/"),
        "retrieve": lambda: client.get(detail),
        "create": lambda: client.post("/api/v1/activities/", body, format="json"),
        "update": lambda: client.put(detail, body, format="json"),
        "partial_update": lambda: client.patch(detail, {"title": "Renamed"}, format="json"),
        "destroy": lambda: client.delete(detail),
    }[verb]
    response = request()
    allowed = verb in ALLOWED[role]
    assert response.status_code == (SUCCESS[verb] if allowed else 403)
    changed = verb in {"create", "update", "partial_update", "destroy"}
    if changed and not allowed:
        activity.refresh_from_db()
        assert activity.title != "Renamed"
        assert Activity.objects.count() == 1


def test_the_permission_check_names_the_activity_model_without_building_the_queryset(
    api_as, japan, activity, monkeypatch
):
    from activities.api.views import ActivityViewSet

    built = []
    original = ActivityViewSet.get_queryset
    monkeypatch.setattr(
        ActivityViewSet, "get_queryset", lambda view: built.append(1) or original(view)
    )
    assert api_as("Viewers").get("/api/v1/activities/").status_code == 200
    assert len(built) == 1  # by the list itself, not by the permission check
    built.clear()
    assert api_as(None).get("/api/v1/activities/").status_code == 403
    assert built == []


FRAMEWORK = ["programmes", "objectives", "priority-issues", "goals"]


@pytest.mark.parametrize("endpoint", FRAMEWORK)
def test_the_framework_is_read_only_even_for_programme_managers(endpoint, api_as, japan):
    model_rows = {
        "programmes": japan,
        "objectives": japan.strategic_objectives.first(),
        "priority-issues": japan.priority_issues.first(),
        "goals": japan.partnership_goals.first(),
    }
    detail = f"/api/v1/{endpoint}/{model_rows[endpoint].pk}/"
    viewer = api_as("Viewers")
    manager = api_as("Programme managers")
    assert viewer.post(f"/api/v1/{endpoint}/", {}, format="json").status_code == 403
    assert manager.post(f"/api/v1/{endpoint}/", {}, format="json").status_code == 405
    assert manager.put(detail, {}, format="json").status_code == 405
    assert manager.patch(detail, {}, format="json").status_code == 405
    assert manager.delete(detail).status_code == 405
    assert manager.get(detail).status_code == 200


def test_allies_are_read_only(api_as):
    manager = api_as("Programme managers")
    assert manager.post("/api/v1/allies/", {"code": "XX"}, format="json").status_code == 405
    assert manager.delete("/api/v1/allies/FR/").status_code == 405


def test_a_user_with_two_roles_has_the_union(japan, activity):
    user = UserFactory(roles=["Viewers", "Programme managers"])
    response = token_client(user).delete(f"/api/v1/activities/{activity.pk}/")
    assert response.status_code == 204


def test_an_unexpected_error_is_still_answered_in_json_and_logged(viewer_api, monkeypatch, caplog):
    from goals.api.views import ProgrammeViewSet

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ProgrammeViewSet, "list", broken)
    response = viewer_api.get("/api/v1/programmes/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    assert "boom" in caplog.text
