"""Over the API, a user without `view_restricted_activity` never learns that a restricted
activity exists: not in lists, details, search, CSV, history, restore or progress."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission

from activities.models import Activity
from tests.factories import ActivityFactory

SECRET = "Sensitive cyber consultation"


@pytest.fixture
def restricted(japan):
    return ActivityFactory(
        programme=japan, title=SECRET, releasability="restricted", status="completed"
    )


@pytest.fixture
def internal(japan):
    return ActivityFactory(programme=japan, title="Routine staff talks", status="completed")


def total_counts(api, japan) -> int:
    data = api.get(f"/api/v1/progress/?programme={japan.pk}").json()
    return sum(goal["activities"]["total"] for goal in data["goals"])


@pytest.mark.parametrize("role", ["Viewers", "Editors"])
def test_every_endpoint_hides_restricted_activities_from_other_roles(
    role, api_as, restricted, internal, japan
):
    api = api_as(role)
    listed = api.get("/api/v1/activities/").json()
    assert [row["id"] for row in listed["results"]] == [internal.pk]
    assert listed["count"] == 1
    assert api.get("/api/v1/activities/?search=Sensitive").json()["count"] == 0
    assert api.get("/api/v1/activities/?releasability=restricted").json()["count"] == 0
    exported = b"".join(api.get("/api/v1/activities/?format=csv").streaming_content).decode()
    assert SECRET not in exported
    assert len(list(csv.reader(io.StringIO(exported)))) == 2
    for suffix in ("", "history/"):
        # Exactly as for an id that never existed.
        response = api.get(f"/api/v1/activities/{restricted.pk}/{suffix}")
        never = api.get(f"/api/v1/activities/987654321/{suffix}")
        assert response.status_code == never.status_code == 404
        assert response.json() == never.json()
    # Writes cannot find it either.
    assert api.patch(f"/api/v1/activities/{restricted.pk}/", {}, format="json").status_code in (
        403,
        404,
    )
    assert total_counts(api, japan) == 1


def test_programme_managers_see_and_count_restricted_activities(
    manager_api, restricted, internal, japan
):
    assert manager_api.get("/api/v1/activities/").json()["count"] == 2
    response = manager_api.get(f"/api/v1/activities/{restricted.pk}/")
    assert response.json()["releasability"] == "restricted"
    assert manager_api.get(f"/api/v1/activities/{restricted.pk}/history/").status_code == 200
    exported = b"".join(manager_api.get("/api/v1/activities/?format=csv").streaming_content)
    assert SECRET in exported.decode()
    assert total_counts(manager_api, japan) == 2


def test_a_deleted_restricted_activity_stays_hidden_and_unrestorable(
    manager_api, api_as, restricted
):
    manager_api.delete(f"/api/v1/activities/{restricted.pk}/")
    viewer = api_as("Viewers")
    assert viewer.get(f"/api/v1/activities/{restricted.pk}/history/").status_code == 404
    assert viewer.post(f"/api/v1/activities/{restricted.pk}/restore/").status_code == 403
    assert manager_api.get(f"/api/v1/activities/{restricted.pk}/history/").status_code == 200


def test_a_once_restricted_history_stays_hidden_after_it_is_released(
    manager_api, viewer_api, restricted
):
    manager_api.patch(
        f"/api/v1/activities/{restricted.pk}/", {"releasability": "internal"}, format="json"
    )
    assert viewer_api.get(f"/api/v1/activities/{restricted.pk}/").status_code == 200
    # The earlier versions held restricted content.
    assert viewer_api.get(f"/api/v1/activities/{restricted.pk}/history/").status_code == 404


def test_releasability_defaults_to_internal_and_is_in_the_csv(editor_api, valid):
    data = editor_api.post("/api/v1/activities/", valid, format="json").json()
    assert data["releasability"] == "internal"
    exported = b"".join(editor_api.get("/api/v1/activities/?format=csv").streaming_content)
    header, row = list(csv.reader(io.StringIO(exported.decode())))
    assert row[header.index("releasability")] == "internal"
    assert row[header.index("version")] == "1"


def test_only_those_who_may_see_restricted_activities_may_restrict_one(
    editor_api, manager_api, valid
):
    body = {**valid, "releasability": "restricted"}
    response = editor_api.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["releasability"]
    assert not Activity.objects.exists()
    created = manager_api.post("/api/v1/activities/", body, format="json")
    assert created.status_code == 201
    # Nor may they restrict an existing one (the same refusal, from the service).
    internal = editor_api.post("/api/v1/activities/", valid, format="json").json()
    for method in (editor_api.patch, editor_api.put):
        response = method(
            f"/api/v1/activities/{internal['id']}/",
            {**valid, "releasability": "restricted"},
            format="json",
        )
        assert response.status_code == 400
        assert list(response.json()) == ["releasability"]
    assert Activity.objects.get(pk=internal["id"]).releasability == "internal"


def test_a_manager_restores_a_restricted_activity_only_with_the_permission(
    manager, manager_api, restricted
):
    manager_api.delete(f"/api/v1/activities/{restricted.pk}/")
    # A group that may delete (and so restore) but not see restricted activities.
    group = Group.objects.create(name="Deleters")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="activities",
            codename__in=["view_activity", "delete_activity", "add_activity"],
        )
    )
    manager.groups.set([group])
    assert manager_api.post(f"/api/v1/activities/{restricted.pk}/restore/").status_code == 404
    # Restoring writes the activity again: deleting alone is not enough, as on the pages.
    group.permissions.remove(Permission.objects.get(codename="add_activity"))
    manager.user_permissions.add(Permission.objects.get(codename="view_restricted_activity"))
    assert manager_api.post(f"/api/v1/activities/{restricted.pk}/restore/").status_code == 403
    assert not Activity.objects.filter(pk=restricted.pk).exists()
