"""generate_demo_data fills a database with realistic, valid, reproducible activities."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from activities import demo
from activities.models import Activity, ActivityStatus, ActivityType
from tests.factories import ActivityFactory, running_programme

pytestmark = pytest.mark.django_db


def generated_rows() -> list[tuple]:
    return list(
        Activity.objects.order_by("pk").values_list(
            "title", "start_date", "status", "participants", "women_participants"
        )
    )


def test_generates_valid_activities_of_every_type_and_status(japan):
    call_command("generate_demo_data", activities=400, seed=7)
    activities = Activity.objects.filter(programme=japan).prefetch_related("goals", "objectives")
    assert activities.count() == 400
    assert set(activities.values_list("activity_type", flat=True)) == set(ActivityType.values)
    # Statuses follow today (whatever it is): nothing still to come is completed, nothing
    # already past is planned. Every status shows under a running programme (test below).
    today = timezone.localdate()
    assert not activities.filter(status=ActivityStatus.COMPLETED, start_date__gt=today).exists()
    assert not activities.filter(status=ActivityStatus.PLANNED, start_date__lt=today).exists()
    link_counts = activities.annotate(
        g=Count("goals", distinct=True), a=Count("allies", distinct=True)
    )
    assert {row.g for row in link_counts} <= {1, 2, 3}
    assert {row.a for row in link_counts} <= {0, 1, 2, 3, 4}
    for activity in activities:
        activity.full_clean()  # every model rule holds
        Activity.clean_links(activity.programme, activity.goals.all(), activity.objectives.all())
    years = {d.year for d in activities.values_list("start_date", flat=True)}
    assert years <= set(japan.years) and len(years) == 4


def test_a_running_programme_gets_activities_of_every_status():
    # The seeded 2023-2026 programme has no future left once it has ended; this one always has.
    programme = running_programme(goals=4)
    call_command("generate_demo_data", activities=400, seed=7)
    activities = Activity.objects.filter(programme=programme)
    assert activities.exists()
    assert set(activities.values_list("status", flat=True)) == set(ActivityStatus.values)
    for activity in activities:
        activity.full_clean()


def test_same_seed_gives_the_same_data():
    call_command("generate_demo_data", activities=50, seed=3)
    first = generated_rows()
    call_command("generate_demo_data", activities=50, seed=3, clear=True)
    assert generated_rows() == first
    call_command("generate_demo_data", activities=50, seed=4, clear=True)
    assert generated_rows() != first


def test_refuses_a_database_with_real_activities_unless_forced(japan):
    ActivityFactory(programme=japan)
    with pytest.raises(CommandError, match="real activities"):
        call_command("generate_demo_data", activities=10)
    call_command("generate_demo_data", activities=10, force=True)
    assert Activity.objects.filter(created_by__username=demo.DEMO_USERNAME).count() == 10


def test_clear_deletes_only_demo_activities(japan):
    real = ActivityFactory(programme=japan)
    call_command("generate_demo_data", activities=20, force=True)
    assert demo.clear() == 20
    assert list(Activity.objects.all()) == [real]
