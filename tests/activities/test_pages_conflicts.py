"""No lost edits on the edit page: a save over a newer version is refused, the user's
input is kept, and they are told who changed what."""

import pytest
from django.urls import reverse

from activities.models import Activity
from activities.services import delete_activity, update_activity
from goals.models import PartnershipGoal
from tests.factories import ActivityFactory, UserFactory, ally, edit_form_data

pytestmark = pytest.mark.django_db


def test_second_save_from_a_stale_form_is_refused_and_keeps_the_input(client, editor, japan):
    activity = ActivityFactory(programme=japan, title="Original title", location="Brussels")
    opened = edit_form_data(activity, title="My better title")  # form opened at version 1
    colleague = UserFactory(username="colleague", roles=["Editors"])
    update_activity(activity=activity, user=colleague, data={"location": "Tokyo"})

    client.force_login(editor)
    url = reverse("activities:update", args=[activity.pk])
    response = client.post(url, opened)
    assert response.status_code == 200
    page = response.content.decode()
    assert "colleague saved this activity" in page
    assert "Location: now “Tokyo” (yours: “Brussels”)" in page
    assert 'value="My better title"' in page  # the user's input is kept
    saved = Activity.objects.get(pk=activity.pk)
    assert (saved.title, saved.location, saved.version) == ("Original title", "Tokyo", 2)

    # Saving again is now a conscious choice over the version just shown.
    again = dict(opened, version=response.context["form"].data["version"])
    assert client.post(url, again).status_code == 302
    assert Activity.objects.get(pk=activity.pk).title == "My better title"


def test_the_conflict_names_each_save_and_only_the_fields_others_changed(client, editor, japan):
    goals = list(PartnershipGoal.objects.filter(programme=japan).order_by("order"))
    activity = ActivityFactory(programme=japan, title="Talks", goals=[goals[0]], allies=["FR"])
    # The user edits the title only; two colleagues change other things meanwhile.
    opened = edit_form_data(activity, title="Cyber talks", allies=["FR"])
    alice = UserFactory(username="alice", roles=["Editors"])
    bob = UserFactory(username="bob", roles=["Editors"])
    update_activity(activity=activity, user=alice, data={"status": "cancelled"})
    update_activity(activity=activity, user=bob, data={"goals": [goals[1]], "allies": [ally("DE")]})

    client.force_login(editor)
    response = client.post(reverse("activities:update", args=[activity.pk]), opened)
    lines = response.context["conflict"]["lines"]
    assert [save["user"] for save in response.context["conflict"]["saves"]] == ["bob", "alice"]
    assert lines == [
        ("Status", "Cancelled", "Completed"),
        ("Partnership goals", goals[1].title, goals[0].title),
        ("Allies", "Germany", "France"),
    ]
    page = response.content.decode()
    assert "Allies: now “Germany” (yours: “France”)" in page
    assert "alice saved this activity" in page and "bob saved this activity" in page
    assert "Title:" not in page.split('id="conflict"')[1].split("</div>")[0]  # only theirs
    assert Activity.objects.get(pk=activity.pk).title == "Talks"


def test_editing_an_activity_deleted_meanwhile_offers_the_input_as_a_new_one(
    client, editor, manager, japan
):
    activity = ActivityFactory(programme=japan, title="Soon gone")
    client.force_login(editor)
    url = reverse("activities:update", args=[activity.pk])
    assert client.get(url).status_code == 200
    opened = edit_form_data(activity, title="Edited", location="Tokyo")
    opened.pop("programme")  # fixed on the edit form, so the browser does not send it
    delete_activity(activity=Activity.objects.get(pk=activity.pk), user=manager)

    response = client.post(url, opened)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This activity was deleted while you were editing it: manager deleted it" in page
    assert 'value="Edited"' in page and 'value="Tokyo"' in page
    create = f"{reverse('activities:create')}?programme={japan.pk}"
    assert f'action="{create}"'.replace("&", "&amp;") in page
    assert "Log activity" in page
    assert not Activity.objects.exists()  # nothing saved until they choose to

    # Logging it from there makes a new activity with their input.
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert client.post(create, data).status_code == 302
    logged = Activity.objects.get()
    assert (logged.title, logged.location) == ("Edited", "Tokyo")
    assert logged.pk != activity.pk


def test_an_activity_deleted_meanwhile_stays_unknown_to_those_who_may_not_see_it(
    client, editor, manager, japan
):
    activity = ActivityFactory(programme=japan, title="Secret", releasability="restricted")
    opened = edit_form_data(activity, title="Edited")
    url = reverse("activities:update", args=[activity.pk])
    delete_activity(activity=activity, user=manager)
    client.force_login(editor)
    response = client.post(url, opened)
    assert response.status_code == 404
    assert b"Secret" not in response.content


def test_deleting_a_version_changed_meanwhile_shows_the_change_and_deletes_nothing(
    client, manager, japan
):
    activity = ActivityFactory(programme=japan, title="Staff talks")
    client.force_login(manager)
    url = reverse("activities:delete", args=[activity.pk])
    confirmed = client.get(url).context["form"]["version"].value()
    colleague = UserFactory(username="colleague", roles=["Editors"])
    update_activity(activity=activity, user=colleague, data={"outcome": "Agreed a roadmap."})

    response = client.post(url, {"version": confirmed})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was deleted: the activity changed after you opened this page." in page
    assert "colleague saved this activity" in page
    assert "Outcome: — → Agreed a roadmap." in page
    assert Activity.objects.filter(pk=activity.pk).exists()

    # Confirming again, now over the version shown, deletes it.
    again = response.context["form"]["version"].value()
    assert again == confirmed + 1
    assert client.post(url, {"version": again}).status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_deleting_what_someone_deleted_meanwhile_says_so(client, manager, japan):
    activity = ActivityFactory(programme=japan, title="Staff talks")
    client.force_login(manager)
    url = reverse("activities:delete", args=[activity.pk])
    colleague = UserFactory(username="colleague", roles=["Programme managers"])
    delete_activity(activity=activity, user=colleague)
    response = client.post(url, {"version": 1}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("activities:list")
    assert "“Staff talks” was already deleted: colleague deleted it" in response.text


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
    from itpp.history import history_batch

    goal = PartnershipGoal.objects.get(programme=japan, order=16)
    with history_batch("admin"):
        goal._history_user = manager
        goal.statement = "On HUMAN SECURITY, Japan and NATO cooperate closely on human security."
        goal.save()
    client.force_login(viewer)
    page = client.get(reverse("progress:goal_detail", args=[goal.pk])).content.decode()
    assert "Changes to this goal" in page and "by manager" in page
    assert "Statement: On HUMAN SECURITY, Japan and NATO cooperate on human security. →" in page
