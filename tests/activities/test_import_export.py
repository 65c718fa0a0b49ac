"""Spreadsheets of past activities come in through the admin's import, with a preview;
an invalid row is shown with its errors and nothing is saved until every row is valid."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Activity
from activities.resources import ActivityResource
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "id",
    "programme",
    "title",
    "activity_type",
    "status",
    "start_date",
    "end_date",
    "location",
    "goals",
    "objectives",
    "allies",
    "lead_organisation",
    "participants",
    "women_participants",
    "description",
    "outcome",
]


def row(japan, **values) -> list:
    defaults = {
        "id": "",
        "programme": japan.pk,
        "title": "Cyber defence staff talks",
        "activity_type": "consultation",
        "status": "completed",
        "start_date": "2024-03-05",
        "end_date": "",
        "location": "Brussels",
        "goals": "Cyber Defence; Women, Peace and Security",
        "objectives": "1,2",
        "allies": "FR, EE",
        "lead_organisation": "NATO IS",
        "participants": "30",
        "women_participants": "12",
        "description": "",
        "outcome": "Agreed to exchange threat information.",
    }
    defaults.update(values)
    return [defaults[column] for column in HEADER]


def csv_upload(*rows) -> SimpleUploadedFile:
    dataset = tablib.Dataset(*rows, headers=HEADER)
    return SimpleUploadedFile("activities.csv", dataset.export("csv").encode(), "text/csv")


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
        ({"allies": "FR, JP"}, "allies"),
        ({"objectives": "7"}, "objectives"),
        ({"end_date": "2024-03-01"}, "end_date"),
        ({"women_participants": "31"}, "women_participants"),
        ({"status": "done"}, "status"),
        ({"programme": "999999"}, "programme"),
    ],
)
def test_resource_reports_invalid_row_on_its_field(japan, superuser, values, field):
    dataset = tablib.Dataset(row(japan, title="Good row"), row(japan, **values), headers=HEADER)
    result = ActivityResource().import_data(dataset, dry_run=True, user=superuser)
    invalid = result.invalid_rows
    assert len(invalid) == 1, [r.error_dict for r in invalid]
    assert field in invalid[0].error_dict
    assert not Activity.objects.exists()


def test_admin_import_previews_then_saves_valid_file(client, superuser, japan):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:activities_activity_import"),
        {
            "import_file": csv_upload(row(japan), row(japan, title="Maritime staff talks")),
            "format": "0",
            "resource": "0",
        },
    )
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    assert confirm is not None
    assert not Activity.objects.exists()  # the preview saves nothing

    response = client.post(
        reverse("admin:activities_activity_process_import"), confirm.initial, follow=True
    )
    assert response.status_code == 200
    assert Activity.objects.count() == 2


def test_admin_import_with_an_invalid_row_shows_errors_and_saves_nothing(client, superuser, japan):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:activities_activity_import"),
        {
            "import_file": csv_upload(row(japan), row(japan, goals="No Such Goal")),
            "format": "0",
            "resource": "0",
        },
    )
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert "Unknown Partnership Goal: No Such Goal." in response.content.decode()
    assert not Activity.objects.exists()


def test_export_round_trips_through_import(japan, superuser):
    original = ActivityFactory(
        programme=japan,
        goals=list(japan.partnership_goals.filter(order__in=[7, 15])),
        allies=["PL"],
    )
    exported = ActivityResource().export(Activity.objects.with_related())
    assert exported.dict[0]["goals"] == (
        "Arms Control, Disarmament and Non-Proliferation;Women, Peace and Security"
    )
    Activity.objects.all().delete()
    exported.dict  # noqa: B018  (materialise before re-import)
    data = tablib.Dataset(headers=exported.headers)
    for values in exported.dict:
        values = dict(values, id="")
        data.append([values[h] for h in exported.headers])
    result = ActivityResource().import_data(data, dry_run=False, user=superuser)
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    copy = Activity.objects.get()
    assert copy.title == original.title
    assert set(copy.goals.values_list("order", flat=True)) == {7, 15}
