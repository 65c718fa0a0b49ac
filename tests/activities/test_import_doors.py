"""The admin import is a door like the pages and the API: the same roles, the same
releasability gate, the same write service (versions, history with the channel `import`).
Finding 1 of issue 11."""

import pytest
from django.urls import reverse

from activities.models import Activity
from tests.activities.importing import (
    CONFIRM_URL,
    IMPORT_URL,
    confirm,
    csv_bytes,
    preview,
    row,
    row_errors,
)
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Secret submarine cable talks"
SECRET_TEXT = "Agreed to keep the cable map between the two."


@pytest.fixture
def staff_viewer(db):
    return UserFactory(username="staff_viewer", roles=["Viewers"], is_staff=True)


@pytest.fixture
def staff_editor(db):
    return UserFactory(username="staff_editor", roles=["Editors"], is_staff=True)


@pytest.fixture
def staff_manager(db):
    return UserFactory(username="staff_manager", roles=["Programme managers"], is_staff=True)


@pytest.fixture
def restricted(japan):
    return ActivityFactory(
        programme=japan,
        title=SECRET_TITLE,
        description=SECRET_TEXT,
        releasability="restricted",
        allies=["NO"],
    )


def test_a_staff_viewer_gets_403_on_the_import_and_no_button(client, staff_viewer, japan):
    client.force_login(staff_viewer)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert preview(client, csv_bytes(row(japan))).status_code == 403
    assert client.post(reverse(CONFIRM_URL), {}).status_code == 403
    changelist = client.get(reverse("admin:activities_activity_changelist"))
    assert changelist.status_code == 200
    assert reverse(IMPORT_URL) not in changelist.content.decode()
    assert not Activity.objects.exists()


def test_a_staff_editor_sees_the_import_button(client, staff_editor):
    client.force_login(staff_editor)
    changelist = client.get(reverse("admin:activities_activity_changelist"))
    assert reverse(IMPORT_URL) in changelist.content.decode()
    assert client.get(reverse(IMPORT_URL)).status_code == 200


def test_the_id_of_a_restricted_activity_is_no_such_activity_for_an_editor(
    client, staff_editor, japan, restricted
):
    client.force_login(staff_editor)
    response = preview(
        client,
        csv_bytes(row(japan, id=str(restricted.pk), title="Cable talks", releasability="internal")),
    )
    page = response.content.decode()
    assert row_errors(response) == {
        1: {"id": [f"No such activity: {restricted.pk}. Leave the id empty to add a new activity."]}
    }
    assert response.context.get("confirm_form") is None
    # Nothing of it reaches the preview (its diff would show the old values).
    assert SECRET_TITLE not in page and SECRET_TEXT not in page and "Norway" not in page
    restricted.refresh_from_db()
    assert (restricted.title, restricted.releasability, restricted.version) == (
        SECRET_TITLE,
        "restricted",
        1,
    )


def test_the_same_answer_for_an_id_that_never_existed(client, staff_editor, japan, restricted):
    client.force_login(staff_editor)
    response = preview(client, csv_bytes(row(japan, id="987654")))
    assert row_errors(response)[1]["id"] == [
        "No such activity: 987654. Leave the id empty to add a new activity."
    ]


def test_an_editor_cannot_create_a_restricted_row(client, staff_editor, japan):
    client.force_login(staff_editor)
    response = preview(client, csv_bytes(row(japan, releasability="restricted")))
    assert row_errors(response) == {
        1: {"releasability": ["Only users allowed to see restricted activities can restrict one."]}
    }
    assert response.context.get("confirm_form") is None
    assert not Activity.objects.exists()


def test_an_editor_cannot_restrict_an_activity(client, staff_editor, japan):
    activity = ActivityFactory(programme=japan, title="Open talks")
    client.force_login(staff_editor)
    response = preview(
        client, csv_bytes(row(japan, id=str(activity.pk), releasability="restricted"))
    )
    assert "releasability" in row_errors(response)[1]
    activity.refresh_from_db()
    assert activity.releasability == "internal"


def test_an_update_claims_the_version_and_is_recorded_as_an_import(client, staff_editor, japan):
    activity = ActivityFactory(programme=japan, title="Staff talks")
    client.force_login(staff_editor)
    response = preview(
        client, csv_bytes(row(japan, id=str(activity.pk), title="Cyber staff talks"))
    )
    assert response.context["result"].totals["update"] == 1
    confirm(client, response)
    activity.refresh_from_db()
    assert activity.title == "Cyber staff talks"
    assert activity.version == 2
    assert activity.updated_by == staff_editor
    last = activity.history.order_by("-history_id").first()
    assert (last.history_channel, last.history_user) == ("import", staff_editor)
    assert set(activity.history.values_list("history_channel", flat=True)) == {"system", "import"}


def test_a_new_row_is_recorded_as_an_import_by_its_user(client, staff_editor, japan):
    client.force_login(staff_editor)
    confirm(client, preview(client, csv_bytes(row(japan))))
    activity = Activity.objects.get()
    assert (activity.created_by, activity.version) == (staff_editor, 1)
    assert set(activity.history.values_list("history_channel", "history_user")) == {
        ("import", staff_editor.pk)
    }


def test_a_manager_may_update_a_restricted_activity(client, staff_manager, japan, restricted):
    client.force_login(staff_manager)
    response = preview(
        client,
        csv_bytes(
            row(japan, id=str(restricted.pk), title="Cable talks", releasability="restricted")
        ),
    )
    confirm(client, response)
    restricted.refresh_from_db()
    assert (restricted.title, restricted.version) == ("Cable talks", 2)


def test_the_resource_refuses_to_run_without_a_user_who_may_import(japan, viewer):
    import tablib

    from activities.resources import ActivityResource
    from tests.activities.importing import HEADER

    dataset = tablib.Dataset(row(japan), headers=HEADER)
    for user in (None, viewer):
        result = ActivityResource().import_data(dataset, dry_run=False, user=user)
        assert result.has_errors()
        assert "Importing activities is for Editors and Programme managers." in str(
            result.base_errors[0].error
        )
    assert not Activity.objects.exists()
