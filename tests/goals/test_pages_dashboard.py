"""The dashboard: where the programme stands, from the same aggregates as the progress API,
in a number of queries that does not grow with the data."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityStatus, ActivityType
from goals.models import PartnershipGoal, Programme
from progress.querysets import bar_width, quarters_between
from tests.factories import (
    ActivityFactory,
    PartnershipGoalFactory,
    PriorityIssueFactory,
    ProgrammeFactory,
    running_programme,
)

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("progress:dashboard")


@pytest.fixture
def goals(japan):
    return list(PartnershipGoal.objects.filter(programme=japan).order_by("order"))


@pytest.fixture
def running() -> Programme:
    """A programme whose years hold today: the tests below log activities at dates relative
    to today, which the seeded 2023–2026 programme cannot hold once it has ended."""
    return running_programme(goals=4)


@pytest.fixture
def running_goals(running):
    return list(running.partnership_goals.order_by("order"))


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


def goal_rows(response) -> dict[str, object]:
    return {row.goal.title: row for issue in response.context["issues"] for row in issue["goals"]}


def test_the_dashboard_lists_all_16_goals_under_their_priority_issues(viewer_client, goals):
    response = viewer_client.get(DASHBOARD)
    assert response.status_code == 200
    issues = response.context["issues"]
    assert [item["issue"].letter for item in issues] == ["a", "b", "c", "d"]
    assert sum(len(item["goals"]) for item in issues) == 16
    for goal in goals:
        assert f'href="{goal.get_absolute_url()}"' in response.text


def test_each_goal_shows_its_counts_by_status_and_latest_date(
    viewer_client, running, running_goals
):
    today = timezone.localdate()
    goals = running_goals
    ActivityFactory(programme=running, goals=[goals[0], goals[1]], start_date=today)
    ActivityFactory(
        programme=running,
        goals=[goals[0]],
        status=ActivityStatus.PLANNED,
        start_date=today + datetime.timedelta(days=30),
    )
    ActivityFactory(
        programme=running,
        goals=[goals[0]],
        status=ActivityStatus.ONGOING,
        start_date=today - datetime.timedelta(days=30),
    )

    response = viewer_client.get(DASHBOARD, {"programme": running.pk})
    row = goal_rows(response)[goals[0].title]
    assert row.counts["completed"] == 1
    assert row.counts["planned"] == 1
    assert row.counts["ongoing"] == 1
    assert row.counts["total"] == 3
    # The latest *held* activity: planned future work does not count.
    assert row.latest == today
    assert row.bars == {"completed": 35, "ongoing": 35, "planned": 35}


def test_a_goal_with_no_activity_in_the_last_12_months_is_flagged(
    viewer_client, running, running_goals
):
    today = timezone.localdate()
    goals = running_goals
    ActivityFactory(programme=running, goals=[goals[0]], start_date=today - datetime.timedelta(60))
    ActivityFactory(programme=running, goals=[goals[1]], start_date=today - datetime.timedelta(400))
    ActivityFactory(
        programme=running,
        goals=[goals[2]],
        status=ActivityStatus.PLANNED,
        start_date=today + datetime.timedelta(10),
    )

    response = viewer_client.get(DASHBOARD, {"programme": running.pk})
    rows = goal_rows(response)
    assert not rows[goals[0].title].stale
    assert rows[goals[1].title].stale  # held, but too long ago
    assert rows[goals[2].title].stale  # only planned
    assert rows[goals[3].title].stale  # nothing at all
    assert response.context["stale_count"] == 3
    assert response.text.count("No activity in 12 months</span>") >= 3


def test_the_chart_counts_activities_per_quarter_by_type_in_the_database(
    viewer_client, japan, goals
):
    for day, kind in [
        (datetime.date(2024, 1, 5), ActivityType.EXERCISE),
        (datetime.date(2024, 3, 30), ActivityType.EXERCISE),
        (datetime.date(2024, 2, 1), ActivityType.TRAINING),
        (datetime.date(2024, 8, 1), ActivityType.TRAINING),
    ]:
        ActivityFactory(programme=japan, goals=[goals[0]], start_date=day, activity_type=kind)
    ActivityFactory(
        programme=japan,
        goals=[goals[0]],
        start_date=datetime.date(2024, 2, 2),
        status=ActivityStatus.CANCELLED,
    )

    response = viewer_client.get(DASHBOARD)
    # The data reaches Chart.js through json_script, never through inline code.
    marker = '<script id="quarter-chart-data" type="application/json">'
    assert marker in response.text
    data = json.loads(response.text.split(marker)[1].split("</script>")[0])
    assert data["labels"][0] == "2023 Q1"
    assert data["labels"][-1] == "2026 Q4"
    by_type = {dataset["key"]: dataset["data"] for dataset in data["datasets"]}
    q1_2024 = data["labels"].index("2024 Q1")
    assert by_type["exercise"][q1_2024] == 2
    assert by_type["training"][q1_2024] == 1
    assert by_type["training"][data["labels"].index("2024 Q3")] == 1
    assert "consultation" not in by_type  # the cancelled one is not counted
    # The same numbers as a table, for screen readers and without JavaScript.
    assert [row["quarter"] for row in data["table"]] == ["2024 Q1", "2024 Q3"]
    assert '<th scope="row">2024 Q1</th>' in response.text
    assert "<script>" not in response.text


def test_upcoming_and_recently_changed_activities(viewer_client, running, running_goals, editor):
    today = timezone.localdate()
    goals = running_goals
    soon = ActivityFactory(
        programme=running,
        title="Soon",
        goals=[goals[0]],
        status=ActivityStatus.PLANNED,
        start_date=today + datetime.timedelta(days=10),
    )
    ActivityFactory(
        programme=running,
        title="Too far",
        goals=[goals[0]],
        status=ActivityStatus.PLANNED,
        start_date=today + datetime.timedelta(days=120),
    )
    soon.updated_by = editor
    soon.save()

    response = viewer_client.get(DASHBOARD, {"programme": running.pk})
    assert [a.title for a in response.context["upcoming"]] == ["Soon"]
    assert response.context["recent"][0] == soon
    assert "by editor" in response.text


def test_the_current_cycle_is_shown_by_default_and_another_can_be_chosen(viewer_client, japan):
    older = ProgrammeFactory(partner="Japan", start_year=2019, end_year=2022)
    PartnershipGoalFactory(programme=older, title="An older goal")

    response = viewer_client.get(DASHBOARD)
    assert response.context["programme"] == Programme.objects.current()
    assert 'id="programme-select"' in response.text

    response = viewer_client.get(DASHBOARD, {"programme": older.pk})
    assert response.context["programme"] == older
    assert "An older goal" in response.text

    # Anything else falls back to the current cycle rather than failing.
    assert viewer_client.get(DASHBOARD, {"programme": "x"}).status_code == 200


def test_current_programme_is_the_one_whose_years_include_today(japan):
    older = ProgrammeFactory(partner="Japan", start_year=2019, end_year=2022)
    assert Programme.objects.current(datetime.date(2020, 6, 1)) == older
    assert Programme.objects.current(datetime.date(2024, 6, 1)) == japan
    # After every cycle has ended: the latest.
    assert Programme.objects.current(datetime.date(2040, 1, 1)) == japan


def test_the_dashboard_query_count_does_not_grow_with_activities_or_goals(
    viewer_client, japan, goals
):
    def count_queries() -> int:
        viewer_client.get(DASHBOARD)  # warm the session and permission caches
        with CaptureQueriesContext(connection) as queries:
            assert viewer_client.get(DASHBOARD).status_code == 200
        return len(queries)

    ActivityFactory(programme=japan, goals=[goals[0]])
    few = count_queries()

    # Fixed dates within the programme's years (not relative to today, which leaves them).
    last = datetime.date(2024, 12, 31)
    issue = PriorityIssueFactory(programme=japan, number=5)
    extra_goals = [
        PartnershipGoalFactory(programme=japan, priority_issue=issue, order=100 + n)
        for n in range(5)
    ]
    for n in range(60):
        ActivityFactory(
            programme=japan,
            goals=[goals[n % 16], extra_goals[n % 5]],
            allies=["FR"],
            start_date=last - datetime.timedelta(days=n * 9),
            activity_type=list(ActivityType.values)[n % 8],
        )
    assert count_queries() == few


def test_bar_widths_use_steps_of_five_and_never_hide_a_nonzero_count():
    assert bar_width(0, 10) == 0
    assert bar_width(1, 100) == 5
    assert bar_width(10, 10) == 100
    assert bar_width(1, 3) == 35


def test_quarters_cover_the_range():
    quarters = quarters_between(datetime.date(2023, 1, 1), datetime.date(2023, 10, 1))
    assert [q.month for q in quarters] == [1, 4, 7, 10]
