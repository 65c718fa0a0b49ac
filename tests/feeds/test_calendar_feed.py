"""The iCalendar feed: what it contains, for whom, and what it refuses."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from activities.models import ActivityStatus, Releasability
from feeds.models import CalendarToken, hash_token
from feeds.services import reset_calendar_token
from goals.models import PartnershipGoal
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


def events(response) -> dict[str, dict]:
    """The feed's events by UID, parsed back with icalendar."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(activity) -> str:
    return f"activity-{activity.pk}@itpp-tracker"


def test_the_feed_holds_exactly_the_planned_and_ongoing_activities(feed, editor_token, japan):
    planned = ActivityFactory(programme=japan, status=ActivityStatus.PLANNED)
    ongoing = ActivityFactory(programme=japan, status=ActivityStatus.ONGOING)
    for status in (ActivityStatus.COMPLETED, ActivityStatus.POSTPONED, ActivityStatus.CANCELLED):
        ActivityFactory(programme=japan, status=status)

    assert set(events(feed(editor_token))) == {uid(planned), uid(ongoing)}


def test_an_event_carries_the_activity_as_an_all_day_event(feed, editor_token, japan):
    goals = list(PartnershipGoal.objects.filter(programme=japan).order_by("order")[:2])
    activity = ActivityFactory(
        programme=japan,
        title="Maritime security staff talks; round 3",
        status=ActivityStatus.PLANNED,
        start_date=datetime.date(2026, 3, 9),
        end_date=datetime.date(2026, 3, 11),
        location="Tokyo, Japan",
        goals=goals,
        allies=["FR", "DE"],
        version=3,  # saved three times
    )
    activity.refresh_from_db()
    one_day = ActivityFactory(
        programme=japan, status=ActivityStatus.ONGOING, start_date=datetime.date(2026, 4, 1)
    )

    found = events(feed(editor_token))
    event = found[uid(activity)]
    assert str(event["SUMMARY"]) == "Maritime security staff talks; round 3"
    assert event.decoded("DTSTART") == datetime.date(2026, 3, 9)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    # DTEND is exclusive: the day after the last day.
    assert event.decoded("DTEND") == datetime.date(2026, 3, 12)
    assert str(event["LOCATION"]) == "Tokyo, Japan"
    assert event["SEQUENCE"] == 3
    # iCalendar times have whole seconds.
    assert event.decoded("LAST-MODIFIED") == activity.updated_at.replace(microsecond=0)
    assert event.decoded("DTSTAMP") == activity.updated_at.replace(microsecond=0)
    description = str(event["DESCRIPTION"])
    assert "Type: Policy consultation" in description
    assert "Status: Planned" in description
    for goal in goals:
        assert goal.title in description
    assert "Allies: France, Germany" in description
    assert f"http://testserver/activities/{activity.pk}/" in description
    assert str(event["URL"]) == f"http://testserver/activities/{activity.pk}/"

    assert found[uid(one_day)].decoded("DTEND") == datetime.date(2026, 4, 2)
    assert "LOCATION" not in found[uid(one_day)]


def test_a_restricted_activity_is_only_in_the_feed_of_those_allowed_to_see_it(
    feed, editor_token, manager, japan
):
    restricted = ActivityFactory(
        programme=japan, status=ActivityStatus.PLANNED, releasability=Releasability.RESTRICTED
    )
    internal = ActivityFactory(programme=japan, status=ActivityStatus.PLANNED)

    assert set(events(feed(editor_token))) == {uid(internal)}
    manager_token = reset_calendar_token(manager)
    assert set(events(feed(manager_token))) == {uid(internal), uid(restricted)}


def test_every_event_carries_its_releasability(feed, manager, japan):
    """In words in the description, and as RFC 5545's CLASS, which calendar applications
    use to hide the details of a private or confidential event from those it is shared with."""
    made = {
        releasability: ActivityFactory(
            programme=japan, status=ActivityStatus.PLANNED, releasability=releasability
        )
        for releasability in Releasability.values
    }
    found = events(feed(reset_calendar_token(manager)))
    expected = {"public": "PUBLIC", "internal": "PRIVATE", "restricted": "CONFIDENTIAL"}
    for releasability, activity in made.items():
        event = found[uid(activity)]
        assert str(event["CLASS"]) == expected[releasability]
        label = activity.get_releasability_display()
        assert f"Releasability: {label}" in str(event["DESCRIPTION"])


def test_the_public_feed_holds_only_public_activities(feed, manager, japan):
    public = ActivityFactory(
        programme=japan, status=ActivityStatus.PLANNED, releasability=Releasability.PUBLIC
    )
    ActivityFactory(programme=japan, status=ActivityStatus.PLANNED)
    ActivityFactory(
        programme=japan, status=ActivityStatus.PLANNED, releasability=Releasability.RESTRICTED
    )
    token = reset_calendar_token(manager)
    assert set(events(feed(token, releasability="public"))) == {uid(public)}


def test_goal_and_ally_filters_match_the_activity_list(feed, editor_token, japan):
    first, second, third = PartnershipGoal.objects.filter(programme=japan).order_by("order")[:3]
    french = ActivityFactory(
        programme=japan, status=ActivityStatus.PLANNED, goals=[first], allies=["FR"]
    )
    german = ActivityFactory(
        programme=japan, status=ActivityStatus.PLANNED, goals=[second], allies=["DE"]
    )
    both = ActivityFactory(
        programme=japan, status=ActivityStatus.ONGOING, goals=[first, third], allies=["FR", "DE"]
    )

    assert set(events(feed(editor_token, goal=first.pk))) == {uid(french), uid(both)}
    # Repeated: any of them, as on the list page.
    assert set(events(feed(editor_token, goal=[second.pk, third.pk]))) == {uid(german), uid(both)}
    assert set(events(feed(editor_token, ally="DE"))) == {uid(german), uid(both)}
    assert set(events(feed(editor_token, ally=["FR", "DE"]))) == {
        uid(french),
        uid(german),
        uid(both),
    }
    assert set(events(feed(editor_token, goal=first.pk, ally="DE"))) == {uid(both)}


@pytest.mark.parametrize(
    "filters", [{"goal": "abc"}, {"goal": "999999"}, {"ally": "XX"}, {"ally": "fr'--"}]
)
def test_a_bad_filter_is_refused_with_400(feed, editor_token, japan, filters):
    ActivityFactory(programme=japan, status=ActivityStatus.PLANNED)
    response = feed(editor_token, **filters)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert b"BEGIN:VCALENDAR" not in response.content
    assert next(iter(filters)).encode() in response.content


def test_a_missing_or_unknown_token_gets_nothing(client, feed, editor_token, japan):
    ActivityFactory(programme=japan, status=ActivityStatus.PLANNED, title="Secret talks")
    for response in [
        client.get("/calendar.ics"),
        feed(""),
        feed("not-a-token"),
        feed(editor_token[:-1]),
        # The stored hash is not a key either.
        feed(hash_token(editor_token)),
    ]:
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/plain")
        assert b"Secret talks" not in response.content


def test_a_reset_token_stops_working_at_once(feed, editor, editor_token, japan):
    ActivityFactory(programme=japan, status=ActivityStatus.PLANNED)
    assert feed(editor_token).status_code == 200

    new_token = reset_calendar_token(editor)

    assert feed(editor_token).status_code == 404
    assert feed(new_token).status_code == 200
    assert CalendarToken.objects.filter(user=editor).count() == 1


def test_a_revoked_token_stops_working(feed, editor, editor_token):
    CalendarToken.objects.filter(user=editor).delete()
    assert feed(editor_token).status_code == 404


def test_the_token_is_stored_only_as_its_hash(editor, editor_token):
    stored = CalendarToken.objects.get(user=editor)
    assert stored.token_hash == hash_token(editor_token) != editor_token
    assert len(editor_token) >= 43  # 32 random bytes


@pytest.mark.parametrize("change", ["deactivate", "remove_role"])
def test_a_user_who_lost_access_gets_nothing(feed, editor, editor_token, japan, change):
    ActivityFactory(programme=japan, status=ActivityStatus.PLANNED, title="Secret talks")
    if change == "deactivate":
        editor.is_active = False
        editor.save()
    else:
        editor.groups.clear()

    response = feed(editor_token)
    assert response.status_code == 403
    assert b"Secret talks" not in response.content


def test_a_user_without_a_role_gets_nothing_even_with_a_token(feed, japan):
    nobody = UserFactory(username="nobody")
    ActivityFactory(programme=japan, status=ActivityStatus.PLANNED)
    assert feed(reset_calendar_token(nobody)).status_code == 403


def test_every_role_can_read_the_feed(feed, japan):
    ActivityFactory(programme=japan, status=ActivityStatus.PLANNED)
    for group in Group.objects.all():
        user = UserFactory(username=f"member of {group.name}", roles=[group.name])
        assert len(events(feed(reset_calendar_token(user)))) == 1, group.name


def test_reading_the_feed_records_when_it_was_used(feed, editor, editor_token):
    assert CalendarToken.objects.get(user=editor).last_used_at is None
    feed(editor_token)
    assert CalendarToken.objects.get(user=editor).last_used_at is not None


def test_the_feed_needs_no_session_and_ignores_one(client, feed, manager, editor_token, japan):
    restricted = ActivityFactory(
        programme=japan, status=ActivityStatus.PLANNED, releasability=Releasability.RESTRICTED
    )
    # A manager's browser session does not widen what an editor's link shows.
    client.force_login(manager)
    assert uid(restricted) not in events(feed(editor_token))


def feed_queries(client, token: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/calendar.ics", {"token": token, "ally": ["FR", "DE"]})
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_number_of_activities(client, editor_token, japan):
    goals = list(PartnershipGoal.objects.filter(programme=japan).order_by("order")[:2])

    def add(count: int) -> None:
        for _ in range(count):
            ActivityFactory(
                programme=japan, status=ActivityStatus.PLANNED, goals=goals, allies=["FR", "DE"]
            )

    add(5)
    few = feed_queries(client, editor_token)
    add(45)
    many = feed_queries(client, editor_token)
    assert len(events(client.get("/calendar.ics", {"token": editor_token}))) == 50
    assert few == many
