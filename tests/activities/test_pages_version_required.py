"""The edit and delete pages must know which version the user opened: a POST without it
(or with one that is not a whole number) is refused with a clear message and writes nothing."""

import pytest
from django.urls import reverse

from activities.forms import MISSING_VERSION
from activities.models import Activity
from activities.services import update_activity
from tests.factories import ActivityFactory, edit_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(japan, manager):
    activity = ActivityFactory(programme=japan, title="Original")
    # A colleague's newer version, which a form without a version must not overwrite.
    update_activity(activity=activity, user=manager, data={"location": "Tokyo"})
    return Activity.objects.get(pk=activity.pk)


def history_and_row(activity: Activity) -> tuple:
    row = Activity.objects.get(pk=activity.pk)
    return Activity.history.filter(id=activity.pk).count(), row.title, row.version


@pytest.mark.parametrize("version", [None, "", "two", "1.5", "-3"])
def test_an_edit_without_a_valid_version_is_refused_and_saves_nothing(
    client, editor, activity, version
):
    before = history_and_row(activity)
    data = edit_form_data(activity, title="Overwritten")
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    client.force_login(editor)
    response = client.post(reverse("activities:update", args=[activity.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["version"] == [MISSING_VERSION]
    assert "Nothing was saved" in response.text
    assert str(MISSING_VERSION) in response.text  # a translatable text, in English here
    assert history_and_row(activity) == before


def test_an_edit_with_the_current_version_still_saves(client, editor, activity):
    client.force_login(editor)
    data = edit_form_data(activity, title="Renamed")
    response = client.post(reverse("activities:update", args=[activity.pk]), data)
    assert response.status_code == 302
    assert Activity.objects.get(pk=activity.pk).title == "Renamed"


@pytest.mark.parametrize("body", [{}, {"version": ""}, {"version": "two"}])
def test_a_delete_without_a_valid_version_is_refused(client, manager, activity, body):
    client.force_login(manager)
    response = client.post(reverse("activities:delete", args=[activity.pk]), body)
    assert response.status_code == 200
    assert "Nothing was deleted: the confirmation was not valid" in response.text
    assert Activity.objects.filter(pk=activity.pk).exists()
