"""Follow-up actions over the API: roles, the owner's one right, the rules (400 naming the
field), the filters, and the visibility of their activity."""

import pytest

from cycle.models import FollowUp
from tests.api.conftest import token_client
from tests.cycle.conftest import days
from tests.factories import ActivityFactory, FollowUpFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/follow-ups/"


@pytest.fixture
def activity(programme):
    return ActivityFactory(programme=programme, title="Maritime security consultation")


def new(for_activity, owner, today, **changes) -> dict:
    return {
        "activity": for_activity.pk,
        "text": "Send the draft memorandum",
        "owner": owner.username,
        "due_date": (today + days(14)).isoformat(),
        **changes,
    }


def test_an_editor_creates_a_follow_up_and_reads_it_back(editor, viewer, activity, today):
    goal = activity.programme.partnership_goals.get(order=2)
    response = token_client(editor).post(
        URL, new(activity, viewer, today, goal=goal.pk), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == "viewer"
    assert body["status"] == "open"
    assert body["goal"] == goal.pk
    assert body["programme"] == activity.programme_id
    assert body["created_by"] == "editor"
    assert body["overdue"] is False
    follow_up = FollowUp.objects.get(pk=body["id"])
    assert follow_up.history.count() == 1
    assert token_client(viewer).get(f"{URL}{follow_up.pk}/").json()["text"] == follow_up.text


def test_a_viewer_cannot_create_nor_change_others_actions(viewer, editor, activity, today):
    api = token_client(viewer)
    assert api.post(URL, new(activity, viewer, today), format="json").status_code == 403
    follow_up = FollowUpFactory(activity=activity, owner=editor)
    response = api.patch(f"{URL}{follow_up.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.status == "open"


def test_an_owner_may_mark_their_own_action_done_and_only_that(viewer, activity, today):
    follow_up = FollowUpFactory(activity=activity, owner=viewer)
    api = token_client(viewer)
    for refused in ({"text": "Changed"}, {"status": "dropped"}, {"status": "done", "text": "x"}):
        assert api.patch(f"{URL}{follow_up.pk}/", refused, format="json").status_code == 403
    response = api.patch(f"{URL}{follow_up.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.updated_by, follow_up.text) == (
        "done",
        viewer,
        "Follow-up action " + follow_up.text.split()[-1],
    )


def test_an_editor_changes_any_field_but_the_activity(editor, viewer, activity, programme, today):
    follow_up = FollowUpFactory(activity=activity, owner=editor)
    api = token_client(editor)
    response = api.patch(
        f"{URL}{follow_up.pk}/",
        {"text": "Circulate the minutes", "owner": "viewer", "status": "dropped"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    follow_up.refresh_from_db()
    assert (follow_up.text, follow_up.owner, follow_up.status) == (
        "Circulate the minutes",
        viewer,
        "dropped",
    )
    other = ActivityFactory(programme=programme)
    response = api.patch(f"{URL}{follow_up.pk}/", {"activity": other.pk}, format="json")
    assert response.status_code == 400
    assert "activity" in response.json()
    assert api.put(f"{URL}{follow_up.pk}/", {}, format="json").status_code == 405
    assert api.delete(f"{URL}{follow_up.pk}/").status_code == 405


def test_bad_input_is_400_naming_each_field_and_writes_nothing(editor, activity, japan, today):
    api = token_client(editor)
    outsider = UserFactory(username="no-role")
    foreign_goal = japan.partnership_goals.first()
    cases = {
        "goal": new(activity, editor, today, goal=foreign_goal.pk),
        "owner": new(activity, outsider, today),
        "due_date": new(activity, editor, today, due_date="31/12/2026"),
        "status": new(activity, editor, today, status="finished"),
        "text": new(activity, editor, today, text=""),
        "activity": new(activity, editor, today, activity=10**12),
        "colour": new(activity, editor, today, colour="red"),
    }
    for field, body in cases.items():
        response = api.post(URL, body, format="json")
        assert response.status_code == 400, field
        assert field in response.json(), (field, response.json())
    assert not FollowUp.objects.exists()


def test_an_owner_must_be_able_to_see_a_restricted_activity(
    editor, manager, viewer, programme, today
):
    secret = ActivityFactory(programme=programme, releasability="restricted")
    api = token_client(manager)
    response = api.post(URL, new(secret, viewer, today), format="json")
    assert response.status_code == 400
    assert "owner" in response.json()
    assert api.post(URL, new(secret, manager, today), format="json").status_code == 201


def test_a_restricted_activitys_actions_do_not_exist_for_those_who_cannot_see_it(
    editor, viewer, manager, programme, today
):
    secret = ActivityFactory(programme=programme, releasability="restricted", title="Covert")
    hidden = FollowUpFactory(activity=secret, owner=manager, text="Zebra hand-over")
    shown = FollowUpFactory(activity=ActivityFactory(programme=programme), owner=viewer)
    for user in (editor, viewer):
        api = token_client(user)
        listed = api.get(URL).json()
        assert [row["id"] for row in listed["results"]] == [shown.pk]
        assert "Zebra" not in str(listed)
        assert api.get(f"{URL}{hidden.pk}/").status_code == 404
        assert api.patch(f"{URL}{hidden.pk}/", {"status": "done"}, format="json").status_code == 404
        # Filtering by the restricted activity's id answers as for an unknown one.
        assert api.get(URL, {"activity": secret.pk}).json()["count"] == 0
        assert api.get(URL, {"activity": 10**12}).json()["count"] == 0
    # Not even its id is accepted to attach a new action to.
    response = token_client(editor).post(URL, new(secret, editor, today), format="json")
    assert response.status_code == 400 and "activity" in response.json()
    assert token_client(manager).get(f"{URL}{hidden.pk}/").status_code == 200


def test_filters(editor, viewer, programme, japan, today):
    goal = programme.partnership_goals.get(order=1)
    first = ActivityFactory(programme=programme)
    second = ActivityFactory(programme=programme)
    overdue = FollowUpFactory(activity=first, owner=viewer, due_date=today - days(3), goal=goal)
    later = FollowUpFactory(activity=first, owner=editor, due_date=today + days(3))
    done = FollowUpFactory(activity=second, owner=viewer, due_date=today - days(9), status="done")
    elsewhere = FollowUpFactory(activity=ActivityFactory(programme=japan), owner=viewer)
    api = token_client(editor)

    def ids(**params) -> list[int]:
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(activity=first.pk) == [overdue.pk, later.pk]
    assert ids(owner="viewer") == [done.pk, overdue.pk, elsewhere.pk]
    assert ids(status="done") == [done.pk]
    assert ids(overdue="true") == [overdue.pk]
    assert overdue.pk not in ids(overdue="false") and done.pk in ids(overdue="false")
    assert ids(goal=goal.pk) == [overdue.pk]
    assert ids(programme=programme.pk) == [done.pk, overdue.pk, later.pk]
    assert ids(programme=programme.pk, owner="viewer", status="open") == [overdue.pk]
    assert api.get(URL, {"owner": "viewer"}).json()["results"][1]["overdue"] is True
    for bad in ({"status": "late"}, {"overdue": "maybe"}, {"goal": "x"}, {"activity": "0"}):
        response = api.get(URL, bad)
        assert response.status_code == 400
        assert set(response.json()) == set(bad)


def test_listing_takes_a_fixed_number_of_queries(editor, programme, django_assert_max_num_queries):
    api = token_client(editor)
    for _ in range(3):
        FollowUpFactory(activity=ActivityFactory(programme=programme), owner=editor)
    api.get(URL)  # warm the permission caches of nothing; each request is fresh anyway
    with django_assert_max_num_queries(9):
        small = api.get(URL)
    for _ in range(10):
        FollowUpFactory(activity=ActivityFactory(programme=programme), owner=UserFactory())
    with django_assert_max_num_queries(9):
        large = api.get(URL)
    assert (small.json()["count"], large.json()["count"]) == (3, 13)
