"""An activity's dates fall within its programme's years (the NATO–Japan ITPP runs
2023–2026): one rule in `Activity.clean()`, so the pages, the API and the demo data all
keep to it, with a message on the date concerned."""

import datetime

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import Activity
from tests.api.conftest import token_client
from tests.factories import ActivityFactory, edit_form_data

pytestmark = pytest.mark.django_db

MESSAGE = "Choose a date within the programme's years: 2023 to 2026."


def new_page_activity(japan, **changes) -> dict:
    goal = japan.partnership_goals.order_by("order").first()
    return {
        "programme": japan.pk,
        "title": "Staff talks",
        "activity_type": "consultation",
        "status": "planned",
        "start_date": "2025-03-01",
        "goals": [goal.pk],
        **changes,
    }


@pytest.mark.parametrize(
    ("start", "end", "errors"),
    [
        ("1999-06-01", None, {"start_date"}),
        ("2022-12-31", None, {"start_date"}),
        ("2027-01-01", None, {"start_date"}),
        ("2026-12-20", "2027-01-05", {"end_date"}),
    ],
)
def test_dates_outside_the_programme_get_a_field_error(japan, start, end, errors):
    activity = ActivityFactory.build(
        programme=japan,
        status="planned",
        start_date=datetime.date.fromisoformat(start),
        end_date=end and datetime.date.fromisoformat(end),
    )
    with pytest.raises(ValidationError) as raised:
        activity.full_clean(exclude=["goals"])
    assert raised.value.message_dict == {name: [MESSAGE] for name in errors}


def test_the_first_and_last_day_of_the_programme_are_within_it(japan):
    ActivityFactory.build(
        programme=japan,
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2026, 12, 31),
    ).full_clean()


def test_the_new_activity_page_refuses_a_date_outside_the_programme(client, editor, japan):
    client.force_login(editor)
    response = client.post(
        reverse("activities:create"), new_page_activity(japan, start_date="1999-05-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["start_date"] == [MESSAGE]
    assert not Activity.objects.exists()


def test_the_edit_page_refuses_an_end_date_after_the_programme(client, editor, japan):
    activity = ActivityFactory(programme=japan, title="Before")
    client.force_login(editor)
    data = edit_form_data(activity, title="After", end_date="2031-01-01")
    response = client.post(reverse("activities:update", args=[activity.pk]), data)
    assert response.context["form"].errors["end_date"] == [MESSAGE]
    assert Activity.objects.get(pk=activity.pk).title == "Before"


def test_the_api_answers_400_on_the_date(editor, japan):
    valid = {
        "title": "Cyber defence table-top exercise",
        "activity_type": "exercise",
        "start_date": "2025-03-04",
        "goals": [japan.partnership_goals.order_by("order").first().pk],
    }
    api = token_client(editor)
    response = api.post("/api/v1/activities/", {**valid, "start_date": "1999-01-01"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"start_date": [MESSAGE]}
    assert not Activity.objects.exists()
    activity = api.post("/api/v1/activities/", valid, format="json").json()
    patched = api.patch(
        f"/api/v1/activities/{activity['id']}/", {"end_date": "2027-02-01"}, format="json"
    )
    assert patched.status_code == 400
    assert patched.json() == {"end_date": [MESSAGE]}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    start=st.dates(datetime.date(1990, 1, 1), datetime.date(2040, 12, 31)),
    days=st.integers(0, 800),
)
def test_a_date_is_refused_exactly_when_outside_the_programme_years(japan, start, days):
    end = start + datetime.timedelta(days=days)
    errors = ActivityFactory.build(programme=japan, start_date=start, end_date=end).date_errors()
    assert ("start_date" in errors) == (start.year not in japan.years)
    assert ("end_date" in errors) == (end.year not in japan.years)


def test_the_import_reports_a_date_outside_the_programme_on_its_row(japan, superuser):
    # The spreadsheet helpers of the import tests, so the row follows the import format.
    from activities.resources import ActivityResource
    from tests.activities.test_import_export import HEADER, row

    dataset = tablib.Dataset(
        row(japan, title="Good row"), row(japan, start_date="1999-03-05"), headers=HEADER
    )
    result = ActivityResource().import_data(dataset, dry_run=True, user=superuser)
    assert [r.error_dict for r in result.invalid_rows] == [{"start_date": [MESSAGE]}]
    assert not Activity.objects.exists()
