"""/api/v1/assessments/: every role reads goal assessments, filtered as documented;
Programme managers write them while their stock-take is open."""

import datetime

import pytest

from goals.models import GoalAssessment, PartnershipGoal, StockTake
from goals.services import close_stocktake
from tests.factories import PartnershipGoalFactory, StockTakeFactory, UserFactory

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


def write(goal, stocktake, **extra) -> dict:
    return {"stocktake": stocktake.pk, "goal": goal.pk, "rating": "on_track", **extra}


def test_a_manager_creates_an_assessment_and_is_recorded_as_its_author(
    manager_api, manager, japan, assessments
):
    third = PartnershipGoal.objects.get(programme=japan, order=3)
    # assessed_by is read-only: sent back as read, it is ignored, never believed.
    response = manager_api.post(
        "/api/v1/assessments/",
        write(third, assessments, narrative="A first joint exercise.", assessed_by="viewer"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["assessed_by"], body["programme"], body["stocktake_status"]) == (
        "manager",
        japan.pk,
        "open",
    )
    saved = GoalAssessment.objects.get(pk=body["id"])
    assert (saved.goal, saved.rating, saved.assessed_by) == (third, "on_track", manager)


def test_a_manager_changes_and_deletes_an_assessment_of_an_open_stocktake(
    manager_api, manager, assessments
):
    at_risk = GoalAssessment.objects.get(stocktake=assessments, rating="at_risk")
    url = f"/api/v1/assessments/{at_risk.pk}/"
    patched = manager_api.patch(url, {"rating": "limited_progress"}, format="json")
    assert patched.status_code == 200 and patched.json()["assessed_by"] == "manager"
    at_risk.refresh_from_db()
    assert (at_risk.rating, at_risk.assessed_by) == ("limited_progress", manager)
    put = manager_api.put(
        url, write(at_risk.goal, assessments, rating="achieved", next_steps="None."), format="json"
    )
    assert put.status_code == 200 and put.json()["next_steps"] == "None."
    assert manager_api.delete(url).status_code == 204
    assert not GoalAssessment.objects.filter(pk=at_risk.pk).exists()


def test_a_closed_stocktake_refuses_every_write_on_the_stocktake_field(
    manager_api, manager, japan, assessments
):
    close_stocktake(assessments, user=manager)
    existing = GoalAssessment.objects.filter(stocktake=assessments).first()
    url = f"/api/v1/assessments/{existing.pk}/"
    fifth = PartnershipGoal.objects.get(programme=japan, order=5)
    answers = [
        manager_api.post("/api/v1/assessments/", write(fifth, assessments), format="json"),
        manager_api.patch(url, {"rating": "achieved"}, format="json"),
        manager_api.put(url, write(existing.goal, assessments), format="json"),
        manager_api.delete(url),
    ]
    for response in answers:
        assert response.status_code == 400
        assert list(response.json()) == ["stocktake"]
        assert "closed" in response.json()["stocktake"][0]
    # Nor can an assessment be moved out of it, into an open one.
    later = StockTakeFactory(programme=japan, year=2026)
    moved = manager_api.patch(url, {"stocktake": later.pk}, format="json")
    assert moved.status_code == 400 and list(moved.json()) == ["stocktake"]
    assert GoalAssessment.objects.filter(stocktake=assessments).count() == 2
    existing.refresh_from_db()
    assert existing.rating == "on_track" and existing.stocktake == assessments


def test_a_goal_of_another_programme_or_assessed_already_is_a_400_on_goal(
    manager_api, japan, assessments
):
    elsewhere = PartnershipGoalFactory()
    response = manager_api.post(
        "/api/v1/assessments/", write(elsewhere, assessments), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"goal": ["Choose a goal of the stock-take's programme."]}

    first = PartnershipGoal.objects.get(programme=japan, order=1)  # assessed in the fixture
    duplicate = manager_api.post("/api/v1/assessments/", write(first, assessments), format="json")
    assert duplicate.status_code == 400
    assert duplicate.json() == {"goal": ["This goal is already assessed in this stock-take."]}
    assert GoalAssessment.objects.count() == 2


@pytest.mark.parametrize("role", ["Viewers", "Editors"])
def test_viewers_and_editors_cannot_write_assessments(api_as, role, japan, assessments):
    client = api_as(role)
    existing = GoalAssessment.objects.filter(stocktake=assessments).first()
    url = f"/api/v1/assessments/{existing.pk}/"
    fourth = PartnershipGoal.objects.get(programme=japan, order=4)
    assert (
        client.post("/api/v1/assessments/", write(fourth, assessments), format="json").status_code
        == 403
    )
    assert client.patch(url, {"rating": "achieved"}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    assert GoalAssessment.objects.count() == 2
    existing.refresh_from_db()
    assert existing.rating == "on_track"


def test_no_role_no_assessments(client, assessments):
    client.force_login(UserFactory(username="norole"))
    assert client.get("/api/v1/assessments/").status_code == 403
