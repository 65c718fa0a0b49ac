"""No lost edits on the edit page: a save over a newer version is refused, the user's
input is kept, and they are told who changed what."""

import pytest
from django.urls import reverse

from activities.models import Activity
from activities.services import delete_activity, update_activity
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


def edit_data(activity, **changes) -> dict:
    data = {
        "programme": activity.programme_id,
        "version": activity.version,
        "title": activity.title,
        "activity_type": activity.activity_type,
        "status": activity.status,
        "releasability": activity.releasability,
        "start_date": activity.start_date.isoformat(),
        "end_date": "",
        "goals": [g.pk for g in activity.goals.all()],
        "location": activity.location,
    }
    data.update(changes)
    return data


def test_second_save_from_a_stale_form_is_refused_and_keeps_the_input(client, editor, japan):
    activity = ActivityFactory(programme=japan, title="Original title", location="Brussels")
    opened = edit_data(activity, title="My better title")  # form opened at version 1
    colleague = UserFactory(username="colleague", roles=["Editors"])
    update_activity(activity=activity, user=colleague, data={"location": "Tokyo"})

    client.force_login(editor)
    url = reverse("activities:update", args=[activity.pk])
    response = client.post(url, opened)
    assert response.status_code == 200
    page = response.content.decode()
    assert "colleague saved this activity" in page
    assert "now “Tokyo”" in page
    assert 'value="My better title"' in page  # the user's input is kept
    saved = Activity.objects.get(pk=activity.pk)
    assert (saved.title, saved.location, saved.version) == ("Original title", "Tokyo", 2)

    # Saving again is now a conscious choice over the version just shown.
    again = dict(opened, version=response.context["form"].data["version"])
    assert client.post(url, again).status_code == 302
    assert Activity.objects.get(pk=activity.pk).title == "My better title"


def test_editing_an_activity_deleted_meanwhile_says_so(client, editor, manager, japan):
    activity = ActivityFactory(programme=japan, title="Soon gone")
    client.force_login(editor)
    url = reverse("activities:update", args=[activity.pk])
    form_page = client.get(url)
    assert form_page.status_code == 200
    opened = edit_data(activity, title="Edited")
    delete_activity(activity=Activity.objects.get(pk=activity.pk), user=manager)
    response = client.post(url, opened)
    assert response.status_code == 404  # it no longer exists; nothing was saved
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_activity_page_shows_who_changed_what_in_words(client, viewer, japan):
    activity = ActivityFactory(programme=japan, title="Staff talks", allies=["FR"])
    colleague = UserFactory(username="colleague", roles=["Editors"])
    update_activity(
        activity=activity,
        user=colleague,
        data={"title": "Cyber staff talks", "status": "cancelled", "allies": ["DE"]},
    )
    client.force_login(viewer)
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "Changed" in page and "by colleague" in page
    assert "Title: Staff talks → Cyber staff talks" in page
    assert "Status: Completed → Cancelled" in page
    assert "Allies: France → Germany" in page


def test_goal_page_shows_the_goals_own_changes(client, viewer, manager, japan):
    from goals.models import PartnershipGoal
    from itpp.history import history_batch

    goal = PartnershipGoal.objects.get(programme=japan, order=16)
    with history_batch("admin"):
        goal._history_user = manager
        goal.statement = "On HUMAN SECURITY, Japan and NATO cooperate closely on human security."
        goal.save()
    client.force_login(viewer)
    page = client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert "Changes to this goal" in page and "by manager" in page
    assert "Statement: On HUMAN SECURITY, Japan and NATO cooperate on human security. →" in page
