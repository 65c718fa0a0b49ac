"""The counting rule: progress counts every record but drafts, whoever reads (drafts are
seen by Editors and Programme managers, never counted); `?review_state=` narrows the counts
as it narrows the list."""

import datetime

import pytest

from tests.api.conftest import token_client
from tests.factories import ActivityFactory, ProgrammeFactory, StockTakeFactory

pytestmark = pytest.mark.django_db

STATES = {"draft": 3, "submitted": 2, "approved": 4, "returned": 1}


@pytest.fixture
def programme():
    programme = ProgrammeFactory(partner="Counting")
    for state, count in STATES.items():
        for day in range(count):
            ActivityFactory(
                programme=programme,
                review_state=state,
                start_date=datetime.date(2024, 3, 1 + day),
            )
    return programme


def progress(user, programme, **filters) -> dict:
    response = token_client(user).get("/api/v1/progress/", {"programme": programme.pk, **filters})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("role", ["viewer", "editor", "manager"])
def test_progress_counts_everything_but_drafts_for_every_role(request, role, programme):
    user = request.getfixturevalue(role)
    data = progress(user, programme)
    counted = sum(count for state, count in STATES.items() if state != "draft")
    assert data["totals"]["activities"]["total"] == counted == 7
    assert sum(goal["activities"]["total"] for goal in data["goals"]) == counted


def test_review_state_filters_the_counts_and_the_list_alike(editor, programme):
    api = token_client(editor)
    for state, count in STATES.items():
        counted = progress(editor, programme, review_state=state)["totals"]["activities"]["total"]
        listed = api.get(
            "/api/v1/activities/", {"programme": programme.pk, "review_state": state}
        ).data["count"]
        assert listed == count  # an Editor lists drafts …
        assert counted == (0 if state == "draft" else count)  # … but never counts them
    approved = progress(editor, programme, review_state="approved")
    assert approved["totals"]["activities"]["total"] == STATES["approved"]


def test_a_closing_stocktake_freezes_counts_without_drafts(manager, programme):
    from goals.services import close_stocktake

    stocktake = StockTakeFactory(programme=programme, year=2024)
    close_stocktake(stocktake, user=manager)
    stocktake.refresh_from_db()
    assert stocktake.snapshot["all"]["totals"]["total"] == 7
    assert stocktake.snapshot["unrestricted"]["totals"]["total"] == 7
