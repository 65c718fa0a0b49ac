"""After-action reports: an activity whose end date (or start date, when it has none) has
passed while it is still planned or ongoing is due for a report; completing one that has
ended asks for its outcome, through every door (model clean)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import Activity, ActivityStatus
from tests.api.conftest import token_client
from tests.factories import ActivityFactory, edit_form_data, running_programme

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def programme(db):
    return running_programme(goals=1)


def test_the_rule_on_its_edges(programme):
    today = timezone.localdate()
    cases = {
        # (status, start, end) -> due?
        ("planned", today - DAY, None): True,
        ("ongoing", today - 9 * DAY, today - DAY): True,
        ("planned", today, None): False,  # its day is today: not passed yet
        ("ongoing", today - 9 * DAY, today): False,
        ("ongoing", today - 9 * DAY, today + DAY): False,  # started, not ended
        ("completed", today - 9 * DAY, today - DAY): False,
        ("cancelled", today - DAY, None): False,
        ("postponed", today - DAY, None): False,
    }
    made = {
        key: ActivityFactory(programme=programme, status=key[0], start_date=key[1], end_date=key[2])
        for key in cases
    }
    due = set(Activity.objects.report_due(today).values_list("pk", flat=True))
    for key, expected in cases.items():
        assert made[key].is_report_due(today) is expected, key
        assert (made[key].pk in due) is expected, key


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    status=st.sampled_from(ActivityStatus.values),
    start=st.dates(datetime.date(2023, 1, 1), datetime.date(2026, 12, 31)),
    length=st.one_of(st.none(), st.integers(0, 60)),
    today=st.dates(datetime.date(2023, 1, 1), datetime.date(2027, 3, 1)),
)
def test_the_model_and_the_query_agree(japan, status, start, length, today):
    end = None if length is None else start + length * DAY
    activity = Activity(status=status, start_date=start, end_date=end)
    last = end or start
    expected = status in ("planned", "ongoing") and last < today
    assert activity.is_report_due(today) is expected
    Activity.objects.filter(title="hypothesis").delete()
    saved = ActivityFactory(
        programme=japan, title="hypothesis", status=status, start_date=start, end_date=end
    )
    assert Activity.objects.report_due(today).filter(pk=saved.pk).exists() is expected


def test_the_list_and_the_api_filter_report_due(client, editor, programme):
    today = timezone.localdate()
    ActivityFactory(
        programme=programme, title="Overdue talks", status="planned", start_date=today - DAY
    )
    ActivityFactory(
        programme=programme,
        title="Reported talks",
        status="completed",
        start_date=today - DAY,
        outcome="Agreed.",
    )
    ActivityFactory(
        programme=programme, title="Coming talks", status="planned", start_date=today + DAY
    )
    client.force_login(editor)
    page = client.get(reverse("activities:list"), {"report_due": "true"}).content.decode()
    assert "Overdue talks" in page
    assert "Reported talks" not in page and "Coming talks" not in page
    api = token_client(editor)
    titles = [
        row["title"]
        for row in api.get("/api/v1/activities/", {"report_due": "true"}).data["results"]
    ]
    assert titles == ["Overdue talks"]
    others = api.get("/api/v1/activities/", {"report_due": "false", "programme": programme.pk})
    assert sorted(row["title"] for row in others.data["results"]) == [
        "Coming talks",
        "Reported talks",
    ]
    csv = b"".join(
        client.get(reverse("activities:export"), {"report_due": "true"}).streaming_content
    )
    assert b"Overdue talks" in csv and b"Coming talks" not in csv


def test_the_page_says_a_report_is_due(client, viewer, programme):
    today = timezone.localdate()
    due = ActivityFactory(
        programme=programme, status="ongoing", start_date=today - 5 * DAY, end_date=today - DAY
    )
    done = ActivityFactory(
        programme=programme, status="completed", start_date=today - 5 * DAY, end_date=today - DAY
    )
    client.force_login(viewer)
    assert 'id="report-due"' in client.get(due.get_absolute_url()).content.decode()
    assert 'id="report-due"' not in client.get(done.get_absolute_url()).content.decode()


def test_completing_an_ended_activity_needs_its_outcome(programme):
    today = timezone.localdate()
    activity = ActivityFactory(programme=programme, status="planned", start_date=today - DAY)
    activity = Activity.objects.get(pk=activity.pk)
    activity.status = "completed"
    with pytest.raises(ValidationError) as error:
        activity.full_clean()
    assert list(error.value.message_dict) == ["outcome"]
    activity.outcome = "   "
    with pytest.raises(ValidationError):
        activity.full_clean()
    activity.outcome = "A joint statement on cyber defence."
    activity.full_clean()


def test_no_outcome_is_asked_where_nothing_is_being_completed(programme):
    today = timezone.localdate()
    # Completed already (an edit of something else), or not ended yet, or a new record.
    completed = Activity.objects.get(
        pk=ActivityFactory(programme=programme, status="completed", start_date=today - DAY).pk
    )
    completed.title = "Renamed"
    completed.full_clean()
    running = Activity.objects.get(
        pk=ActivityFactory(
            programme=programme, status="ongoing", start_date=today - DAY, end_date=today + DAY
        ).pk
    )
    running.status = "completed"
    running.full_clean()
    new = Activity(
        programme=programme,
        title="Logged after",
        activity_type="visit",
        status="completed",
        start_date=today - DAY,
    )
    new.full_clean()


def test_the_edit_page_and_the_api_ask_for_the_outcome(client, editor, programme):
    today = timezone.localdate()
    activity = ActivityFactory(programme=programme, status="planned", start_date=today - DAY)
    client.force_login(editor)
    url = reverse("activities:update", args=[activity.pk])
    response = client.post(url, edit_form_data(activity, status="completed", outcome=""))
    assert response.status_code == 200
    assert "outcome" in response.context["form"].errors
    assert Activity.objects.get(pk=activity.pk).status == "planned"
    api = token_client(editor)
    refused = api.patch(
        f"/api/v1/activities/{activity.pk}/", {"status": "completed"}, format="json"
    )
    assert refused.status_code == 400 and "outcome" in refused.data
    accepted = api.patch(
        f"/api/v1/activities/{activity.pk}/",
        {"status": "completed", "outcome": "Both sides agreed a work plan."},
        format="json",
    )
    assert accepted.status_code == 200
    assert not Activity.objects.get(pk=activity.pk).is_report_due()
