"""Each goal's latest rating and its change since the previous closed stock-take, as the
progress API and the dashboard show them, in a number of queries that does not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import PartnershipGoal, Rating
from goals.querysets import goal_ratings, rating_change
from goals.services import close_stocktake
from tests.factories import GoalAssessmentFactory, StockTakeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def goals(japan) -> list[PartnershipGoal]:
    return list(PartnershipGoal.objects.filter(programme=japan).order_by("order"))


def stocktake(japan, manager, year: int, ratings: dict, *, close: bool = True):
    """A stock-take of `year` rating each goal in `ratings` ({goal: rating})."""
    made = StockTakeFactory(programme=japan, year=year)
    for goal, rating in ratings.items():
        GoalAssessmentFactory(stocktake=made, goal=goal, rating=rating)
    return close_stocktake(made, user=manager) if close else made


@pytest.fixture
def history(japan, manager, goals):
    """Three closed rounds and an open one.

    goal 1: at_risk (2023) → on_track (2024), draft achieved (2026) → improved
    goal 2: on_track (2023) → limited_progress (2025) → declined (2024 left it out)
    goal 3: on_track (2025)                                → new
    goal 4: on_track (2024) → on_track (2025)              → unchanged
    goal 5: only a draft (2026)
    """
    g = goals
    stocktake(japan, manager, 2023, {g[0]: "at_risk", g[1]: "on_track"})
    stocktake(japan, manager, 2024, {g[0]: "on_track", g[3]: "on_track"})
    stocktake(japan, manager, 2025, {g[1]: "limited_progress", g[2]: "on_track", g[3]: "on_track"})
    stocktake(japan, manager, 2026, {g[0]: "achieved", g[4]: "at_risk"}, close=False)


def test_the_latest_closed_rating_and_its_change_with_the_open_one_as_a_draft(
    japan, goals, history
):
    ratings = goal_ratings(japan)
    first = ratings[goals[0].pk]
    assert first["latest_rating"]["rating"] == "on_track"
    assert first["latest_rating"]["stocktake_title"] == "2024 annual review"
    assert first["previous_rating"]["rating"] == "at_risk"
    assert first["rating_change"] == "improved"
    assert first["draft_rating"]["rating"] == "achieved"
    assert first["draft_rating"]["label"] == "Achieved"

    # The latest closed stock-take that rated the goal, even if a later one left it out.
    second = ratings[goals[1].pk]
    assert (second["latest_rating"]["rating"], second["previous_rating"]["rating"]) == (
        "limited_progress",
        "on_track",
    )
    assert second["rating_change"] == "declined"
    assert ratings[goals[2].pk]["rating_change"] == "new"
    assert ratings[goals[2].pk]["previous_rating"] is None
    assert ratings[goals[3].pk]["rating_change"] == "unchanged"

    # Only a draft: no latest rating, so no change to speak of.
    draft_only = ratings[goals[4].pk]
    assert draft_only["latest_rating"] is None and draft_only["rating_change"] is None
    assert draft_only["draft_rating"]["rating"] == "at_risk"
    assert goals[5].pk not in ratings


def test_the_rating_scale_puts_at_risk_lowest_and_achieved_highest():
    assert rating_change(Rating.NOT_STARTED, Rating.AT_RISK) == "improved"
    assert rating_change(Rating.AT_RISK, Rating.NOT_STARTED) == "declined"
    assert rating_change(Rating.ACHIEVED, Rating.ON_TRACK) == "improved"
    assert rating_change(Rating.LIMITED_PROGRESS, Rating.ON_TRACK) == "declined"
    assert rating_change(None, Rating.ON_TRACK) is None


def test_the_progress_api_gives_each_goal_its_rating_and_change(
    client, viewer, japan, goals, history
):
    client.force_login(viewer)
    data = client.get(f"/api/v1/progress/?programme={japan.pk}").json()
    rows = {row["id"]: row for row in data["goals"]}
    first = rows[goals[0].pk]
    assert first["latest_rating"] == {
        "rating": "on_track",
        "label": "On track",
        "stocktake": first["latest_rating"]["stocktake"],
        "stocktake_title": "2024 annual review",
        "assessed_on": first["latest_rating"]["assessed_on"],
    }
    assert first["previous_rating"]["rating"] == "at_risk"
    assert first["rating_change"] == "improved"
    assert first["draft_rating"]["stocktake_title"] == "2026 annual review"
    never = rows[goals[5].pk]
    assert [never[key] for key in ("latest_rating", "previous_rating", "rating_change")] == [
        None,
        None,
        None,
    ]
    assert never["draft_rating"] is None


def count_queries(client, url: str) -> int:
    client.get(url)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_ratings_cost_one_query_however_many_stocktakes_rated_the_goals(
    client, viewer, japan, manager, goals
):
    client.force_login(viewer)
    progress = f"/api/v1/progress/?programme={japan.pk}"
    dashboard = reverse("progress:dashboard")
    stocktake(japan, manager, 2023, {goals[0]: "at_risk"})
    few = (count_queries(client, progress), count_queries(client, dashboard))

    for year, rating in ((2024, "on_track"), (2025, "achieved")):
        stocktake(japan, manager, year, dict.fromkeys(goals, rating))
    stocktake(japan, manager, 2026, dict.fromkeys(goals, "limited_progress"), close=False)
    assert (count_queries(client, progress), count_queries(client, dashboard)) == few


def test_the_dashboard_shows_each_goals_rating_change_and_draft(client, viewer, goals, history):
    client.force_login(viewer)
    response = client.get(reverse("progress:dashboard"))
    rows = {row.goal.pk: row for issue in response.context["issues"] for row in issue["goals"]}
    assert rows[goals[0].pk].ratings["rating_change"] == "improved"
    page = response.text
    assert "▲ improved" in page and "▼ declined" in page and "= unchanged" in page
    assert "Achieved (draft)" in page
    assert "first rating" in page
