"""Every entry point accepts the whole activity filter set: each filter is honoured (the
number equals the activity list's count under it) or refused with its name, never
silently dropped. Names that are no filter are ignored, as DRF ignores them."""

import csv
import io
import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.services import close_stocktake
from progress.query import filter_names
from tests.factories import StockTakeFactory
from tests.progress.conftest import Land

pytestmark = pytest.mark.django_db


def filter_values(land: Land) -> dict[str, str]:
    """One value per filter parameter, each narrowing Testland's activities."""
    return {
        "programme": str(land.programme.pk),
        "goal": str(land.goals[0].pk),
        "objective": str(land.objectives[0].pk),
        "priority_issue": str(land.issues[1].pk),
        "activity_type": "exercise",
        "status": "planned",
        "releasability": "public",
        "ally": "EE",
        "organisation": str(land.organisations[0].pk),
        "nation": "NATO",
        "organisation_role": "lead",
        "review_state": "approved",
        "report_due": "true",
        "start_date_after": "2025-01-01",
        "start_date_before": "2024-06-30",
        "year": "2025",
        "period_start": "2024-03-01",
        "period_end": "2025-03-01",
        "updated_after": "2100-01-01T00:00:00Z",
        "search": "cyber",
        "ordering": "title",
    }


# Filters that change no count in Testland: its own programme, and the order of a list.
UNCHANGING = {"programme", "ordering"}


def list_count(client, params: dict[str, str]) -> int:
    return client.get("/api/v1/activities/?" + urlencode(params)).json()["count"]


def progress(client, params: dict[str, str]):
    return client.get("/api/v1/progress/?" + urlencode(params))


def dashboard_total(client, params: dict[str, str]) -> int:
    page = client.get(reverse("progress:dashboard"), params).content.decode()
    (total,) = re.findall(r'data-total-activities="(\d+)"', page)
    return int(total)


def test_the_filter_values_cover_every_filter_and_each_narrows(manager, client, testland):
    client.force_login(manager)
    values = filter_values(testland)
    assert set(values) == set(filter_names())
    everything = list_count(client, {"programme": testland.programme.pk})
    for name, value in values.items():
        if name not in UNCHANGING:
            assert list_count(client, {name: value, "programme": testland.programme.pk}) < (
                everything
            ), name


@pytest.mark.parametrize("name", sorted(filter_names()))
def test_each_filter_is_honoured_by_the_api_the_dashboard_and_the_report(
    name, manager, client, testland
):
    client.force_login(manager)
    params = {"programme": str(testland.programme.pk), name: filter_values(testland)[name]}
    expected = list_count(client, params)

    api = progress(client, params)
    assert api.status_code == 200
    data = api.json()
    assert data["totals"]["activities"]["total"] == expected
    goal_totals = [row["activities"]["total"] for row in data["goals"]]

    assert dashboard_total(client, params) == expected

    report = client.get(reverse("reports:report", args=[testland.programme.pk]), params)
    assert report.status_code == 200
    assert report.context["report"].totals["total"] == expected

    csv_response = progress(client, {**params, "format": "csv"})
    lines = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(lines)))
    assert [int(row["total"]) for row in rows] == goal_totals

    goal_page = client.get(reverse("progress:goal_list"), params).content.decode()
    assert "filter-refused" not in goal_page


@pytest.mark.parametrize(
    ("query", "name"),
    [("year=twenty", "year"), ("status=bogus", "status"), ("period_end=2025-13-45", "period_end")],
)
def test_an_invalid_filter_is_refused_by_name_everywhere(query, name, manager, client, testland):
    client.force_login(manager)
    pk = testland.programme.pk
    api = client.get(f"/api/v1/progress/?programme={pk}&{query}")
    assert api.status_code == 400
    assert name in api.json()

    dashboard = client.get(f"{reverse('progress:dashboard')}?programme={pk}&{query}")
    page = dashboard.content.decode()
    # The message above the results, and no number that would pretend to be filtered.
    assert re.search(rf'id="filter-refused".*{name}', page, re.S)
    assert "data-total-activities" not in page

    report = client.get(f"{reverse('reports:report', args=[pk])}?{query}")
    assert report.status_code == 400
    assert name in report.content.decode()
    xlsx = client.get(f"{reverse('reports:xlsx', args=[pk])}?{query}")
    assert xlsx.status_code == 400
    assert name in xlsx.content.decode()


def test_names_that_are_no_filter_are_ignored(manager, client, testland):
    client.force_login(manager)
    params = {"programme": testland.programme.pk}
    plain = progress(client, params).json()
    assert progress(client, {**params, "colour": "blue"}).json() == plain
    assert (
        dashboard_total(client, {**params, "colour": "blue"})
        == (plain["totals"]["activities"]["total"])
    )


@pytest.fixture
def closed(testland, manager):
    stocktake = StockTakeFactory(programme=testland.programme, year=2025)
    return close_stocktake(stocktake, user=manager)


@pytest.mark.parametrize("name", sorted(set(filter_names()) - {"ordering"}))
def test_a_closed_stocktakes_report_refuses_each_filter_it_cannot_apply(
    name, manager, client, testland, closed
):
    client.force_login(manager)
    value = filter_values(testland)[name]
    if name == "programme":
        value = "999999"  # its own programme is no filter on it; another one is
    if name == "releasability":
        # Public alone reads the frozen public counts (tests/reports/test_markings.py);
        # a cut the snapshot does not hold is refused.
        value = "internal"
    params = {"stocktake": closed.pk, name: value}
    for view in ("reports:report", "reports:xlsx", "reports:pdf"):
        response = client.get(reverse(view, args=[testland.programme.pk]), params)
        assert response.status_code == 400, view
        text = response.content.decode()
        assert name in text and "frozen" in text


def test_a_closed_stocktakes_report_says_its_counts_are_frozen_and_with_which_filters(
    manager, viewer, client, testland, closed
):
    url = reverse("reports:report", args=[testland.programme.pk])
    for user in (manager, viewer):
        client.force_login(user)
        params = {"stocktake": closed.pk, "ordering": "title", "programme": testland.programme.pk}
        response = client.get(url, params)
        assert response.status_code == 200
        frozen = re.search(r'id="frozen-counts">(.*?)</p>', response.content.decode(), re.S)
        assert "frozen" in frozen.group(1)
        assert "Period from: 2025-01-01" in frozen.group(1)
        assert "Period to: 2025-12-31" in frozen.group(1)
        # The frozen numbers are the live ones of the same filters at closing time.
        live = progress(
            client,
            {
                "programme": testland.programme.pk,
                "period_start": "2025-01-01",
                "period_end": "2025-12-31",
            },
        ).json()
        assert response.context["report"].totals == live["totals"]["activities"]


def test_the_snapshot_is_taken_with_its_filters_for_each_visibility(
    manager, viewer, client, testland, closed
):
    snapshot = closed.snapshot
    assert snapshot["filters"] == {
        "programme": str(testland.programme.pk),
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
    }
    for user, view in ((manager, "all"), (viewer, "unrestricted")):
        client.force_login(user)
        live = progress(client, {**snapshot["filters"]}).json()
        assert snapshot[view]["totals"] == live["totals"]["activities"]
        assert snapshot[view]["goals"] == [
            {key: goal[key] for key in snapshot[view]["goals"][0]} for goal in live["goals"]
        ]
    assert snapshot["all"]["totals"]["total"] > snapshot["unrestricted"]["totals"]["total"]


FILTERED = {
    "status": ["planned", "completed"],
    "activity_type": "exercise",
    "ally": "EE",
    "year": "2025",
    "search": "cyber",
}


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_progress_api_queries_are_few_and_do_not_grow_with_the_programme(
    manager, client, testland, japan, django_assert_max_num_queries
):
    client.force_login(manager)
    for programme in (testland.programme, japan):
        url = "/api/v1/progress/?" + urlencode({"programme": programme.pk, **FILTERED}, True)
        # Session, user and permissions (4), the request's savepoint (2), the programme
        # and the Ally the filters name (3); goals, objectives, issues (3); the counts per
        # goal, objective and issue, the totals and the quarters (5); the ratings (1).
        with django_assert_max_num_queries(18):
            assert client.get(url).status_code == 200
        # The CSV reads the objectives per goal instead of the ratings.
        with django_assert_max_num_queries(18):
            assert client.get(url + "&format=csv").status_code == 200


def test_dashboard_queries_are_few_and_do_not_grow_with_the_programme(
    manager, client, testland, japan, django_assert_max_num_queries
):
    client.force_login(manager)
    counts = []
    for programme in (testland.programme, japan):
        url = (
            reverse("progress:dashboard")
            + "?"
            + urlencode({"programme": programme.pk, **FILTERED}, True)
        )
        with django_assert_max_num_queries(30):
            counts.append(query_count(client, url))
    assert counts[0] == counts[1]


def test_a_reports_first_page_names_its_filters_in_words(manager, client, testland):
    client.force_login(manager)
    goal = testland.goals[0]
    params = {"goal": goal.pk, "ally": "EE", "status": "planned", "year": "2025"}
    page = client.get(reverse("reports:report", args=[testland.programme.pk]), params)
    header = page.content.decode().split('class="report-header"')[1].split("</header>")[0]
    assert f"Partnership goal: {goal.title}" in header
    assert "Ally: Estonia" in header
    assert "Status: Planned" in header
    assert "Year: 2025" in header


def test_restricted_activities_count_for_no_one_who_may_not_see_them(
    viewer, editor, manager, client, testland
):
    params = {"programme": testland.programme.pk, "releasability": "restricted"}
    for user, sees in ((viewer, False), (editor, False), (manager, True)):
        client.force_login(user)
        data = progress(client, params).json()
        csv_body = b"".join(progress(client, {**params, "format": "csv"}).streaming_content)
        rows = list(csv.DictReader(io.StringIO(csv_body.decode("utf-8-sig"))))
        report = client.get(reverse("reports:report", args=[testland.programme.pk]), params)
        numbers = [
            data["totals"]["activities"]["total"],
            sum(int(row["total"]) for row in rows),
            dashboard_total(client, params),
            report.context["report"].totals["total"],
        ]
        if sees:
            assert min(numbers) > 0, user
        else:
            assert numbers == [0, 0, 0, 0], user


def test_the_dashboard_counts_no_quarters_by_status_and_shows_the_apis_totals(
    manager, client, testland, monkeypatch
):
    """The dashboard shows quarters by type (its chart), not by status: counting those
    (the API's `quarters`) was an aggregate over every matching activity for nothing."""
    from progress import querysets

    client.force_login(manager)
    params = {"programme": testland.programme.pk}
    expected = progress(client, params).json()["totals"]["activities"]["total"]
    cache.clear()  # cold: nothing the API counted may answer the dashboard

    def refuse(query):
        raise AssertionError("the dashboard counted quarters by status")

    monkeypatch.setattr(querysets, "quarters", refuse)
    page = client.get(reverse("progress:dashboard"), params)
    assert page.status_code == 200
    assert f'data-total-activities="{expected}"' in page.content.decode()
