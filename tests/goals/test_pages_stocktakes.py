"""The stock-take pages: Programme managers open a stock-take, rate each goal and close it;
Viewers and Editors read it all and change nothing; a closed stock-take is read-only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import GoalAssessment, PartnershipGoal, StockTake
from goals.services import close_stocktake
from tests.factories import GoalAssessmentFactory, PartnershipGoalFactory, StockTakeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocktake(japan):
    return StockTakeFactory(programme=japan, year=2025)


@pytest.fixture
def goals(japan) -> list[PartnershipGoal]:
    return list(PartnershipGoal.objects.filter(programme=japan).order_by("order"))


def rate_url(stocktake, goal) -> str:
    return reverse("goals:stocktake_rate", args=[stocktake.pk, goal.pk])


def rating(goal, value="on_track", narrative="Two rounds of staff talks.") -> dict:
    prefix = f"goal-{goal.pk}"
    return {
        f"{prefix}-rating": value,
        f"{prefix}-narrative": narrative,
        f"{prefix}-next_steps": "A joint exercise.",
    }


def test_a_manager_opens_a_stocktake_and_lands_on_its_page(client, manager, japan):
    client.force_login(manager)
    form = client.get(reverse("goals:stocktake_create"), {"programme": japan.pk})
    assert form.status_code == 200 and "Open stock-take" in form.text

    response = client.post(
        f"{reverse('goals:stocktake_create')}?programme={japan.pk}",
        {"title": "2025 annual review", "period_start": "2025-01-01", "period_end": "2025-12-31"},
        follow=True,
    )
    stocktake = StockTake.objects.get(programme=japan, title="2025 annual review")
    assert stocktake.status == "open"
    assert response.redirect_chain[-1][0] == reverse("goals:stocktake", args=[stocktake.pk])
    assert "is open. Rate each goal below" in response.text
    assert response.text.count("Save rating</button>") == 16


def test_a_second_open_stocktake_of_a_programme_is_refused(client, manager, japan, stocktake):
    client.force_login(manager)
    response = client.post(
        f"{reverse('goals:stocktake_create')}?programme={japan.pk}",
        {"title": "2026 annual review", "period_start": "2026-01-01", "period_end": "2026-12-31"},
    )
    assert response.status_code == 200
    assert "already has an open stock-take" in response.text
    assert StockTake.objects.filter(programme=japan).count() == 1


def test_the_new_stocktake_form_refuses_a_title_used_before_and_a_backwards_period(
    client, manager, japan, stocktake
):
    close_stocktake(stocktake, user=manager)
    client.force_login(manager)
    url = f"{reverse('goals:stocktake_create')}?programme={japan.pk}"
    taken = client.post(
        url,
        {"title": stocktake.title, "period_start": "2025-01-01", "period_end": "2025-12-31"},
    )
    assert "already has a stock-take with this title" in taken.text
    backwards = client.post(
        url, {"title": "Mid-term", "period_start": "2025-12-31", "period_end": "2025-01-01"}
    )
    assert backwards.context["form"].errors == {
        "period_end": ["The period cannot end before it starts."]
    }
    assert StockTake.objects.filter(programme=japan).count() == 1


def test_a_manager_rates_a_goal_and_rating_it_again_changes_the_same_assessment(
    client, manager, stocktake, goals
):
    client.force_login(manager)
    response = client.post(rate_url(stocktake, goals[0]), rating(goals[0]))
    page = reverse("goals:stocktake", args=[stocktake.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{page}?saved={goals[0].pk}#goal-{goals[0].pk}"
    after = client.get(response["Location"])
    assert f"Saved: {goals[0].title} is rated “On track”" in after.text
    assert "1 of 16 goals rated" in after.text

    client.post(rate_url(stocktake, goals[0]), rating(goals[0], "at_risk", "Talks stalled."))
    assessment = GoalAssessment.objects.get(stocktake=stocktake)  # still only one
    assert (assessment.rating, assessment.narrative, assessment.assessed_by) == (
        "at_risk",
        "Talks stalled.",
        manager,
    )


def test_a_rating_without_a_rating_is_shown_again_with_its_error(client, manager, stocktake, goals):
    client.force_login(manager)
    response = client.post(rate_url(stocktake, goals[2]), rating(goals[2], value=""))
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert "Two rounds of staff talks." in response.text  # what was typed is kept
    assert not GoalAssessment.objects.exists()


def test_a_goal_of_another_programme_cannot_be_rated(client, manager, stocktake):
    client.force_login(manager)
    elsewhere = PartnershipGoalFactory()
    assert client.post(rate_url(stocktake, elsewhere), rating(elsewhere)).status_code == 404
    assert not GoalAssessment.objects.exists()


def test_closing_asks_first_then_freezes_the_stocktake(client, manager, stocktake, goals):
    GoalAssessmentFactory(stocktake=stocktake, goal=goals[0])
    client.force_login(manager)
    close = reverse("goals:stocktake_close", args=[stocktake.pk])
    question = client.get(close)
    assert "15 not rated" in question.text and "Yes, close it" in question.text
    stocktake.refresh_from_db()
    assert stocktake.status == "open"  # asking changed nothing

    done = client.post(close, follow=True)
    stocktake.refresh_from_db()
    assert stocktake.is_closed and stocktake.closed_by == manager
    assert stocktake.snapshot["assessments"][0]["goal"] == goals[0].pk
    assert "is closed: its ratings and the activity counts are frozen" in done.text
    assert "A closed stock-take is a record" in done.text
    assert "Save rating</button>" not in done.text and "Close stock-take…" not in done.text
    # Its PDF is asked of the worker (a report job), not made in the request.
    job = f"{reverse('reports:create_job', args=[stocktake.programme_id])}?stocktake={stocktake.pk}"
    assert f'action="{job}"' in done.text


def test_a_closed_stocktake_refuses_new_ratings(client, manager, stocktake, goals):
    GoalAssessmentFactory(stocktake=stocktake, goal=goals[0], rating="on_track")
    close_stocktake(stocktake, user=manager)
    client.force_login(manager)
    response = client.post(rate_url(stocktake, goals[0]), rating(goals[0], "achieved"), follow=True)
    assert "This stock-take is closed" in response.text
    assert GoalAssessment.objects.get().rating == "on_track"
    assert client.post(rate_url(stocktake, goals[1]), rating(goals[1])).status_code == 302
    # From htmx, the whole page is reloaded, so the closed notice shows.
    htmx = client.post(
        rate_url(stocktake, goals[1]), rating(goals[1]), headers={"HX-Request": "true"}
    )
    assert htmx["HX-Redirect"] == reverse("goals:stocktake", args=[stocktake.pk])
    assert GoalAssessment.objects.count() == 1
    again = client.post(reverse("goals:stocktake_close", args=[stocktake.pk]), follow=True)
    assert "already closed" in again.text


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_viewers_and_editors_read_stocktakes_but_change_nothing(
    client, request, role, japan, stocktake, goals
):
    GoalAssessmentFactory(
        stocktake=stocktake, goal=goals[0], rating="limited_progress", narrative="Slow start."
    )
    client.force_login(request.getfixturevalue(role))
    listing = client.get(reverse("goals:stocktakes"), {"programme": japan.pk})
    assert listing.status_code == 200
    assert "1 of 16" in listing.text and "New stock-take" not in listing.text
    page = client.get(reverse("goals:stocktake", args=[stocktake.pk]))
    assert page.status_code == 200
    assert "Limited progress" in page.text and "Slow start." in page.text
    assert "Save rating</button>" not in page.text and "Close stock-take…" not in page.text

    create = f"{reverse('goals:stocktake_create')}?programme={japan.pk}"
    assert client.get(create).status_code == 403
    assert client.post(create, {"title": "x"}).status_code == 403
    assert client.post(rate_url(stocktake, goals[1]), rating(goals[1])).status_code == 403
    close = reverse("goals:stocktake_close", args=[stocktake.pk])
    assert client.post(close).status_code == 403
    stocktake.refresh_from_db()
    assert stocktake.status == "open" and GoalAssessment.objects.count() == 1


def test_the_list_shows_status_period_and_goals_rated(client, manager, japan, goals):
    older = StockTakeFactory(programme=japan, year=2024)
    for goal in goals[:16]:
        GoalAssessmentFactory(stocktake=older, goal=goal)
    close_stocktake(older, user=manager)
    current = StockTakeFactory(programme=japan, year=2025)
    GoalAssessmentFactory(stocktake=current, goal=goals[3])
    client.force_login(manager)
    response = client.get(reverse("goals:stocktakes"), {"programme": japan.pk})
    rows = [(s.title, s.rated) for s in response.context["stocktakes"]]
    assert rows == [("2025 annual review", 1), ("2024 annual review", 16)]
    assert "16 of 16" in response.text and "1 of 16" in response.text
    assert "1 Jan 2024 – 31 Dec 2024" in response.text
    # One open at a time: the page points at it instead of offering a new one.
    assert "+ New stock-take" not in response.text
    assert "close it before opening the next stock-take" in response.text


def test_the_nav_links_to_the_stocktakes(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("goals:stocktakes"))
    assert f'href="{reverse("goals:stocktakes")}" aria-current="page">Stock-takes' in response.text


def test_the_goal_page_lists_its_assessments_latest_first(client, viewer, manager, japan, goals):
    older = StockTakeFactory(programme=japan, year=2024)
    GoalAssessmentFactory(
        stocktake=older,
        goal=goals[0],
        rating="at_risk",
        narrative="No contact yet.",
        next_steps="Hold first staff talks.",
        assessed_by=manager,
    )
    close_stocktake(older, user=manager)
    current = StockTakeFactory(programme=japan, year=2025)
    GoalAssessmentFactory(
        stocktake=current, goal=goals[0], rating="on_track", narrative="Talks held."
    )
    client.force_login(viewer)
    response = client.get(goals[0].get_absolute_url())
    assert [a.stocktake.title for a in response.context["assessments"]] == [
        "2025 annual review",
        "2024 annual review",
    ]
    page = response.text
    assert page.index("Talks held.") < page.index("No contact yet.")
    assert "On track (draft)" in page and "At risk</span>" in page
    assert "Hold first staff talks." in page and "by manager" in page
    assert "Rate this goal" not in page and "Change its rating" not in page


def test_a_manager_gets_a_link_to_rate_the_goal_in_the_open_stocktake(
    client, manager, japan, goals, stocktake
):
    client.force_login(manager)
    page = client.get(goals[2].get_absolute_url()).text
    link = f"{reverse('goals:stocktake', args=[stocktake.pk])}#goal-{goals[2].pk}"
    assert f'href="{link}">Rate this goal in “2025 annual review”' in page
    assert "Not assessed in any stock-take yet." in page
    GoalAssessmentFactory(stocktake=stocktake, goal=goals[2])
    assert (
        "Change its rating in “2025 annual review”" in client.get(goals[2].get_absolute_url()).text
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "nul\x00byte"),
        ("title", "x" * 10_000),
        ("period_start", "10000-01-01"),
        ("period_end", "2025-02-30"),
        ("period_start", "'; DROP TABLE goals_stocktake; --"),
    ],
)
def test_hostile_values_for_a_new_stocktake_get_a_field_error(client, manager, japan, field, value):
    client.force_login(manager)
    data = {"title": "2025 annual review", "period_start": "2025-01-01", "period_end": "2025-12-31"}
    response = client.post(
        f"{reverse('goals:stocktake_create')}?programme={japan.pk}", {**data, field: value}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not StockTake.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rating", "excellent"),
        ("rating", "<script>alert(1)</script>"),
        ("narrative", "a\x00b"),
        ("narrative", "x" * 20_001),
        ("next_steps", "\x00"),
    ],
)
def test_hostile_values_for_a_rating_get_a_field_error(
    client, manager, stocktake, goals, field, value
):
    client.force_login(manager)
    data = {**rating(goals[0]), f"goal-{goals[0].pk}-{field}": value}
    response = client.post(rate_url(stocktake, goals[0]), data)
    assert response.status_code == 200
    rows = [row for _, rows in response.context["issues"] for row in rows]
    bound = next(row.form for row in rows if row.goal == goals[0])
    assert field in bound.errors
    assert not GoalAssessment.objects.exists()


def test_unknown_ids_in_the_stocktake_urls_are_404(client, manager, stocktake, goals):
    client.force_login(manager)
    huge = "99999999999999999999"
    assert client.get(f"/stocktakes/{huge}/").status_code == 404
    assert client.post(f"/stocktakes/{stocktake.pk}/goals/{huge}/").status_code == 404
    assert client.post(f"/stocktakes/{huge}/close/").status_code == 404
    assert client.get("/stocktakes/?programme=abc").status_code == 200  # the current one


def test_the_stocktake_page_takes_the_same_queries_with_0_or_16_ratings(
    client, manager, stocktake, goals
):
    client.force_login(manager)
    url = reverse("goals:stocktake", args=[stocktake.pk])

    def count_queries() -> int:
        client.get(url)  # warm the session and permission caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    none = count_queries()
    for goal in goals:
        GoalAssessmentFactory(stocktake=stocktake, goal=goal, assessed_by=manager)
    assert count_queries() == none


def test_a_stocktakes_report_links_back_to_its_page(client, viewer, japan, stocktake):
    client.force_login(viewer)
    report = client.get(reverse("reports:report", args=[japan.pk]), {"stocktake": stocktake.pk})
    assert f'href="{reverse("goals:stocktake", args=[stocktake.pk])}"' in report.text
    index = client.get(reverse("reports:index"))
    assert f'href="{reverse("goals:stocktakes")}?programme={japan.pk}"' in index.text
