"""GET /api/v1/assessments/: every role reads goal assessments, filtered as documented."""

import datetime

import pytest

from goals.models import GoalAssessment, PartnershipGoal, StockTake
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessments(japan, manager):
    review = StockTake.objects.create(
        programme=japan,
        title="2025 annual review",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    goals = PartnershipGoal.objects.filter(programme=japan).order_by("order")
    GoalAssessment.objects.create(
        stocktake=review, goal=goals[0], rating="on_track", assessed_by=manager
    )
    GoalAssessment.objects.create(stocktake=review, goal=goals[1], rating="at_risk")
    return review


def test_viewers_read_assessments_with_filters(client, viewer, japan, assessments):
    client.force_login(viewer)
    rows = client.get("/api/v1/assessments/").json()["results"]
    assert [(r["rating"], r["stocktake_status"], r["programme"]) for r in rows] == [
        ("on_track", "open", japan.pk),
        ("at_risk", "open", japan.pk),
    ]
    assert rows[0]["assessed_by"] == "manager"
    at_risk = client.get("/api/v1/assessments/?rating=at_risk").json()
    assert at_risk["count"] == 1
    by_stocktake = client.get(
        f"/api/v1/assessments/?stocktake={assessments.pk}&programme={japan.pk}"
    )
    assert by_stocktake.json()["count"] == 2
    assert client.get("/api/v1/assessments/?rating=excellent").status_code == 400


def test_assessments_are_read_only_over_the_api(client, manager, assessments):
    client.force_login(manager)
    assert client.post("/api/v1/assessments/", {}, content_type="application/json").status_code in (
        403,
        405,
    )


def test_no_role_no_assessments(client, assessments):
    client.force_login(UserFactory(username="norole"))
    assert client.get("/api/v1/assessments/").status_code == 403
