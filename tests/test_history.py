"""Every change to activities and the framework is recorded: who, when, through what, and
what changed (links included); a deleted activity can be brought back."""

import re
from pathlib import Path

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Activity
from goals.models import PartnershipGoal
from itpp.history import change_log, history_batch, restorable_version
from tests.activities.test_admin import activity_form_data
from tests.activities.test_import_export import HEADER, row
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def goal_ids(japan, *orders: int) -> list[int]:
    return list(
        PartnershipGoal.objects.filter(programme=japan, order__in=orders)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def test_admin_edit_is_one_readable_entry_with_old_and_new_values(admin_client, japan):
    admin_client.post(reverse("admin:activities_activity_add"), activity_form_data(japan))
    activity = Activity.objects.get()
    first_goal = goal_ids(japan, 1)
    edited = activity_form_data(
        japan,
        title="Renamed exercise",
        goals=goal_ids(japan, 1, 6),
        allies=["FR", "IT"],
        version=activity.version,  # the admin's form carries the version it was opened with
    )
    response = admin_client.post(
        reverse("admin:activities_activity_change", args=[activity.pk]), edited
    )
    assert response.status_code == 302

    log = change_log(activity.history.all())
    assert [entry["action"] for entry in log] == ["changed", "created"]
    changed = log[0]
    assert changed["user"] == "root"
    assert changed["channel"] == "admin"
    assert changed["changes"] == {
        "title": {
            "old": "Table-top exercise on cyber incident response",
            "new": "Renamed exercise",
        },
        "goals": {"old": first_goal, "new": goal_ids(japan, 1, 6)},
        "allies": {"old": ["FR"], "new": ["FR", "IT"]},
    }
    created = log[1]["changes"]
    assert created["title"] == {"old": None, "new": "Table-top exercise on cyber incident response"}
    assert created["start_date"] == {"old": None, "new": "2025-02-10"}


def test_import_is_recorded_as_import(admin_client, japan):
    dataset = tablib.Dataset(row(japan), headers=HEADER)
    upload = SimpleUploadedFile("a.csv", dataset.export("csv").encode(), "text/csv")
    response = admin_client.post(
        reverse("admin:activities_activity_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    admin_client.post(
        reverse("admin:activities_activity_process_import"),
        response.context["confirm_form"].initial,
    )
    log = change_log(Activity.objects.get().history.all())
    assert [(e["action"], e["channel"], e["user"]) for e in log] == [("created", "import", "root")]


def test_changes_outside_a_request_are_recorded_as_system(japan):
    activity = ActivityFactory(programme=japan, goals=PartnershipGoal.objects.filter(order=2))
    with history_batch("system"):
        activity.title = "Changed from a script"
        activity.save()
        activity.allies.set(["PL"])
    log = change_log(activity.history.all())
    assert log[0]["channel"] == "system" and log[0]["user"] is None
    assert set(log[0]["changes"]) == {"title", "allies"}


def test_deleted_activity_is_restored_with_its_links_from_the_admin(admin_client, japan):
    admin_client.post(
        reverse("admin:activities_activity_add"),
        activity_form_data(japan, goals=goal_ids(japan, 3, 4), allies=["NO", "DK"]),
    )
    activity = Activity.objects.get()
    activity_id = activity.pk
    admin_client.post(
        reverse("admin:activities_activity_delete", args=[activity_id]),
        {"post": "yes", "version": activity.version},  # the version the confirmation showed
    )
    assert not Activity.objects.exists()

    deleted_list = admin_client.get(reverse("admin:activities_deletedactivity_changelist"))
    assert "Table-top exercise on cyber incident response" in deleted_list.content.decode()

    version = restorable_version(Activity.history.filter(id=activity_id))
    url = reverse(
        "admin:activities_activity_simple_history", args=[activity_id, version.history_id]
    )
    form = admin_client.get(url).context["adminform"].form
    assert sorted(form.initial["goals"]) == goal_ids(japan, 3, 4)

    data = activity_form_data(japan, goals=form.initial["goals"], allies=form.initial["allies"])
    assert admin_client.post(url, data).status_code == 302
    restored = Activity.objects.get(pk=activity_id)
    assert sorted(restored.goals.values_list("pk", flat=True)) == goal_ids(japan, 3, 4)
    assert sorted(restored.allies.values_list("code", flat=True)) == ["DK", "NO"]
    actions = [entry["action"] for entry in change_log(Activity.history.filter(id=activity_id))]
    assert actions == ["restored", "deleted", "created"]


def test_framework_changes_are_recorded(admin_client, japan):
    goal = PartnershipGoal.objects.get(programme=japan, order=16)
    data = {
        "programme": japan.pk,
        "priority_issue": goal.priority_issue_id,
        "order": goal.order,
        "title": goal.title,
        "statement": goal.statement + " (Amended.)",
    }
    response = admin_client.post(
        reverse("admin:goals_partnershipgoal_change", args=[goal.pk]), data
    )
    assert response.status_code == 302
    entry = change_log(goal.history.all())[0]
    assert entry["action"] == "changed" and entry["user"] == "root"
    assert entry["changes"]["statement"]["new"].endswith("(Amended.)")


def test_no_code_writes_around_the_history():
    """QuerySet.update() and bulk writes skip django-simple-history's signals."""
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "tests", "staticfiles"} or "migrations" in parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            writes_around = re.search(
                r"(objects|\)|queryset)\.update\(|\.bulk_(create|update)\(", line
            )
            if writes_around and "# history-safe" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
