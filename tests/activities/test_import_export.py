"""Spreadsheets of past activities come in through the admin's import, with a preview;
an invalid row is shown with its errors and nothing is saved until every row is valid."""

import pytest
import tablib

from activities.models import Activity
from activities.resources import ActivityResource
from tests.activities.importing import HEADER, confirm, csv_bytes, preview, row
from tests.factories import ActivityFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_resource_imports_a_valid_row_with_its_links(japan, superuser):
    dataset = tablib.Dataset(row(japan), headers=HEADER)
    result = ActivityResource().import_data(dataset, dry_run=False, user=superuser)
    assert not result.has_errors() and not result.has_validation_errors()
    activity = Activity.objects.get()
    assert sorted(activity.goals.values_list("title", flat=True)) == [
        "Cyber Defence",
        "Women, Peace and Security",
    ]
    assert sorted(activity.allies.values_list("code", flat=True)) == ["EE", "FR"]
    assert sorted(activity.objectives.values_list("number", flat=True)) == [1, 2]
    assert activity.created_by == superuser


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"goals": "Cyber Defence; Underwater Basket Weaving"}, "goals"),
        ({"goals": ""}, "goals"),
        ({"allies": "FR; JP"}, "allies"),
        ({"objectives": "7"}, "objectives"),
        ({"end_date": "2024-03-01"}, "end_date"),
        ({"women_participants": "31"}, "women_participants"),
        ({"status": "done"}, "status"),
        ({"programme": "999999"}, "programme"),
        ({"programme": "No such programme"}, "programme"),
        ({"participants": "thirty"}, "participants"),
        ({"id": "999999"}, "id"),
    ],
)
def test_resource_reports_invalid_row_on_its_field(japan, superuser, values, field):
    dataset = tablib.Dataset(row(japan, title="Good row"), row(japan, **values), headers=HEADER)
    result = ActivityResource().import_data(dataset, dry_run=True, user=superuser)
    invalid = result.invalid_rows
    assert len(invalid) == 1, [r.error_dict for r in invalid]
    assert invalid[0].number == 2
    assert field in invalid[0].error_dict
    assert not Activity.objects.exists()


def test_programme_may_be_given_by_id_too(japan, superuser):
    dataset = tablib.Dataset(row(japan, programme=str(japan.pk)), headers=HEADER)
    result = ActivityResource().import_data(dataset, dry_run=False, user=superuser)
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert Activity.objects.get().programme == japan


def test_admin_import_previews_then_saves_valid_file(client, superuser, japan):
    client.force_login(superuser)
    response = preview(client, csv_bytes(row(japan), row(japan, title="Maritime staff talks")))
    assert response.status_code == 200
    assert not Activity.objects.exists()  # the preview saves nothing
    response = confirm(client, response)
    assert response.status_code == 200
    assert Activity.objects.count() == 2
    assert "Import finished: 2 new" in response.content.decode()


def test_admin_import_with_an_invalid_row_shows_errors_and_saves_nothing(client, superuser, japan):
    client.force_login(superuser)
    response = preview(client, csv_bytes(row(japan), row(japan, goals="No Such Goal")))
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert "Unknown Partnership Goal: No Such Goal." in response.content.decode()
    assert not Activity.objects.exists()


def test_admin_export_round_trips_through_import(japan, superuser):
    original = ActivityFactory(
        programme=japan,
        goals=list(japan.partnership_goals.filter(order__in=[7, 15])),
        allies=["PL"],
    )
    exported = ActivityResource().export(Activity.objects.with_related())
    assert exported.dict[0]["goals"] == (
        "Arms Control, Disarmament and Non-Proliferation; Women, Peace and Security"
    )
    Activity.objects.all().delete()
    data = tablib.Dataset(headers=exported.headers)
    for values in exported.dict:
        values = dict(values, id="")
        data.append([values[h] for h in exported.headers])
    result = ActivityResource().import_data(data, dry_run=False, user=superuser)
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    copy = Activity.objects.get()
    assert copy.title == original.title
    assert set(copy.goals.values_list("order", flat=True)) == {7, 15}


def test_moving_an_activity_to_another_programme_checks_the_links_it_keeps(japan, superuser):
    other = ProgrammeFactory()
    activity = ActivityFactory(programme=japan)
    dataset = tablib.Dataset([activity.pk, str(other)], headers=["id", "programme"])
    result = ActivityResource().import_data(dataset, dry_run=True, user=superuser)
    assert [r.error_dict for r in result.invalid_rows] == [
        {"goals": [f"Choose only goals of the programme “{other}”."]}
    ]
