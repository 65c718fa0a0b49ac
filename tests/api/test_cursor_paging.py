"""Cursor paging of the activity log (`?pagination=cursor`): every row once, in order, at a
cost that does not depend on the depth of the page."""

import base64
import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Activity, ActivityStatus, ActivityType, Releasability
from tests.factories import ActivityFactory, replace_with_linked_activities

URL = "/api/v1/activities/?pagination=cursor"
DAY = datetime.date(2024, 1, 1)


def bulk_activities(programme, goal, count: int, **fields) -> list[Activity]:
    """`count` activities over a few start dates, so that many share one (ties by id)."""
    rows = Activity.objects.bulk_create(
        Activity(
            **{
                "programme": programme,
                "title": f"Activity {n:04}",
                "activity_type": ActivityType.TRAINING,
                "status": ActivityStatus.COMPLETED,
                "start_date": DAY + datetime.timedelta(days=n % 4),
                **fields,
            }
        )
        for n in range(count)
    )
    Activity.goals.through.objects.bulk_create(
        Activity.goals.through(activity_id=row.pk, partnershipgoal_id=goal.pk) for row in rows
    )
    return rows


def walk(client, url: str, between=None) -> list[int]:
    """The ids of every page, following `next`; `between(page_number)` runs after each."""
    seen: list[int] = []
    number = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        page = response.json()
        assert "count" not in page
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
        number += 1
        if between is not None and url:
            between(number)
    return seen


def newest_first(queryset) -> list[int]:
    return list(queryset.order_by("-start_date", "-id").values_list("pk", flat=True))


def test_walking_every_cursor_page_gives_each_visible_activity_once_in_order(
    viewer_api, japan, goal
):
    bulk_activities(japan, goal, 23)
    bulk_activities(japan, goal, 5, releasability=Releasability.RESTRICTED)
    visible = newest_first(Activity.objects.exclude(releasability=Releasability.RESTRICTED))
    assert len(visible) == 23

    assert walk(viewer_api, f"{URL}&page_size=5") == visible


def test_a_manager_walks_the_restricted_activities_too(manager_api, japan, goal):
    bulk_activities(japan, goal, 7)
    bulk_activities(japan, goal, 3, releasability=Releasability.RESTRICTED)

    assert walk(manager_api, f"{URL}&page_size=4") == newest_first(Activity.objects.all())


def test_rows_written_during_the_walk_neither_repeat_nor_hide_older_rows(viewer_api, japan, goal):
    original = bulk_activities(japan, goal, 20)
    before = newest_first(Activity.objects.all())

    def insert(page_number: int) -> None:
        # Rows behind the cursor (newer), on the dates being walked (where only the id
        # places them), and one older than anything so far: ahead of the cursor.
        for offset in (5, 0, 1, 2, -10 - page_number):
            ActivityFactory(
                programme=japan, goals=[goal], start_date=DAY + datetime.timedelta(days=offset)
            )

    seen = walk(viewer_api, f"{URL}&page_size=3", between=insert)

    assert len(seen) == len(set(seen))
    assert [pk for pk in seen if pk in {row.pk for row in original}] == before
    assert seen == newest_first(Activity.objects.filter(pk__in=seen))
    ahead = Activity.objects.filter(start_date__lt=DAY)
    assert ahead.count() > 3
    assert set(ahead.values_list("pk", flat=True)) <= set(seen)


def test_previous_links_walk_back_through_the_same_pages(viewer_api, japan, goal):
    bulk_activities(japan, goal, 11)
    pages, url = [], f"{URL}&page_size=4"
    while url:
        page = viewer_api.get(url).json()
        pages.append([row["id"] for row in page["results"]])
        url = page["next"]
    assert [len(p) for p in pages] == [4, 4, 3]
    assert viewer_api.get(f"{URL}&page_size=4").json()["previous"] is None

    # From the last page back to the first, which has no previous link.
    back, url = [], page["previous"]
    while url:
        page = viewer_api.get(url).json()
        back.append([row["id"] for row in page["results"]])
        url = page["previous"]
    assert back == pages[-2::-1]


def test_cursor_pages_keep_the_filters_and_can_run_oldest_first(viewer_api, japan, goal):
    bulk_activities(japan, goal, 9)
    bulk_activities(japan, goal, 6, status=ActivityStatus.PLANNED)
    planned = Activity.objects.filter(status=ActivityStatus.PLANNED)

    assert walk(viewer_api, f"{URL}&page_size=4&status=planned") == newest_first(planned)
    oldest_first = list(planned.order_by("start_date", "id").values_list("pk", flat=True))
    assert walk(viewer_api, f"{URL}&page_size=4&status=planned&ordering=start_date") == (
        oldest_first
    )


def test_a_cursor_page_reads_a_fixed_number_of_queries_and_never_counts(viewer_api, japan):
    def queries_for(rows: int) -> list[str]:
        replace_with_linked_activities(japan, rows)
        first = viewer_api.get(f"{URL}&page_size=5").json()
        with CaptureQueriesContext(connection) as queries:
            response = viewer_api.get(first["next"].replace("page_size=5", "page_size=100"))
        assert len(response.json()["results"]) == rows - 5
        return [query["sql"] for query in queries]

    few, many = queries_for(10), queries_for(100)
    assert len(few) == len(many)
    assert not [sql for sql in many if "COUNT(" in sql.upper()]


def cursor(payload: dict) -> str:
    text = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "!!!!",
        "x" * 300,
        cursor({"o": "", "d": "after"}),
        cursor({"o": "", "d": "sideways", "k": ["2024-01-01", 1]}),
        cursor({"o": "", "d": "after", "k": ["2024-01-01"]}),
        cursor({"o": "", "d": "after", "k": ["not a date", 1]}),
        cursor({"o": "", "d": "after", "k": ["2024-01-01", "1"]}),
        cursor({"o": "", "d": "after", "k": ["2024-01-01", 2**70]}),
        cursor({"o": "", "d": "after", "k": ["2024-01-01", True]}),
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
    ],
)
def test_a_malformed_cursor_is_a_400_on_cursor(viewer_api, value):
    response = viewer_api.get(f"{URL}&cursor={value}")
    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor."]}


def test_a_cursor_made_for_another_ordering_is_a_400(viewer_api, japan, goal):
    bulk_activities(japan, goal, 3)
    next_link = viewer_api.get(f"{URL}&page_size=1&ordering=start_date").json()["next"]
    response = viewer_api.get(next_link.replace("ordering=start_date", "ordering=-start_date"))
    assert response.status_code == 400
    assert "another ordering" in response.json()["cursor"][0]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("pagination=cursor&ordering=title", "ordering"),
        ("pagination=cursor&ordering=-start_date,title", "ordering"),
        ("pagination=cursor&page=2", "page"),
        ("pagination=sideways", "pagination"),
        ("pagination=page&cursor=abc", "cursor"),
    ],
)
def test_what_cursor_paging_cannot_do_is_a_400_saying_why(viewer_api, query, key):
    response = viewer_api.get(f"/api/v1/activities/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [key]


def test_page_numbers_stay_the_default(viewer_api, japan, goal):
    bulk_activities(japan, goal, 3)
    page = viewer_api.get("/api/v1/activities/?page_size=2").json()
    assert page["count"] == 3
    assert "page=2" in page["next"]
    assert "cursor" not in page["next"]


def test_the_schema_documents_cursor_paging(editor_api):
    schema = editor_api.get("/api/v1/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/activities/"]["get"]["parameters"]}
    assert parameters["pagination"]["schema"]["enum"] == ["page", "cursor"]
    assert parameters["cursor"]["schema"]["type"] == "string"
    listed = schema["components"]["schemas"]["PaginatedActivityList"]
    assert listed["required"] == ["next", "previous", "results"]
