"""The progress report, checked against numbers worked out by hand."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import ActivityStatus
from tests.factories import (
    ActivityFactory,
    PartnershipGoalFactory,
    PriorityIssueFactory,
    ProgrammeFactory,
    StrategicObjectiveFactory,
)


@pytest.fixture
def programme():
    """Two priority issues (A: goals 1 and 2; B: goal 3), two objectives, four activities.

    - act1: goals 1+2, objective 1, completed, 2025-03-01
    - act2: goal 1, planned, 2025-10-01
    - act3: goal 3, objectives 1+2, ongoing, 2024-06-01
    - act4: goal 2, cancelled, 2025-01-15
    """
    programme = ProgrammeFactory(partner="Testland")
    issue_a = PriorityIssueFactory(programme=programme, number=1, title="A")
    issue_b = PriorityIssueFactory(programme=programme, number=2, title="B")
    goal1 = PartnershipGoalFactory(programme=programme, priority_issue=issue_a, order=1)
    goal2 = PartnershipGoalFactory(programme=programme, priority_issue=issue_a, order=2)
    goal3 = PartnershipGoalFactory(programme=programme, priority_issue=issue_b, order=3)
    objective1 = StrategicObjectiveFactory(programme=programme, number=1)
    objective2 = StrategicObjectiveFactory(programme=programme, number=2)

    def activity(goals, objectives, status, day):
        ActivityFactory(
            programme=programme,
            goals=goals,
            objectives=objectives,
            status=status,
            start_date=datetime.date.fromisoformat(day),
        )

    activity([goal1, goal2], [objective1], ActivityStatus.COMPLETED, "2025-03-01")
    activity([goal1], [], ActivityStatus.PLANNED, "2025-10-01")
    activity([goal3], [objective1, objective2], ActivityStatus.ONGOING, "2024-06-01")
    activity([goal2], [], ActivityStatus.CANCELLED, "2025-01-15")
    # Another programme's activity never counts here.
    ActivityFactory(start_date=datetime.date(2025, 5, 5))
    return programme


def counts(total=0, planned=0, ongoing=0, completed=0, postponed=0, cancelled=0) -> dict:
    return {
        "total": total,
        "planned": planned,
        "ongoing": ongoing,
        "completed": completed,
        "postponed": postponed,
        "cancelled": cancelled,
    }


def by_number(rows: list[dict], key: str = "number") -> dict:
    return {row[key]: row for row in rows}


def test_progress_over_all_years(viewer_api, programme):
    response = viewer_api.get(f"/api/v1/progress/?programme={programme.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["programme"] == programme.pk
    assert data["year"] is None

    goals = data["goals"]
    assert [goal["activities"] for goal in goals] == [
        counts(total=2, planned=1, completed=1),
        counts(total=2, completed=1, cancelled=1),
        counts(total=1, ongoing=1),
    ]
    # The latest activity that took place: planned and cancelled ones do not count.
    assert [goal["latest_activity_date"] for goal in goals] == [
        "2025-03-01",
        "2025-03-01",
        "2024-06-01",
    ]
    issues = programme.priority_issues.order_by("number")
    assert [goal["priority_issue"] for goal in goals] == [issues[0].pk, issues[0].pk, issues[1].pk]
    assert set(goals[0]) == {
        "id",
        "title",
        "title_ja",
        "priority_issue",
        "activities",
        "latest_activity_date",
        "latest_rating",
        "previous_rating",
        "rating_change",
        "draft_rating",
    }

    priority_issues = by_number(data["priority_issues"])
    # act1 serves goals 1 and 2 of issue A, and counts once there: act1, act2, act4.
    assert priority_issues[1]["activities"] == counts(total=3, planned=1, completed=1, cancelled=1)
    assert priority_issues[2]["activities"] == counts(total=1, ongoing=1)
    assert set(priority_issues[1]) == {
        "id",
        "number",
        "title",
        "title_ja",
        "activities",
        "latest_activity_date",
    }

    objectives = by_number(data["objectives"])
    assert objectives[1]["activities"] == counts(total=2, ongoing=1, completed=1)
    assert objectives[2]["activities"] == counts(total=1, ongoing=1)
    assert set(objectives[1]) == {
        "id",
        "number",
        "title",
        "title_ja",
        "activities",
        "latest_activity_date",
    }


def test_progress_for_one_year_counts_only_activities_starting_then(viewer_api, programme):
    data = viewer_api.get(f"/api/v1/progress/?programme={programme.pk}&year=2025").json()
    assert data["year"] == 2025
    assert [goal["activities"]["total"] for goal in data["goals"]] == [2, 2, 0]
    assert data["goals"][2]["latest_activity_date"] is None
    assert by_number(data["priority_issues"])[1]["activities"]["total"] == 3
    assert by_number(data["priority_issues"])[2]["activities"]["total"] == 0
    assert by_number(data["objectives"])[1]["activities"] == counts(total=1, completed=1)

    data = viewer_api.get(f"/api/v1/progress/?programme={programme.pk}&year=2024").json()
    assert [goal["activities"]["total"] for goal in data["goals"]] == [0, 0, 1]


def test_progress_takes_one_aggregate_query_per_level(viewer_api, programme, japan):
    # Levels: goals, objectives, priority issues, the programme's totals and its quarters.
    def queries_for(target) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert viewer_api.get(f"/api/v1/progress/?programme={target.pk}").status_code == 200
        return [query["sql"] for query in queries]

    small, large = queries_for(programme), queries_for(japan)
    assert len(small) == len(large)  # 16 goals cost what 3 goals cost
    aggregates = [sql for sql in large if "COUNT(" in sql.upper()]
    assert len(aggregates) == 5
    # No DISTINCT at all, which sorts or hashes every joined row: the link tables' unique
    # pairs make plain counts exact for goals and objectives, and the priority issues
    # count each activity's link to its first goal of the issue (an anti-join).
    assert not [sql for sql in aggregates if "DISTINCT" in sql.upper()]
    (issues,) = [sql for sql in aggregates if "earlier_goal" in sql]
    assert "NOT EXISTS" in issues.upper()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "programme"),
        ("programme=", "programme"),
        ("programme=abc", "programme"),
        ("programme=999999", "programme"),
        ("programme=99999999999999999999", "programme"),
        ("programme={pk}&year=abc", "year"),
        ("programme={pk}&year=0", "year"),
        ("programme={pk}&year=10000", "year"),
        ("programme={pk}&year=2025.5", "year"),
    ],
)
def test_bad_progress_queries_get_400_naming_the_parameter(query, field, viewer_api, japan):
    response = viewer_api.get("/api/v1/progress/?" + query.format(pk=japan.pk))
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_progress_needs_a_role(api_as, anonymous, japan):
    assert anonymous.get(f"/api/v1/progress/?programme={japan.pk}").status_code == 401
    assert api_as(None).get(f"/api/v1/progress/?programme={japan.pk}").status_code == 403
