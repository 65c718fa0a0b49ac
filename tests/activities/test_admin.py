"""The admin is where administrators enter and correct data: it must load, validate and
record who did what."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from goals.models import PartnershipGoal
from tests.factories import ActivityFactory, running_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def activity(japan):
    goals = list(PartnershipGoal.objects.filter(programme=japan)[:2])
    return ActivityFactory(programme=japan, goals=goals, allies=["FR", "DE"])


def test_every_admin_page_loads_for_a_superuser(admin_client, superuser, activity, japan, rf):
    request = rf.get("/admin/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        assert admin_client.get(reverse(f"{prefix}_changelist")).status_code == 200, opts
        if model_admin.has_add_permission(request):
            assert admin_client.get(reverse(f"{prefix}_add")).status_code == 200, opts
        obj = model_admin.get_queryset(request).first()
        if obj is not None:
            response = admin_client.get(reverse(f"{prefix}_change", args=[obj.pk]))
            assert response.status_code == 200, opts


def test_activity_changelist_filters_and_search_load(admin_client, activity, japan):
    url = reverse("admin:activities_activity_changelist")
    goal = activity.goals.first()
    for query in [
        f"goals__id__exact={goal.pk}",
        f"goals__priority_issue__id__exact={goal.priority_issue_id}",
        "status__exact=completed",
        "year=2024",
        "q=Activity",
        "start_date__year=2024",
    ]:
        response = admin_client.get(f"{url}?{query}")
        assert response.status_code == 200, query
        assert activity.title in response.content.decode(), query


def test_goal_page_lists_its_activities(admin_client, activity):
    goal = activity.goals.first()
    response = admin_client.get(reverse("admin:goals_partnershipgoal_change", args=[goal.pk]))
    page = response.content.decode()
    assert activity.title in page
    assert reverse("admin:activities_activity_change", args=[activity.pk]) in page


def activity_form_data(japan, **overrides) -> dict:
    goal = PartnershipGoal.objects.filter(programme=japan).first()
    data = {
        "programme": japan.pk,
        "title": "Table-top exercise on cyber incident response",
        "activity_type": "exercise",
        "status": "completed",
        "releasability": "internal",
        "start_date": "2025-02-10",
        "end_date": "2025-02-11",
        "goals": [goal.pk],
        "objectives": [],
        "allies": ["FR"],
        "location": "Tokyo",
        "lead_organisation": "",
        "participants": "20",
        "women_participants": "8",
        "description": "",
        "outcome": "",
    }
    data.update(overrides)
    return data


def test_admin_add_records_who_created_and_changed(admin_client, superuser, japan):
    response = admin_client.post(
        reverse("admin:activities_activity_add"), activity_form_data(japan)
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="Table-top exercise on cyber incident response")
    assert activity.created_by == superuser and activity.updated_by == superuser
    assert list(activity.allies.values_list("code", flat=True)) == ["FR"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_date": "2025-02-01"}, "end_date", "The end date cannot be before the start date."),
        ({"women_participants": "21"}, "women_participants", "Cannot be more than the number"),
        ({"goals": []}, "goals", "This field is required."),
        ({"start_date": "2025-02-30"}, "start_date", "Enter a valid date."),
        ({"status": "finished"}, "status", "Select a valid choice."),
        ({"title": "x" * 256}, "title", "at most 255 characters"),
    ],
)
def test_admin_rejects_bad_values_on_their_field_and_saves_nothing(
    admin_client, japan, overrides, field, message
):
    response = admin_client.post(
        reverse("admin:activities_activity_add"), activity_form_data(japan, **overrides)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    assert any(message in error for error in errors[field])
    assert not Activity.objects.exists()


def test_admin_rejects_another_programmes_goal(admin_client, japan):
    from tests.factories import PartnershipGoalFactory

    foreign = PartnershipGoalFactory()
    response = admin_client.post(
        reverse("admin:activities_activity_add"), activity_form_data(japan, goals=[foreign.pk])
    )
    assert "goals" in response.context["adminform"].form.errors
    assert not Activity.objects.exists()


def test_admin_rejects_completed_activity_in_the_future(admin_client):
    # A programme whose years hold the date, whatever today is: only the status is wrong.
    programme = running_programme(goals=1)
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = admin_client.post(
        reverse("admin:activities_activity_add"),
        activity_form_data(programme, start_date=future, end_date=future),
    )
    assert list(response.context["adminform"].form.errors) == ["status"]
    assert not Activity.objects.exists()
