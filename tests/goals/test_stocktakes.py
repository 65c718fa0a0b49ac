"""Stock-takes: assessments are written while open; closing freezes what it saw."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from goals.models import GoalAssessment, PartnershipGoal, StockTake
from goals.services import close_stocktake
from tests.factories import ActivityFactory, PartnershipGoalFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocktake(japan):
    return StockTake.objects.create(
        programme=japan,
        title="2025 annual review",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )


def goal(japan, order: int) -> PartnershipGoal:
    return PartnershipGoal.objects.get(programme=japan, order=order)


def test_assessment_must_be_of_a_goal_of_the_stocktakes_programme(stocktake):
    assessment = GoalAssessment(
        stocktake=stocktake, goal=PartnershipGoalFactory(), rating="on_track"
    )
    with pytest.raises(ValidationError) as raised:
        assessment.full_clean()
    assert list(raised.value.message_dict) == ["goal"]


def test_period_cannot_end_before_it_starts(japan):
    stocktake = StockTake(
        programme=japan,
        title="Backwards",
        period_start=datetime.date(2025, 12, 31),
        period_end=datetime.date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as raised:
        stocktake.full_clean()
    assert list(raised.value.message_dict) == ["period_end"]


def test_closing_freezes_counts_and_assessments(japan, stocktake, manager):
    cyber = goal(japan, 1)
    activity = ActivityFactory(programme=japan, goals=[cyber], start_date=datetime.date(2025, 3, 1))
    ActivityFactory(programme=japan, goals=[cyber], start_date=datetime.date(2024, 3, 1))  # outside
    GoalAssessment.objects.create(
        stocktake=stocktake, goal=cyber, rating="on_track", narrative="Two rounds of talks."
    )
    closed = close_stocktake(stocktake, user=manager)
    assert closed.status == "closed" and closed.closed_by == manager

    frozen = StockTake.objects.get(pk=stocktake.pk).snapshot
    goal_counts = {g["id"]: g["activities"] for g in frozen["all"]["goals"]}
    assert goal_counts[cyber.pk]["total"] == 1  # only activities of the period
    assert goal_counts[cyber.pk]["completed"] == 1
    assert frozen["assessments"][0]["rating"] == "on_track"
    assert len(frozen["all"]["goals"]) == 16 and len(frozen["all"]["priority_issues"]) == 4

    # Activities change afterwards; the closed stock-take reads the same.
    activity.status = "cancelled"
    activity.save()
    ActivityFactory(programme=japan, goals=[cyber], start_date=datetime.date(2025, 6, 1))
    assert StockTake.objects.get(pk=stocktake.pk).snapshot == frozen


def test_snapshot_keeps_restricted_activities_out_of_the_unrestricted_counts(
    japan, stocktake, manager
):
    cyber = goal(japan, 1)
    ActivityFactory(programme=japan, goals=[cyber], start_date=datetime.date(2025, 3, 1))
    ActivityFactory(
        programme=japan,
        goals=[cyber],
        start_date=datetime.date(2025, 4, 1),
        releasability="restricted",
    )
    snapshot = close_stocktake(stocktake, user=manager).snapshot
    totals = {
        view: next(g for g in snapshot[view]["goals"] if g["id"] == cyber.pk)["activities"]["total"]
        for view in ("all", "unrestricted")
    }
    assert totals == {"all": 2, "unrestricted": 1}


def test_closed_stocktake_and_its_assessments_cannot_change(japan, stocktake, manager):
    assessment = GoalAssessment.objects.create(
        stocktake=stocktake, goal=goal(japan, 2), rating="at_risk"
    )
    close_stocktake(stocktake, user=manager)
    stocktake.refresh_from_db()

    stocktake.title = "Rewritten history"
    with pytest.raises(ValidationError, match="closed"):
        stocktake.full_clean()
    with pytest.raises(ValidationError, match="closed"):
        stocktake.save()
    assessment.rating = "achieved"
    with pytest.raises(ValidationError, match="closed"):
        assessment.save()
    with pytest.raises(ValidationError, match="closed"):
        assessment.delete()
    with pytest.raises(ValidationError, match="closed"):
        GoalAssessment(stocktake=stocktake, goal=goal(japan, 3), rating="on_track").save()
    with pytest.raises(ValidationError, match="closed"):
        close_stocktake(stocktake, user=manager)
    assert GoalAssessment.objects.get(pk=assessment.pk).rating == "at_risk"


def test_only_programme_managers_write_assessments(viewer, editor, manager):
    for user in (viewer, editor, manager):
        assert user.has_perms(["goals.view_stocktake", "goals.view_goalassessment"])
    assert not editor.has_perm("goals.add_goalassessment")
    assert manager.has_perms(["goals.add_goalassessment", "goals.change_stocktake"])


def test_manager_closes_a_stocktake_in_the_admin_and_it_becomes_read_only(client, japan, stocktake):
    manager = UserFactory(username="pm", is_staff=True, roles=["Programme managers"])
    client.force_login(manager)
    GoalAssessment.objects.create(stocktake=stocktake, goal=goal(japan, 5), rating="on_track")
    response = client.post(
        reverse("admin:goals_stocktake_changelist"),
        {"action": "close_selected", "_selected_action": [stocktake.pk]},
        follow=True,
    )
    assert "Closed 1 stock-take" in response.content.decode()
    stocktake.refresh_from_db()
    assert stocktake.is_closed and stocktake.closed_by == manager

    change_url = reverse("admin:goals_stocktake_change", args=[stocktake.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(change_url, {"title": "Edited"}).status_code == 403
    stocktake.refresh_from_db()
    assert stocktake.title == "2025 annual review"


def test_a_programme_has_at_most_one_open_stocktake(japan, stocktake, manager):
    second = StockTake(
        programme=japan,
        title="Mid-term review",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
    )
    with pytest.raises(ValidationError, match="already has an open stock-take"):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()  # the database holds the rule too
    close_stocktake(stocktake, user=manager)
    second.full_clean()  # once the first is closed, the next can open
    second.save()


def test_the_admin_refuses_a_second_open_stocktake_with_a_message(client, japan, stocktake):
    client.force_login(UserFactory(username="pm", is_staff=True, roles=["Programme managers"]))
    response = client.post(
        reverse("admin:goals_stocktake_add"),
        {
            "programme": japan.pk,
            "title": "Mid-term review",
            "period_start": "2025-01-01",
            "period_end": "2025-06-30",
            "assessments-TOTAL_FORMS": "0",
            "assessments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "already has an open stock-take" in response.text
    assert StockTake.objects.filter(programme=japan).count() == 1


def test_the_admin_says_why_a_closed_stocktake_and_its_assessments_cannot_change(
    client, japan, stocktake, manager
):
    assessment = GoalAssessment.objects.create(
        stocktake=stocktake, goal=goal(japan, 4), rating="on_track"
    )
    close_stocktake(stocktake, user=manager)
    client.force_login(UserFactory(username="pm", is_staff=True, roles=["Programme managers"]))
    for url in (
        reverse("admin:goals_stocktake_change", args=[stocktake.pk]),
        reverse("admin:goals_goalassessment_change", args=[assessment.pk]),
    ):
        response = client.get(url)
        assert not response.context["has_change_permission"]
        assert "This stock-take is closed: it is a record" in response.text
