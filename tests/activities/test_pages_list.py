"""The activity list: the API's filters in the URL, sorting, paging, the count of matches,
the CSV export of the current filter, and a fixed number of queries per page."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import ActivityStatus
from goals.models import PartnershipGoal
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db
LIST = reverse("activities:list")


@pytest.fixture
def goals(japan):
    return list(PartnershipGoal.objects.filter(programme=japan).order_by("order"))


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


def titles(response) -> list[str]:
    return [activity.title for activity in response.context["activities"]]


def test_filters_from_the_url_select_the_matching_activities_and_count_them(
    viewer_client, japan, goals
):
    ActivityFactory(programme=japan, title="Cyber talks", goals=[goals[0]], allies=["FR"])
    ActivityFactory(
        programme=japan, title="Cyber drill", goals=[goals[0]], status=ActivityStatus.PLANNED
    )
    ActivityFactory(programme=japan, title="Maritime visit", goals=[goals[5]], allies=["FR"])

    response = viewer_client.get(LIST, {"goal": goals[0].pk, "status": "completed"})
    assert titles(response) == ["Cyber talks"]
    assert response.context["page_obj"].paginator.count == 1
    assert "<strong>1</strong> activity matches" in response.text

    response = viewer_client.get(LIST, {"ally": "FR", "search": "visit"})
    assert titles(response) == ["Maritime visit"]


def test_sorting_and_paging_keep_the_filters(viewer_client, japan, goals):
    for n in range(30):
        ActivityFactory(programme=japan, title=f"Talk {n:02}", goals=[goals[1]])
    ActivityFactory(programme=japan, title="Other goal", goals=[goals[2]])

    response = viewer_client.get(LIST, {"goal": goals[1].pk, "ordering": "title"})
    assert titles(response)[:2] == ["Talk 00", "Talk 01"]
    assert len(titles(response)) == 25
    # The link to the next page carries the filter and the order.
    assert f"?goal={goals[1].pk}&amp;ordering=title&amp;page=2" in response.text

    response = viewer_client.get(LIST, {"goal": goals[1].pk, "ordering": "title", "page": 2})
    assert titles(response) == [f"Talk {n}" for n in range(25, 30)]

    response = viewer_client.get(LIST, {"goal": goals[1].pk, "ordering": "-title", "page": "x"})
    assert titles(response)[0] == "Talk 29"


def test_an_invalid_filter_is_explained_not_a_server_error(viewer_client, japan, goals):
    ActivityFactory(programme=japan, goals=goals[:1])
    response = viewer_client.get(LIST, {"start_date_after": "31/02/2024", "status": "nonsense"})
    assert response.status_code == 200
    assert titles(response) == []
    assert "Some filters are not valid" in response.text
    assert "Enter a valid date." in response.text


def test_htmx_gets_only_the_results_region(viewer_client, japan, goals):
    ActivityFactory(programme=japan, title="Only the results", goals=goals[:1])
    response = viewer_client.get(LIST, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="results">')
    assert "<html" not in response.text
    assert "Only the results" in response.text
    assert "HX-Request" in response["Vary"]

    # A history restore (back button with an empty cache) needs the whole page.
    response = viewer_client.get(
        LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.text


def test_the_list_takes_the_same_number_of_queries_for_10_and_100_rows(viewer_client, japan, goals):
    counts = []
    for rows in (10, 90):  # 10 rows, then 100
        for n in range(rows):
            ActivityFactory(programme=japan, goals=goals[n % 3 : n % 3 + 2], allies=["FR"])
        viewer_client.get(LIST)
        with CaptureQueriesContext(connection) as queries:
            viewer_client.get(LIST, {"status": "completed"})
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_csv_export_streams_the_current_filter(viewer_client, japan, goals):
    ActivityFactory(
        programme=japan,
        title="=HYPERLINK(evil)",
        goals=[goals[0], goals[1]],
        allies=["FR", "DE"],
        start_date=datetime.date(2024, 3, 1),
    )
    ActivityFactory(programme=japan, title="Not in the filter", goals=[goals[5]])

    response = viewer_client.get(reverse("activities:export"), {"goal": goals[0].pk})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="activities-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1
    row = rows[0]
    # A formula typed as a title stays text when the file is opened in a spreadsheet.
    assert row["title"] == "'=HYPERLINK(evil)"
    assert row["goals"] == f"{goals[0].title}; {goals[1].title}"
    assert set(row["allies"].split("; ")) == {"FR", "DE"}
    assert row["start_date"] == "2024-03-01"


def test_csv_export_refuses_an_invalid_filter_with_a_reason(viewer_client):
    response = viewer_client.get(reverse("activities:export"), {"start_date_after": "soon"})
    assert response.status_code == 400
    assert "nothing was exported" in response.text


def test_the_export_link_carries_the_current_filter(viewer_client, goals):
    response = viewer_client.get(LIST, {"goal": goals[0].pk, "page": "2"})
    assert f'href="{reverse("activities:export")}?goal={goals[0].pk}"' in response.text
