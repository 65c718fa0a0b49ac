"""The goal pages: each goal's statement, its counts and its activities, filterable."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import ActivityStatus
from goals.models import PartnershipGoal
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def goals(japan):
    return list(PartnershipGoal.objects.filter(programme=japan).order_by("order"))


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


def test_the_goal_list_shows_every_goal_with_its_statement(viewer_client, goals):
    response = viewer_client.get(reverse("progress:goal_list"))
    for goal in goals:
        assert goal.title in response.text
    assert goals[0].statement.split()[0] in response.text


def test_a_goal_page_shows_its_statement_counts_and_only_its_activities(
    viewer_client, japan, goals
):
    ActivityFactory(programme=japan, title="Mine, done", goals=[goals[0], goals[1]])
    ActivityFactory(
        programme=japan, title="Mine, planned", goals=[goals[0]], status=ActivityStatus.PLANNED
    )
    ActivityFactory(programme=japan, title="Not mine", goals=[goals[1]])

    url = goals[0].get_absolute_url()
    response = viewer_client.get(url)
    assert response.context["goal"] == goals[0]
    assert response.context["progress"].counts["completed"] == 1
    assert response.context["progress"].counts["planned"] == 1
    assert {a.title for a in response.context["activities"]} == {"Mine, done", "Mine, planned"}
    assert goals[0].statement in response.text
    # The page's own goal is not a filter to change; the export repeats it.
    assert 'name="goal"' not in response.text
    assert f"{reverse('activities:export')}?goal={goals[0].pk}" in response.text

    response = viewer_client.get(url, {"status": "planned"}, headers={"HX-Request": "true"})
    assert [a.title for a in response.context["activities"]] == ["Mine, planned"]
    assert "<html" not in response.text


def test_an_unknown_goal_is_a_404(viewer_client):
    assert viewer_client.get(reverse("progress:goal_detail", args=[999999])).status_code == 404


def test_a_goal_page_takes_the_same_number_of_queries_for_10_and_100_activities(
    viewer_client, japan, goals
):
    url = goals[0].get_absolute_url()
    counts = []
    for rows in (10, 90):
        for _ in range(rows):
            ActivityFactory(programme=japan, goals=[goals[0], goals[2]], allies=["FR"])
        viewer_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            viewer_client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1]
