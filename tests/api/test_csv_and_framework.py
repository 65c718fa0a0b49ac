"""CSV export of activities, and the read-only framework lists."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.exports import BOM, COLUMNS
from activities.models import ActivityStatus
from tests.factories import ActivityFactory, PriorityIssueFactory, ProgrammeFactory, UserFactory


def csv_rows(response) -> list[dict[str, str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def activities(japan):
    author = UserFactory(username="author")
    goals = list(japan.partnership_goals.all())
    made = []
    for n in range(60):
        made.append(
            ActivityFactory(
                programme=japan,
                title=f'Talks, round {n} "in depth"',
                goals=goals[n % 3 : n % 3 + 2],
                objectives=[japan.strategic_objectives.first()] if n % 2 else [],
                allies=["FR", "DE"] if n % 4 == 0 else [],
                status=ActivityStatus.PLANNED if n % 5 else ActivityStatus.COMPLETED,
                start_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
                participants=n or None,
                description="Line one\nline two",
                created_by=author,
                updated_by=author,
            )
        )
    return made


def test_csv_is_the_list_pages_export_for_the_same_filter(viewer_api, viewer_client, activities):
    # One format for every export (and the import): the API's CSV is the page's file.
    query = "status=planned&ordering=title"
    response = viewer_api.get(f"/api/v1/activities/?{query}&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="activities.csv"'
    content = b"".join(response.streaming_content)
    page = viewer_client.get(f"{reverse('activities:export')}?{query}")
    assert content == b"".join(page.streaming_content)
    assert content.startswith(BOM.encode())


def test_csv_holds_every_matching_activity_as_the_json_list_does(viewer_api, activities):
    query = "status=planned&ordering=title"
    pages, url = [], f"/api/v1/activities/?{query}&page_size=20"
    while url:
        page = viewer_api.get(url).json()
        pages += page["results"]
        url = page["next"]
    rows = csv_rows(viewer_api.get(f"/api/v1/activities/?{query}&format=csv"))
    assert len(rows) == 48  # every matching activity, not one page
    assert list(rows[0]) == COLUMNS
    assert [(r["id"], r["title"], r["releasability"], r["version"]) for r in rows] == [
        (str(p["id"]), p["title"], p["releasability"], str(p["version"])) for p in pages
    ]


def test_accept_text_csv_gives_csv_too(viewer_api, activities):
    response = viewer_api.get("/api/v1/activities/", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(csv_rows(response)) == 60


def test_csv_of_no_rows_is_just_the_header(viewer_api, japan):
    response = viewer_api.get("/api/v1/activities/?format=csv")
    content = b"".join(response.streaming_content).decode()
    assert content.startswith("\ufeffid,programme,title,")
    assert content.count("\n") == 1


def test_csv_cells_that_spreadsheets_would_run_are_defused(viewer_api, japan):
    ActivityFactory(
        programme=japan,
        goals=[japan.partnership_goals.first()],
        title="=HYPERLINK(1)",
        location="@here",
        outcome="-1+1",
    )
    row = csv_rows(viewer_api.get("/api/v1/activities/?format=csv"))[0]
    assert (row["title"], row["location"], row["outcome"]) == ("'=HYPERLINK(1)", "'@here", "'-1+1")


def test_csv_request_with_a_bad_filter_gets_a_json_400(viewer_api):
    response = viewer_api.get("/api/v1/activities/?format=csv&status=bogus")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "status" in response.json()


def test_csv_needs_view_permission(api_as, anonymous):
    assert anonymous.get("/api/v1/activities/?format=csv").status_code == 401
    assert api_as(None).get("/api/v1/activities/?format=csv").status_code == 403


def test_csv_only_for_the_activity_list(viewer_api, activities):
    assert viewer_api.get(f"/api/v1/activities/{activities[0].pk}/?format=csv").status_code == 404


def test_csv_export_queries_do_not_grow_with_the_rows(viewer_api, japan, activities):
    # (Within one chunk of CSV_CHUNK_SIZE rows; each further chunk costs its own few.)
    def count_queries(rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert len(csv_rows(viewer_api.get("/api/v1/activities/?format=csv"))) == rows
        return len(queries)

    sixty = count_queries(60)
    ActivityFactory.create_batch(40, programme=japan, goals=[japan.partnership_goals.first()])
    assert count_queries(100) == sixty


# --- the framework ------------------------------------------------------------------


def test_programmes_list_their_fields(viewer_api, japan):
    data = viewer_api.get("/api/v1/programmes/").json()
    assert data["count"] == 1
    assert data["results"][0] == {
        "id": japan.pk,
        "partner": "Japan",
        "name": japan.name,
        # No official Japanese text of the programme exists: left empty, never invented.
        "name_ja": "",
        "start_year": 2023,
        "end_year": 2026,
        "description": japan.description,
        "description_ja": "",
    }


def test_objectives_issues_and_goals_of_the_japan_programme(viewer_api, japan):
    objectives = viewer_api.get(f"/api/v1/objectives/?programme={japan.pk}").json()
    assert objectives["count"] == 3
    assert set(objectives["results"][0]) == {
        "id",
        "programme",
        "number",
        "title",
        "title_ja",
        "description",
        "description_ja",
    }
    issues = viewer_api.get(f"/api/v1/priority-issues/?programme={japan.pk}").json()
    assert issues["count"] == 4
    assert set(issues["results"][0]) == {"id", "programme", "number", "title", "title_ja"}
    goals = viewer_api.get(f"/api/v1/goals/?programme={japan.pk}").json()
    assert goals["count"] == 16
    assert set(goals["results"][0]) == {
        "id",
        "programme",
        "priority_issue",
        "title",
        "title_ja",
        "statement",
        "statement_ja",
        "order",
    }
    assert [goal["order"] for goal in goals["results"]] == sorted(
        goal["order"] for goal in goals["results"]
    )


def test_framework_filters(viewer_api, japan):
    other = ProgrammeFactory()
    issue = PriorityIssueFactory(programme=other)
    assert viewer_api.get(f"/api/v1/priority-issues/?programme={other.pk}").json()["results"] == [
        {
            "id": issue.pk,
            "programme": other.pk,
            "number": issue.number,
            "title": issue.title,
            "title_ja": "",
        }
    ]
    first_issue = japan.priority_issues.order_by("number").first()
    goals = viewer_api.get(f"/api/v1/goals/?priority_issue={first_issue.pk}").json()["results"]
    assert {goal["id"] for goal in goals} == set(
        first_issue.partnership_goals.values_list("pk", flat=True)
    )
    assert viewer_api.get(f"/api/v1/objectives/?programme={other.pk}").json()["count"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/objectives/?programme=abc",
        "/api/v1/priority-issues/?programme=999999",
        "/api/v1/goals/?priority_issue=x",
        "/api/v1/goals/?programme=99999999999999999999",
    ],
)
def test_framework_filters_refuse_unknown_values(url, viewer_api):
    response = viewer_api.get(url)
    assert response.status_code == 400
    assert set(response.json()) <= {"programme", "priority_issue"}


def test_all_32_allies_by_code(viewer_api):
    data = viewer_api.get("/api/v1/allies/").json()
    assert data["count"] == 32
    codes = {ally["code"] for ally in data["results"]}
    assert {"FR", "DE", "US", "FI", "SE"} <= codes
    assert viewer_api.get("/api/v1/allies/FR/").json() == {"code": "FR", "name": "France"}


@pytest.mark.parametrize("endpoint", ["programmes", "objectives", "priority-issues", "goals"])
def test_framework_list_queries_do_not_grow_with_the_page(endpoint, viewer_api, japan):
    def count_queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = viewer_api.get(f"/api/v1/{endpoint}/?page_size={page_size}")
            assert response.status_code == 200
        return len(queries)

    assert count_queries(1) == count_queries(100)
