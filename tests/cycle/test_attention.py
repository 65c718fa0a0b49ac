"""What needs attention (page and API) and "My work": each list with its days, within the
programme and the reader's visibility, in a fixed number of queries."""

import datetime

import pytest
from django.utils import timezone

from cycle.attention import year_before
from tests.api.conftest import token_client
from tests.cycle.conftest import days
from tests.factories import ActivityFactory, FollowUpFactory, UserFactory, running_programme

pytestmark = pytest.mark.django_db

API = "/api/v1/attention/"


def approved(**fields):
    """An approved activity unless said otherwise: only the records a test puts in a review
    state are awaiting review or returned."""
    return ActivityFactory(**{"review_state": "approved", **fields})


def at(today: datetime.date, days_ago: int) -> datetime.datetime:
    """Noon, `days_ago` days before today, on the programme's clock."""
    moment = datetime.datetime.combine(today - days(days_ago), datetime.time(12))
    return timezone.make_aware(moment)


@pytest.fixture
def scene(programme, editor, viewer, manager, today):
    """One record of each kind in `programme`, and its restricted twin."""
    first, second, third = programme.partnership_goals.order_by("order")
    author = editor
    ended = approved(
        programme=programme,
        title="Ended workshop",
        status="ongoing",
        start_date=today - days(12),
        end_date=today - days(10),
        goals=[first],
        created_by=author,
    )
    one_day = approved(
        programme=programme,
        title="One-day visit",
        status="planned",
        start_date=today - days(4),
        goals=[first],
        created_by=author,
    )
    approved(  # not due: completed
        programme=programme, title="Reported exercise", start_date=today - days(30)
    )
    approved(  # not due: ends today
        programme=programme, title="Running course", status="ongoing", start_date=today
    )
    submitted = approved(
        programme=programme,
        title="Submitted training",
        review_state="submitted",
        review_changed_at=at(today, 6),
        start_date=today - days(40),
        created_by=author,
    )
    returned = approved(
        programme=programme,
        title="Returned conference",
        review_state="returned",
        review_comment="Add the participants.",
        review_changed_at=at(today, 2),
        start_date=today - days(50),
        created_by=author,
    )
    action = FollowUpFactory(
        activity=ended, owner=viewer, text="Send the minutes", due_date=today - days(5)
    )
    FollowUpFactory(activity=ended, owner=viewer, text="Not yet due", due_date=today)
    FollowUpFactory(
        activity=ended, owner=viewer, text="Done late", status="done", due_date=today - days(20)
    )
    # Second goal: its only activity is 13 months old. Third: a restricted recent one only.
    approved(programme=programme, goals=[second], start_date=today - days(400))
    secret = approved(
        programme=programme,
        title="Restricted talks",
        releasability="restricted",
        status="planned",
        start_date=today - days(3),
        goals=[third],
        review_state="submitted",
    )
    FollowUpFactory(
        activity=secret, owner=manager, text="Restricted hand-over", due_date=today - days(1)
    )
    # Another programme's records are not listed.
    elsewhere = running_programme(goals=1)
    approved(programme=elsewhere, title="Elsewhere", status="planned", start_date=today - days(3))
    return {
        "ended": ended,
        "one_day": one_day,
        "submitted": submitted,
        "returned": returned,
        "action": action,
        "goals": (first, second, third),
        "secret": secret,
    }


def test_the_api_lists_each_kind_with_its_days(editor, programme, scene, today):
    response = token_client(editor).get(API, {"programme": programme.pk})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "reports_due",
        "awaiting_review",
        "returned",
        "overdue_follow_ups",
        "quiet_goals",
    }
    assert [(r["id"], r["days_overdue"]) for r in body["reports_due"]] == [
        (scene["ended"].pk, 10),
        (scene["one_day"].pk, 4),
    ]
    assert [(r["id"], r["age_days"]) for r in body["awaiting_review"]] == [
        (scene["submitted"].pk, 6)
    ]
    assert [(r["id"], r["age_days"], r["review_comment"]) for r in body["returned"]] == [
        (scene["returned"].pk, 2, "Add the participants.")
    ]
    assert [(r["id"], r["days_overdue"], r["owner"]) for r in body["overdue_follow_ups"]] == [
        (scene["action"].pk, 5, "viewer")
    ]
    _, second, third = scene["goals"]
    quiet = {row["id"]: row["last_activity"] for row in body["quiet_goals"]}
    # The third goal's only recent activity is restricted: for an Editor it is quiet.
    assert quiet == {second.pk: (today - days(400)).isoformat(), third.pk: None}
    assert "Restricted" not in response.content.decode()


def test_a_manager_sees_the_restricted_records_too(manager, programme, scene, today):
    body = token_client(manager).get(API, {"programme": programme.pk}).json()
    assert scene["secret"].pk in [r["id"] for r in body["reports_due"]]
    assert scene["secret"].pk in [r["id"] for r in body["awaiting_review"]]
    assert "Restricted hand-over" in [r["text"] for r in body["overdue_follow_ups"]]
    assert scene["goals"][2].pk not in [g["id"] for g in body["quiet_goals"]]


def test_the_current_programme_is_the_default_and_bad_ids_are_400(editor, japan, today):
    api = token_client(editor)
    running = running_programme(goals=1)  # the current one: its years hold today
    approved(programme=running, title="Owed report", status="planned", start_date=today - days(2))
    body = api.get(API).json()
    assert [r["title"] for r in body["reports_due"]] == ["Owed report"]
    assert api.get(API, {"programme": ""}).json() == body
    for bad in ("abc", "0", str(10**30), "999999"):
        response = api.get(API, {"programme": bad})
        assert response.status_code == 400, bad
        assert list(response.json()) == ["programme"]


def test_reading_attention_needs_a_role(programme):
    assert token_client(UserFactory()).get(API).status_code == 403


def test_a_goal_with_a_recent_activity_is_not_quiet_and_a_year_ago_is(programme, editor, today):
    first, second, third = programme.partnership_goals.order_by("order")
    approved(programme=programme, goals=[first], start_date=year_before(today) + days(1))
    approved(programme=programme, goals=[second], start_date=year_before(today))
    approved(programme=programme, goals=[third], start_date=today - days(5), status="cancelled")
    body = token_client(editor).get(API, {"programme": programme.pk}).json()
    assert [g["id"] for g in body["quiet_goals"]] == [second.pk, third.pk]


def test_year_before_handles_the_leap_day():
    assert year_before(datetime.date(2028, 2, 29)) == datetime.date(2027, 2, 28)
    assert year_before(datetime.date(2027, 6, 1)) == datetime.date(2026, 6, 1)


def test_the_page_shows_each_list_with_its_days(client, editor, programme, scene):
    client.force_login(editor)
    page = client.get("/attention/", {"programme": programme.pk}).content.decode()
    for text in (
        "Ended workshop",
        "10 days overdue",
        "One-day visit",
        "Submitted training",
        "waiting 6 days",
        "Returned conference",
        "Add the participants.",
        "Send the minutes",
        "5 days overdue",
        scene["goals"][1].title,
    ):
        assert text in page, text
    assert "Restricted" not in page
    assert "Not yet due" not in page and "Done late" not in page


def test_the_staff_menu_links_both_pages(client, viewer, programme):
    client.force_login(viewer)
    page = client.get("/").content.decode()
    assert 'href="/attention/"' in page and 'href="/me/"' in page


def test_attention_takes_a_fixed_number_of_queries(
    client, editor, programme, today, django_assert_max_num_queries
):
    client.force_login(editor)
    api = token_client(editor)

    def add_records(n: int) -> None:
        for i in range(n):
            author = UserFactory(roles=["Editors"])
            activity = approved(
                programme=programme,
                status="planned",
                start_date=today - days(i + 1),
                created_by=author,
                review_state="returned",
                review_changed_at=at(today, 1),
            )
            FollowUpFactory(activity=activity, owner=author, due_date=today - days(1))

    add_records(2)
    with django_assert_max_num_queries(14):
        client.get("/attention/", {"programme": programme.pk})
    with django_assert_max_num_queries(12):
        api.get(API, {"programme": programme.pk})
    add_records(12)
    with django_assert_max_num_queries(14):
        page = client.get("/attention/", {"programme": programme.pk})
    with django_assert_max_num_queries(12):
        body = api.get(API, {"programme": programme.pk}).json()
    assert len(body["overdue_follow_ups"]) == 14
    assert page.content.decode().count("1 day overdue") >= 14


def test_my_work_lists_my_drafts_returned_records_and_open_actions(
    client, editor, programme, today, django_assert_max_num_queries
):
    other = UserFactory(roles=["Editors"])
    approved(programme=programme, title="My draft", review_state="draft", created_by=editor)
    approved(programme=programme, title="Their draft", review_state="draft", created_by=other)
    approved(
        programme=programme,
        title="My returned record",
        review_state="returned",
        review_comment="Which Allies?",
        created_by=editor,
    )
    activity = approved(programme=programme, title="Some consultation")
    FollowUpFactory(
        activity=activity, owner=editor, text="My overdue action", due_date=today - days(2)
    )
    FollowUpFactory(activity=activity, owner=editor, text="My finished action", status="done")
    FollowUpFactory(activity=activity, owner=other, text="Their action")
    client.force_login(editor)
    with django_assert_max_num_queries(12):
        page = client.get("/me/").content.decode()
    for text in ("My draft", "My returned record", "Which Allies?", "My overdue action", "Overdue"):
        assert text in page, text
    for text in ("Their draft", "My finished action", "Their action"):
        assert text not in page, text
