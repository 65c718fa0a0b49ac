"""An activity that was restricted and is now internal keeps its restricted past from
those who may not see restricted activities: on its page, in the edit and delete conflict
messages and over the API, by one rule (activities.history.past_withheld_from)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from activities.models import Activity
from activities.services import update_activity
from tests.factories import ActivityFactory, UserFactory, edit_form_data

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Sensitive cyber consultation"
SECRET_TEXT = "Attendees from the signals unit"


@pytest.fixture
def released(japan, manager) -> Activity:
    """Restricted at version 1, then released as internal with a new title at version 2."""
    activity = ActivityFactory(
        programme=japan,
        title=SECRET_TITLE,
        description=SECRET_TEXT,
        releasability="restricted",
        location="Tokyo",
    )
    update_activity(
        activity=activity,
        user=manager,
        data={"releasability": "internal", "title": "Staff talks", "description": ""},
    )
    return Activity.objects.get(pk=activity.pk)


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_the_detail_page_withholds_a_restricted_past(client, request, role, released):
    client.force_login(request.getfixturevalue(role))
    page = client.get(released.get_absolute_url()).text
    assert "Staff talks" in page  # the activity itself, as it now is
    assert SECRET_TITLE not in page and SECRET_TEXT not in page
    assert 'id="history-withheld"' in page


def test_those_who_may_see_restricted_activities_get_the_whole_log(client, manager, released):
    client.force_login(manager)
    page = client.get(released.get_absolute_url()).text
    assert SECRET_TITLE in page  # Title: <restricted title> → Staff talks
    assert 'id="history-withheld"' not in page


def test_an_activity_never_restricted_shows_its_log(client, viewer, japan, editor):
    activity = ActivityFactory(programme=japan, title="Routine talks")
    update_activity(activity=activity, user=editor, data={"title": "Routine staff talks"})
    client.force_login(viewer)
    page = client.get(activity.get_absolute_url()).text
    assert "Title: Routine talks → Routine staff talks" in page
    assert 'id="history-withheld"' not in page


def test_the_edit_conflict_withholds_a_restricted_past(client, editor, manager, released):
    # A stale form naming the restricted version: a hand-made POST can name any number.
    stale = edit_form_data(released, version=1, title="My title")
    client.force_login(editor)
    response = client.post(reverse("activities:update", args=[released.pk]), stale)
    assert response.status_code == 200
    page = response.text
    assert 'id="conflict"' in page and 'id="conflict-withheld"' in page
    assert SECRET_TITLE not in page and SECRET_TEXT not in page
    assert response.context["conflict"]["saves"] == []
    assert Activity.objects.get(pk=released.pk).title == "Staff talks"


def test_the_delete_conflict_withholds_a_restricted_past(client, released):
    # One who may delete but not see restricted activities.
    deleter = UserFactory(username="deleter", roles=["Editors"])
    deleter.user_permissions.add(Permission.objects.get(codename="delete_activity"))
    client.force_login(deleter)
    response = client.post(reverse("activities:delete", args=[released.pk]), {"version": 1})
    assert response.status_code == 200
    page = response.text
    assert 'id="conflict"' in page and 'id="conflict-withheld"' in page
    assert SECRET_TITLE not in page and SECRET_TEXT not in page
    assert Activity.objects.filter(pk=released.pk).exists()


def test_the_api_history_agrees_with_the_page(api_client_for, viewer, manager, released):
    assert (
        api_client_for(viewer).get(f"/api/v1/activities/{released.pk}/history/").status_code == 404
    )
    entries = api_client_for(manager).get(f"/api/v1/activities/{released.pk}/history/").json()
    assert entries[-1]["changes"]["title"]["new"] == SECRET_TITLE


@pytest.fixture
def api_client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
