"""The same question gets the same number everywhere: for any combination of activity
filters, each goal's count in the progress API is the activity list's `count` with that
goal added, the programme's total is the list's count, and the dashboard, the report and
the list page's totals show the API's numbers to the same user."""

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from activities.models import ActivityStatus, Releasability
from tests.progress.conftest import ALLIES, TYPES, YEARS

pytestmark = pytest.mark.django_db

# Few examples, derandomized (the machine is small; a failure must reproduce).
INVARIANT_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DAYS = st.dates(datetime.date(2023, 1, 1), datetime.date(2026, 12, 31))


def some(values) -> st.SearchStrategy:
    return st.lists(st.sampled_from(list(values)), max_size=2, unique=True)


@st.composite
def filters(draw, goal_ids, objective_ids, issue_ids) -> list[tuple[str, str]]:
    """A random combination of the activity filters, as query parameters."""
    params: list[tuple[str, str]] = []
    for name, values in [
        ("status", ActivityStatus.values),
        ("activity_type", TYPES),
        ("releasability", Releasability.values),
        ("ally", ALLIES),
        ("goal", goal_ids),
        ("objective", objective_ids),
        ("priority_issue", issue_ids),
    ]:
        if draw(st.booleans()) and draw(st.booleans()):
            params += [(name, str(value)) for value in draw(some(values))]
    if draw(st.booleans()):
        params.append(("year", str(draw(st.sampled_from(YEARS)))))
    for name in ("period_start", "period_end", "start_date_after", "start_date_before"):
        if draw(st.integers(0, 3)) == 0:
            params.append((name, draw(DAYS).isoformat()))
    if draw(st.integers(0, 3)) == 0:
        params.append(("search", draw(st.sampled_from(["cyber", "Maritime", "activity 1"]))))
    return params


def list_count(client, params) -> int:
    response = client.get("/api/v1/activities/?" + urlencode(params))
    assert response.status_code == 200, response.content
    return response.json()["count"]


def dashboard_numbers(client, params) -> tuple[int, dict[int, int]]:
    page = client.get(reverse("progress:dashboard") + "?" + urlencode(params)).content.decode()
    (total,) = re.findall(r'data-total-activities="(\d+)"', page)
    goals = re.findall(r'data-goal="(\d+)" data-total="(\d+)"', page)
    return int(total), {int(goal): int(n) for goal, n in goals}


def list_page_numbers(client, params) -> tuple[int | None, int, str]:
    """The list page's totals by status (None when it shows none), its own count, and the
    page."""
    page = client.get(reverse("activities:list") + "?" + urlencode(params)).content.decode()
    totals = re.findall(r'id="programme-totals" data-total-activities="(\d+)"', page)
    (count,) = re.findall(r'id="match-count" role="status"><strong>(\d+)</strong>', page)
    return (int(totals[0]) if totals else None), int(count), page


def check_list_page(client, params) -> None:
    """The list page's totals, counted by progress, are the list's count (the page's and
    the API's); a filter the page refuses shows no totals, only the refusal."""
    total, count, page = list_page_numbers(client, params)
    if total is None:
        assert "Some filters are not valid" in page
        return
    assert total == count == list_count(client, params)
    statuses = re.findall(r'data-status="\w+" data-count="(\d+)"', page)
    assert sum(int(n) for n in statuses) == total


@pytest.mark.parametrize("role", ["viewer", "manager"])
def test_every_entry_point_gives_the_lists_numbers_under_any_filters(
    role, request, client, testland
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    programme = testland.programme
    goal_ids = [goal.pk for goal in testland.goals]
    objective_ids = [objective.pk for objective in testland.objectives]
    issue_ids = [issue.pk for issue in testland.issues]

    @INVARIANT_SETTINGS
    @given(filters(goal_ids, objective_ids, issue_ids))
    def check(params):
        cache.clear()  # the API's rate counters
        scoped = [("programme", str(programme.pk)), *params]
        response = client.get("/api/v1/progress/?" + urlencode(scoped))
        assert response.status_code == 200, response.content
        progress = response.json()
        names = {name for name, _ in params}

        assert progress["totals"]["activities"]["total"] == list_count(client, scoped)
        assert (
            sum(q["activities"]["total"] for q in progress["quarters"])
            == (progress["totals"]["activities"]["total"])
        )
        # A repeated filter matches any of its values, so `F&goal=<id>` means "this goal
        # among F's goals" only when F names no goal itself (likewise for the others).
        for key, filter_name in [
            ("goals", "goal"),
            ("objectives", "objective"),
            ("priority_issues", "priority_issue"),
        ]:
            if filter_name in names:
                continue
            for row in progress[key]:
                expected = list_count(client, [*scoped, (filter_name, str(row["id"]))])
                assert row["activities"]["total"] == expected, (key, row["id"])

        check_list_page(client, scoped)
        # Without a programme the list spans every programme, and so do its totals.
        check_list_page(client, params)

        total, goals = dashboard_numbers(client, scoped)
        assert total == progress["totals"]["activities"]["total"]
        assert goals == {row["id"]: row["activities"]["total"] for row in progress["goals"]}

        report = client.get(reverse("reports:report", args=[programme.pk]), params)
        assert report.status_code == 200
        document = report.context["report"]
        assert document.totals == progress["totals"]["activities"]
        assert {s.goal.pk: s.counts for s in document.goal_sections} == {
            row["id"]: row["activities"] for row in progress["goals"]
        }

    check()
