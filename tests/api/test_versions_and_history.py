"""No lost edits over the API (ETag / If-Match), the change history, and restoring."""

import datetime
import threading

import pytest
from django.db import connection

from activities import services
from activities.models import Activity, Ally
from tests.api.conftest import token_client
from tests.factories import ActivityFactory, UserFactory


@pytest.fixture
def activity(japan, editor):
    # Through the service, as the API and pages create them: one history entry.
    return services.create_activity(
        user=editor,
        data={
            "title": "Original",
            "activity_type": "visit",
            "start_date": datetime.date(2024, 5, 1),
            "goals": [japan.partnership_goals.get(order=1)],
            "allies": [Ally.objects.get(code="FR")],
        },
    )


def url(activity_id: int, suffix: str = "") -> str:
    return f"/api/v1/activities/{activity_id}/{suffix}"


# --- ETag and If-Match ---------------------------------------------------------------


def test_one_activity_carries_its_version_as_etag_and_field(viewer_api, activity):
    response = viewer_api.get(url(activity.pk))
    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1


def test_each_write_answers_the_new_etag(editor_api, activity):
    response = editor_api.patch(url(activity.pk), {"title": "Second"}, format="json")
    assert response.status_code == 200
    assert response["ETag"] == '"2"' and response.json()["version"] == 2
    response = editor_api.patch(
        url(activity.pk), {"title": "Third"}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert response.status_code == 200
    assert response["ETag"] == '"3"'


def test_the_version_cannot_be_set_by_the_client(editor_api, activity):
    editor_api.patch(url(activity.pk), {"version": 99, "title": "X"}, format="json")
    activity.refresh_from_db()
    assert activity.version == 2


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_stale_if_match_gets_412_naming_the_current_version_and_changes_nothing(
    method, manager_api, activity, japan
):
    services.update_activity(activity=activity, user=activity.created_by, data={"title": "Newer"})
    history = Activity.history.count()
    body = {
        "title": "Lost?",
        "activity_type": "visit",
        "start_date": "2024-01-01",
        "goals": [japan.partnership_goals.first().pk],
    }
    response = getattr(manager_api, method)(
        url(activity.pk), body, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    assert response.json()["current_version"] == 2
    assert "version 2" in response.json()["detail"]
    assert response["ETag"] == '"2"'
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("Newer", 2)
    assert Activity.history.count() == history


def test_a_stale_if_match_is_412_even_when_the_body_is_invalid(editor_api, activity):
    services.update_activity(activity=activity, user=activity.created_by, data={"title": "New"})
    response = editor_api.patch(url(activity.pk), {"goals": []}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412


def test_without_if_match_or_with_star_the_write_goes_through(editor_api, manager_api, activity):
    services.update_activity(activity=activity, user=activity.created_by, data={"title": "New"})
    assert editor_api.patch(url(activity.pk), {"title": "A"}, format="json").status_code == 200
    response = editor_api.patch(url(activity.pk), {"title": "B"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    assert manager_api.delete(url(activity.pk), HTTP_IF_MATCH='"4"').status_code == 204


@pytest.mark.parametrize("value", ["1", 'W/"1"', '"1", "2"', '"abc"', '""', '"99999999999"'])
def test_a_malformed_if_match_gets_400_on_the_header(value, editor_api, activity):
    response = editor_api.patch(
        url(activity.pk), {"title": "X"}, format="json", HTTP_IF_MATCH=value
    )
    assert response.status_code == 400
    assert list(response.json()) == ["If-Match"]
    activity.refresh_from_db()
    assert activity.version == 1


def test_an_if_match_beyond_any_version_is_412(editor_api, activity):
    response = editor_api.patch(
        url(activity.pk), {"title": "X"}, format="json", HTTP_IF_MATCH='"9999999999"'
    )
    assert response.status_code == 412


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_api_writers_with_the_same_etag_one_gets_412(japan, monkeypatch):
    """Both writers pass the early check (each reads version 1); the conditional UPDATE
    in the database then lets exactly one through."""
    activity = ActivityFactory(programme=japan, title="Original")
    clients = {
        "first": token_client(UserFactory(roles=["Editors"])),
        "second": token_client(UserFactory(roles=["Editors"])),
    }
    first_claimed = threading.Event()
    real_claim = services.claim_version

    def slow_claim(activity_id, expected_version):
        version = real_claim(activity_id, expected_version)
        if threading.current_thread().name == "first":
            first_claimed.set()
            threading.Event().wait(0.5)  # hold the row lock while the second writer tries
        return version

    monkeypatch.setattr(services, "claim_version", slow_claim)
    results: dict[str, int] = {}

    def write() -> None:
        name = threading.current_thread().name
        try:
            response = clients[name].patch(
                url(activity.pk), {"title": f"By {name}"}, format="json", HTTP_IF_MATCH='"1"'
            )
            results[name] = response.status_code
        finally:
            first_claimed.set()
            connection.close()

    first = threading.Thread(target=write, name="first")
    first.start()
    assert first_claimed.wait(10)
    second = threading.Thread(target=write, name="second")
    second.start()
    first.join(20)
    second.join(20)

    assert results == {"first": 200, "second": 412}
    saved = Activity.objects.get(pk=activity.pk)
    assert (saved.title, saved.version) == ("By first", 2)


# --- history -------------------------------------------------------------------------


def test_history_lists_changes_newest_first_with_usernames(editor_api, editor, activity):
    editor_api.patch(url(activity.pk), {"title": "Renamed", "allies": ["DE"]}, format="json")
    response = editor_api.get(url(activity.pk, "history/"))
    assert response.status_code == 200
    entries = response.json()
    assert [entry["action"] for entry in entries] == ["changed", "created"]
    latest = entries[0]
    assert latest["user"] == "editor"
    assert latest["channel"] == "api"
    assert latest["changes"]["title"] == {"old": "Original", "new": "Renamed"}
    assert latest["changes"]["allies"] == {"old": ["FR"], "new": ["DE"]}
    assert set(latest) == {"at", "user", "channel", "action", "changes"}


def test_history_of_a_deleted_activity_stays_readable(manager_api, viewer_api, activity):
    assert manager_api.delete(url(activity.pk)).status_code == 204
    assert viewer_api.get(url(activity.pk)).status_code == 404
    entries = viewer_api.get(url(activity.pk, "history/")).json()
    assert [entry["action"] for entry in entries] == ["deleted", "created"]
    assert entries[0]["user"] == "manager"


def test_history_of_an_unknown_activity_is_404(viewer_api):
    assert viewer_api.get(url(987654321, "history/")).status_code == 404


def test_history_needs_a_role(api_as, anonymous, activity):
    assert anonymous.get(url(activity.pk, "history/")).status_code == 401
    assert api_as(None).get(url(activity.pk, "history/")).status_code == 403


# --- restore -------------------------------------------------------------------------


def test_a_programme_manager_restores_a_deleted_activity_with_its_links(manager_api, activity):
    goals = list(activity.goals.values_list("pk", flat=True))
    manager_api.delete(url(activity.pk))
    response = manager_api.post(url(activity.pk, "restore/"))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["id"] == activity.pk and data["title"] == "Original"
    assert data["goals"] == goals and data["allies"] == ["FR"]
    assert response["ETag"] == f'"{data["version"]}"'
    actions = [e["action"] for e in manager_api.get(url(activity.pk, "history/")).json()]
    assert actions == ["restored", "deleted", "created"]


def test_restoring_a_live_activity_is_409(manager_api, activity):
    response = manager_api.post(url(activity.pk, "restore/"))
    assert response.status_code == 409
    assert "not been deleted" in response.json()["detail"]


def test_restoring_what_never_existed_is_404(manager_api):
    assert manager_api.post(url(987654321, "restore/")).status_code == 404


@pytest.mark.parametrize("role", ["Viewers", "Editors"])
def test_only_programme_managers_restore(role, api_as, manager_api, activity):
    manager_api.delete(url(activity.pk))
    assert api_as(role).post(url(activity.pk, "restore/")).status_code == 403
    assert not Activity.objects.filter(pk=activity.pk).exists()
