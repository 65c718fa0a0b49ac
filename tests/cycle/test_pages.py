"""Follow-up actions on the activity's page (without JavaScript: plain forms), their own
form pages, and the roles on each."""

import pytest

from cycle.models import FollowUp
from tests.cycle.conftest import days
from tests.factories import ActivityFactory, FollowUpFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(programme):
    return ActivityFactory(programme=programme, title="Cyber consultation")


def test_the_activity_page_lists_its_actions_with_the_add_form_for_editors(
    client, editor, viewer, activity, today
):
    FollowUpFactory(
        activity=activity, owner=viewer, text="Send the minutes", due_date=today - days(1)
    )
    FollowUpFactory(activity=activity, owner=editor, text="Book the room", status="done")
    client.force_login(editor)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert 'id="follow-ups"' in page
    assert "Send the minutes" in page and "Book the room" in page
    assert "Overdue" in page and "Done" in page
    assert f'action="/activities/{activity.pk}/follow-ups/new/"' in page
    assert "Add the action" in page
    client.force_login(viewer)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "Send the minutes" in page
    assert "Add the action" not in page
    # The viewer owns the open one: they may mark it done, and only that.
    assert page.count("Mark done") == 1
    assert "/edit/" not in page.split('id="follow-ups"')[1]


def test_the_activity_page_takes_a_fixed_number_of_queries_with_its_actions(
    client, editor, activity, django_assert_max_num_queries
):
    client.force_login(editor)
    FollowUpFactory(activity=activity)
    with django_assert_max_num_queries(40) as few:
        client.get(activity.get_absolute_url())
    for _ in range(8):
        FollowUpFactory(activity=activity)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(activity.get_absolute_url())


def test_an_editor_adds_an_action_from_the_page(client, editor, viewer, activity, today):
    client.force_login(editor)
    goal = activity.programme.partnership_goals.get(order=1)
    response = client.post(
        f"/activities/{activity.pk}/follow-ups/new/",
        {
            "text": "Circulate the report",
            "owner": viewer.pk,
            "due_date": (today + days(10)).isoformat(),
            "goal": goal.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/#follow-ups"
    follow_up = FollowUp.objects.get()
    assert (follow_up.text, follow_up.owner, follow_up.goal, follow_up.created_by) == (
        "Circulate the report",
        viewer,
        goal,
        editor,
    )


def test_bad_input_on_the_page_shows_field_messages_and_saves_nothing(
    client, editor, activity, today
):
    client.force_login(editor)
    response = client.post(
        f"/activities/{activity.pk}/follow-ups/new/",
        {"text": "", "owner": "", "due_date": "tomorrow"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("invalid-feedback") >= 3
    assert "Nothing was saved" in page
    assert not FollowUp.objects.exists()


def test_a_viewer_may_not_add_or_edit_but_may_mark_their_own_done(
    client, viewer, editor, activity, today
):
    mine = FollowUpFactory(activity=activity, owner=viewer)
    theirs = FollowUpFactory(activity=activity, owner=editor)
    client.force_login(viewer)
    assert client.get(f"/activities/{activity.pk}/follow-ups/new/").status_code == 403
    assert client.get(f"/follow-ups/{mine.pk}/edit/").status_code == 403
    assert client.post(f"/follow-ups/{theirs.pk}/done/").status_code == 403
    assert client.get(f"/follow-ups/{mine.pk}/done/").status_code == 405
    response = client.post(f"/follow-ups/{mine.pk}/done/")
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("done", "open")
    # From "My work", back to it.
    other = FollowUpFactory(activity=activity, owner=viewer)
    assert client.post(f"/follow-ups/{other.pk}/done/", {"next": "/me/"})["Location"] == "/me/"
    evil = FollowUpFactory(activity=activity, owner=viewer)
    location = client.post(f"/follow-ups/{evil.pk}/done/", {"next": "https://evil.example/"})
    assert location["Location"] == f"/activities/{activity.pk}/#follow-ups"


def test_an_editor_edits_an_action(client, editor, viewer, activity, today):
    follow_up = FollowUpFactory(activity=activity, owner=editor)
    client.force_login(editor)
    assert client.get(f"/follow-ups/{follow_up.pk}/edit/").status_code == 200
    response = client.post(
        f"/follow-ups/{follow_up.pk}/edit/",
        {
            "text": "Changed",
            "owner": viewer.pk,
            "due_date": today.isoformat(),
            "goal": "",
            "status": "dropped",
        },
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.text, follow_up.owner, follow_up.status) == ("Changed", viewer, "dropped")
    assert follow_up.history.count() == 2


def test_restricted_activitys_action_pages_are_404(client, editor, manager, programme):
    secret = ActivityFactory(programme=programme, releasability="restricted")
    hidden = FollowUpFactory(activity=secret, owner=manager)
    client.force_login(editor)
    assert client.get(f"/activities/{secret.pk}/follow-ups/new/").status_code == 404
    assert client.post(f"/activities/{secret.pk}/follow-ups/new/", {}).status_code == 404
    assert client.get(f"/follow-ups/{hidden.pk}/edit/").status_code == 404
    assert client.post(f"/follow-ups/{hidden.pk}/done/").status_code == 404
    client.force_login(manager)
    assert client.get(f"/follow-ups/{hidden.pk}/edit/").status_code == 200
