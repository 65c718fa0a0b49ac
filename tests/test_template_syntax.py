"""No page shows raw template syntax: a multi-line `{# … #}` comment, say, is printed as text
by Django instead of being dropped. Every page of the URLconf is walked as a Programme manager
with stock-takes, ratings and activities in place."""

import pytest

from goals.models import PartnershipGoal
from goals.services import close_stocktake
from tests.factories import ActivityFactory, GoalAssessmentFactory, StockTakeFactory
from tests.test_releasability_everywhere import urls_for

pytestmark = pytest.mark.django_db

TEMPLATE_SYNTAX = ("{#", "#}", "{%", "%}", "{{", "}}")


def test_no_page_shows_raw_template_syntax(client, manager, japan):
    goal = PartnershipGoal.objects.get(programme=japan, order=1)
    activity = ActivityFactory(programme=japan, goals=[goal])
    closed = StockTakeFactory(programme=japan, year=2025)
    GoalAssessmentFactory(stocktake=closed, goal=goal, rating="limited_progress")
    close_stocktake(closed, user=manager)
    stocktake = StockTakeFactory(programme=japan, year=2026)
    GoalAssessmentFactory(stocktake=stocktake, goal=goal)
    client.force_login(manager)
    values = {"pk": activity.pk, "programme_id": japan.pk, "activity_id": activity.pk}
    checked = 0
    for url in urls_for(values):
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        for token in TEMPLATE_SYNTAX:
            assert token not in response.text, f"{url} shows {token!r}"
    for url in ["/", f"/stocktakes/{stocktake.pk}/", f"/goals/{goal.pk}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not any(token in response.text for token in TEMPLATE_SYNTAX), url
    assert checked > 8
