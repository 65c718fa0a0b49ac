"""Reading and writing activities over the API: rules, errors, filters, paging."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, ActivityStatus, ActivityType
from tests.factories import (
    ActivityFactory,
    PartnershipGoalFactory,
    ProgrammeFactory,
    StrategicObjectiveFactory,
    UserFactory,
    replace_with_linked_activities,
    running_programme,
)

# --- creating and changing ----------------------------------------------------------


def test_create_derives_the_programme_from_the_goals_and_records_the_author(
    editor_api, editor, japan, goal, valid
):
    objective = japan.strategic_objectives.first()
    body = {**valid, "objectives": [objective.pk], "allies": ["FR", "DE"]}
    response = editor_api.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    activity = Activity.objects.get(pk=data["id"])
    assert activity.programme == japan
    assert activity.created_by == activity.updated_by == editor
    assert list(activity.goals.all()) == [goal]
    assert list(activity.objectives.all()) == [objective]
    assert sorted(activity.allies.values_list("code", flat=True)) == ["DE", "FR"]
    assert data["programme"] == japan.pk
    assert data["created_by"] == data["updated_by"] == "editor"
    assert sorted(data["allies"]) == ["DE", "FR"]
    assert data["status"] == "planned"


def test_created_by_and_timestamps_cannot_be_set_by_the_client(editor_api, valid):
    body = {**valid, "created_by": "someone", "created_at": "2000-01-01T00:00:00Z", "id": 999}
    data = editor_api.post("/api/v1/activities/", body, format="json").json()
    assert data["created_by"] == "editor"
    assert not data["created_at"].startswith("2000")
    assert data["id"] != 999


def test_goals_of_two_programmes_without_a_programme_are_refused_on_goals(editor_api, goal, valid):
    other = PartnershipGoalFactory()
    body = {**valid, "goals": [goal.pk, other.pk]}
    response = editor_api.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["goals"]
    assert not Activity.objects.exists()


def test_goals_and_objectives_must_belong_to_the_activitys_programme(editor_api, japan, valid):
    other_goal = PartnershipGoalFactory()
    other_objective = StrategicObjectiveFactory(programme=other_goal.programme)
    body = {**valid, "programme": japan.pk, "goals": [other_goal.pk]}
    body["objectives"] = [other_objective.pk]
    response = editor_api.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"goals", "objectives"}


def test_patch_changes_only_what_is_sent_and_records_who(editor_api, editor, japan, goal):
    author = UserFactory(username="author")
    activity = ActivityFactory(programme=japan, goals=[goal], allies=["FR"], created_by=author)
    response = editor_api.patch(
        f"/api/v1/activities/{activity.pk}/", {"location": "Tokyo"}, format="json"
    )
    assert response.status_code == 200
    activity.refresh_from_db()
    assert activity.location == "Tokyo"
    assert activity.created_by == author
    assert activity.updated_by == editor
    assert list(activity.allies.values_list("code", flat=True)) == ["FR"]
    assert response.json()["updated_by"] == "editor"


def test_put_replaces_the_links(editor_api, japan, goal, valid):
    activity = ActivityFactory(programme=japan, goals=[goal], allies=["FR"])
    second = japan.partnership_goals.get(order=2)
    body = {**valid, "goals": [second.pk], "allies": []}
    response = editor_api.put(f"/api/v1/activities/{activity.pk}/", body, format="json")
    assert response.status_code == 200
    assert response.json()["goals"] == [second.pk]
    assert list(activity.goals.all()) == [second]
    assert not activity.allies.exists()


def test_moving_an_activity_to_another_programme_checks_its_existing_goals(editor_api, japan, goal):
    activity = ActivityFactory(programme=japan, goals=[goal])
    other = ProgrammeFactory()
    response = editor_api.patch(
        f"/api/v1/activities/{activity.pk}/", {"programme": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["goals"]
    activity.refresh_from_db()
    assert activity.programme == japan


def test_a_refused_update_changes_nothing(editor_api, japan, goal):
    activity = ActivityFactory(programme=japan, goals=[goal], title="Before")
    body = {"title": "After", "goals": [], "allies": ["FR"]}
    response = editor_api.patch(f"/api/v1/activities/{activity.pk}/", body, format="json")
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.title == "Before"
    assert list(activity.goals.all()) == [goal]
    assert not activity.allies.exists()


def test_programme_managers_delete_activities_and_their_links(manager_api, japan, goal):
    activity = ActivityFactory(programme=japan, goals=[goal], allies=["FR"])
    assert manager_api.delete(f"/api/v1/activities/{activity.pk}/").status_code == 204
    assert not Activity.objects.exists()
    assert not Activity.goals.through.objects.exists()


# --- bad input: 400 with the field named -------------------------------------------

BAD_BODIES = {
    "malformed JSON": ('{"title": "x",', "non_field_errors"),
    "a JSON array": ("[]", "non_field_errors"),
    "JSON null": ("null", "non_field_errors"),
    "a JSON string": ('"activity"', "non_field_errors"),
    "participants not a number": ({"participants": "many"}, "participants"),
    "negative participants": ({"participants": -1}, "participants"),
    "participants beyond the integer range": ({"participants": 2**40}, "participants"),
    "start_date not a string": ({"start_date": 20250101}, "start_date"),
    "unknown status": ({"status": "bogus"}, "status"),
    "unknown activity type": ({"activity_type": "party"}, "activity_type"),
    "30 February": ({"start_date": "2025-02-30"}, "start_date"),
    "unknown goal id": ({"goals": [999999]}, "goals"),
    "goal id beyond bigint": ({"goals": [10**20]}, "goals"),
    "goal id of the wrong type": ({"goals": ["one"]}, "goals"),
    "goals not a list": ({"goals": 1}, "goals"),
    "empty goal list": ({"goals": []}, "goals"),
    "missing goals": ({"goals": None}, "goals"),
    "Ally code that is not an Ally": ({"allies": ["XX"]}, "allies"),
    "lower-case Ally code": ({"allies": ["fr"]}, "allies"),
    "title over 255 characters": ({"title": "x" * 256}, "title"),
    "empty title": ({"title": ""}, "title"),
    "NUL character in the title": ({"title": "a\x00b"}, "title"),
    "unknown programme": ({"programme": 999999}, "programme"),
    "programme null": ({"programme": None}, "programme"),
    "end before start": ({"end_date": "2025-03-01"}, "end_date"),
    "more women than participants": (
        {"participants": 3, "women_participants": 4},
        "women_participants",
    ),
    "women without participants": ({"women_participants": 4}, "women_participants"),
    "objectives with an unknown id": ({"objectives": [999999]}, "objectives"),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_input_gets_400_naming_the_field(case, editor_api, valid):
    change, field = BAD_BODIES[case]
    if isinstance(change, str):
        body = change
    else:
        body = {**valid, **change}
        body = json.dumps({k: v for k, v in body.items() if v is not None or k != "goals"})
    response = editor_api.post("/api/v1/activities/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json(), response.json()
    assert not Activity.objects.exists()


def test_a_completed_activity_in_the_future_gets_400_naming_the_status(editor_api, valid):
    # Under a programme whose years hold the date, whatever today is: only the status is wrong.
    goal = running_programme(goals=1).partnership_goals.get()
    future = timezone.localdate() + datetime.timedelta(days=30)
    body = {**valid, "goals": [goal.pk], "status": "completed", "start_date": future.isoformat()}
    response = editor_api.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["status"], response.json()
    assert not Activity.objects.exists()


def test_a_body_that_is_not_json_gets_415(editor_api, valid):
    response = editor_api.post("/api/v1/activities/", "title=x", content_type="text/plain")
    assert response.status_code == 415
    assert response["Content-Type"] == "application/json"


# --- not found ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/activities/abc/",
        "/api/v1/activities/-1/",
        "/api/v1/activities/999999/",
        "/api/v1/activities/99999999999999999999/",
        "/api/v1/activities/1.5/",
        "/api/v1/goals/99999999999999999999/",
        "/api/v1/allies/XX/",
        "/api/v1/allies/fr/",
        "/api/v1/nothing-here/",
        "/api/v1/",
    ],
)
def test_what_does_not_exist_is_a_json_404(url, viewer_api):
    response = viewer_api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_writes_to_an_unknown_activity_are_404(manager_api, valid):
    for method in ("put", "patch", "delete"):
        response = getattr(manager_api, method)(
            "/api/v1/activities/99999999999999999999/", valid, format="json"
        )
        assert response.status_code == 404, method


# --- paging ---------------------------------------------------------------------------


def bulk_activities(programme, goal, count: int) -> None:
    rows = Activity.objects.bulk_create(
        Activity(
            programme=programme,
            title=f"Activity {n:04}",
            activity_type=ActivityType.TRAINING,
            status=ActivityStatus.COMPLETED,
            start_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 365),
        )
        for n in range(count)
    )
    Activity.goals.through.objects.bulk_create(
        Activity.goals.through(activity_id=row.pk, partnershipgoal_id=goal.pk) for row in rows
    )


def test_pages_of_50_by_default_up_to_500_on_request(viewer_api, japan, goal):
    bulk_activities(japan, goal, 501)
    first = viewer_api.get("/api/v1/activities/").json()
    assert first["count"] == 501
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert "page=2" in first["next"]
    assert len(viewer_api.get("/api/v1/activities/?page_size=10").json()["results"]) == 10
    assert len(viewer_api.get("/api/v1/activities/?page_size=5000").json()["results"]) == 500
    last = viewer_api.get("/api/v1/activities/?page_size=500&page=2").json()
    assert len(last["results"]) == 1
    assert last["next"] is None


def test_paging_through_every_page_gives_every_row_once(viewer_api, japan, goal):
    bulk_activities(japan, goal, 25)
    seen, url = [], "/api/v1/activities/?page_size=7&ordering=start_date"
    while url:
        page = viewer_api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(Activity.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("query", "status", "key"),
    [
        ("page=99", 404, "detail"),
        ("page=0", 404, "detail"),
        ("page=abc", 404, "detail"),
        ("page_size=abc", 400, "page_size"),
        ("page_size=0", 400, "page_size"),
        ("page_size=-5", 400, "page_size"),
    ],
)
def test_bad_paging_gets_a_json_error(query, status, key, viewer_api):
    response = viewer_api.get(f"/api/v1/activities/?{query}")
    assert response.status_code == status
    assert key in response.json()


def test_the_number_of_queries_does_not_grow_with_the_page(viewer_api, japan):
    def count_queries(rows: int) -> int:
        replace_with_linked_activities(japan, rows)
        with CaptureQueriesContext(connection) as queries:
            response = viewer_api.get("/api/v1/activities/?page_size=100")
        assert len(response.json()["results"]) == rows
        return len(queries)

    assert count_queries(10) == count_queries(100)


def test_a_list_page_reads_its_rows_and_links_in_one_query_outside_a_transaction(viewer_api, japan):
    # Besides authentication and permissions: the count, then the page with its links
    # (activities.rows.PagedRecords); a read needs no BEGIN and COMMIT.
    replace_with_linked_activities(japan, 30)
    with CaptureQueriesContext(connection) as queries:
        response = viewer_api.get("/api/v1/activities/?page_size=10&page=2")
    assert len(response.json()["results"]) == 10
    statements = [q["sql"] for q in queries]
    # (In a test the transaction would show as a savepoint.)
    assert not [sql for sql in statements if sql.startswith(("BEGIN", "COMMIT", "SAVEPOINT"))]
    reads = [sql for sql in statements if "activities_activity" in sql]
    assert len(reads) == 2, reads
    assert "COUNT(" in reads[0].upper()
    assert "activities_activity_goals" in reads[1] and "LIMIT 10 OFFSET 10" in reads[1]
    assert len(statements) <= 6, statements


# --- filters ---------------------------------------------------------------------------


@pytest.fixture
def catalogue(japan):
    """Four activities that differ in everything the filters look at."""
    goal_a1 = japan.partnership_goals.get(order=1)
    issue_a = goal_a1.priority_issue
    goal_b = japan.partnership_goals.exclude(priority_issue=issue_a).first()
    objective = japan.strategic_objectives.first()
    other = PartnershipGoalFactory()
    return {
        "cyber": ActivityFactory(
            programme=japan,
            title="Cyber range",
            goals=[goal_a1],
            objectives=[objective],
            allies=["FR"],
            activity_type=ActivityType.EXERCISE,
            status=ActivityStatus.COMPLETED,
            start_date=datetime.date(2024, 2, 1),
            end_date=datetime.date(2024, 2, 5),
        ),
        "maritime": ActivityFactory(
            programme=japan,
            title="Port visit",
            goals=[goal_b],
            allies=["DE", "IT"],
            activity_type=ActivityType.VISIT,
            status=ActivityStatus.PLANNED,
            start_date=datetime.date(2025, 6, 1),
            location="Yokosuka",
        ),
        "seminar": ActivityFactory(
            programme=japan,
            title="Seminar",
            goals=[goal_a1, goal_b],
            activity_type=ActivityType.CONFERENCE,
            status=ActivityStatus.ONGOING,
            start_date=datetime.date(2025, 1, 10),
            description="On space situational awareness",
            outcome="Agreed a work plan",
        ),
        "elsewhere": ActivityFactory(
            programme=other.programme,
            title="Elsewhere",
            goals=[other],
            status=ActivityStatus.CANCELLED,
            start_date=datetime.date(2023, 5, 5),
        ),
        "goal_a1": goal_a1,
        "goal_b": goal_b,
        "issue_a": issue_a,
        "objective": objective,
    }


FILTERS = [
    ("programme={japan}", {"cyber", "maritime", "seminar"}),
    ("goal={goal_a1}", {"cyber", "seminar"}),
    ("goal={goal_a1}&goal={goal_b}", {"cyber", "maritime", "seminar"}),
    ("objective={objective}", {"cyber"}),
    ("priority_issue={issue_a}", {"cyber", "seminar"}),
    ("activity_type=visit", {"maritime"}),
    ("activity_type=visit&activity_type=exercise", {"cyber", "maritime"}),
    ("status=planned&status=ongoing", {"maritime", "seminar"}),
    ("ally=DE", {"maritime"}),
    ("ally=FR&ally=IT", {"cyber", "maritime"}),
    ("start_date_after=2025-01-10", {"maritime", "seminar"}),
    ("start_date_before=2024-02-01", {"cyber", "elsewhere"}),
    ("start_date_after=2024-01-01&start_date_before=2024-12-31", {"cyber"}),
    ("search=yokosuka", {"maritime"}),
    ("search=SPACE", {"seminar"}),
    ("search=work plan", {"seminar"}),
    ("search=cyber", {"cyber"}),
    ("status=completed&programme={japan}&ally=FR", {"cyber"}),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_each_filter_selects_the_right_activities(query, expected, viewer_api, catalogue, japan):
    ids = {key: value.pk for key, value in catalogue.items()}
    url = "/api/v1/activities/?" + query.format(japan=japan.pk, **ids)
    response = viewer_api.get(url)
    assert response.status_code == 200
    found = {row["id"] for row in response.json()["results"]}
    assert found == {catalogue[name].pk for name in expected}


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_the_list_and_its_count_read_each_activity_once_without_distinct(
    query, expected, viewer_api, catalogue, japan
):
    # DISTINCT over whole rows would hide a join and made the count sort every matching
    # row (house style: EXISTS instead). The "seminar" serves both goals of
    # `goal={goal_a1}&goal={goal_b}`, the multi-goal case a join would duplicate.
    ids = {key: value.pk for key, value in catalogue.items()}
    url = "/api/v1/activities/?" + query.format(japan=japan.pk, **ids)
    with CaptureQueriesContext(connection) as queries:
        page = viewer_api.get(url).json()
    found = [row["id"] for row in page["results"]]
    assert sorted(found) == sorted(catalogue[name].pk for name in expected)
    assert page["count"] == len(expected)
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]
    # The count reads the activities alone: a join to the users (for the page's usernames)
    # kept PostgreSQL from counting by an index-only scan.
    (count,) = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert "auth_user" not in count


def test_an_activity_of_several_goals_is_listed_and_exported_once(viewer_api, catalogue):
    goals = f"goal={catalogue['goal_a1'].pk}&goal={catalogue['goal_b'].pk}"
    seminar = catalogue["seminar"].pk
    page = viewer_api.get(f"/api/v1/activities/?{goals}&status=ongoing").json()
    assert page["count"] == 1
    assert [row["id"] for row in page["results"]] == [seminar]
    lines = b"".join(
        viewer_api.get(f"/api/v1/activities/?{goals}&status=ongoing&format=csv").streaming_content
    ).splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(f"{seminar},".encode())


def test_updated_after_returns_what_changed_since(viewer_api, catalogue):
    # Fixed times on both sides of the cut, not "now": a cut once in the future (2030) would
    # let every activity through after that year.
    Activity.objects.update(updated_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    since = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    Activity.objects.filter(pk=catalogue["seminar"].pk).update(updated_at=since)
    response = viewer_api.get("/api/v1/activities/?updated_after=2024-12-31T23:00:00Z")
    assert [row["id"] for row in response.json()["results"]] == [catalogue["seminar"].pk]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("start_date", ["elsewhere", "cyber", "seminar", "maritime"]),
        ("-start_date", ["maritime", "seminar", "cyber", "elsewhere"]),
        ("title", ["cyber", "elsewhere", "maritime", "seminar"]),
        ("-title", ["seminar", "maritime", "elsewhere", "cyber"]),
    ],
)
def test_ordering(ordering, expected, viewer_api, catalogue):
    response = viewer_api.get(f"/api/v1/activities/?ordering={ordering}")
    assert [row["id"] for row in response.json()["results"]] == [
        catalogue[name].pk for name in expected
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=bogus", "status"),
        ("activity_type=party", "activity_type"),
        ("programme=abc", "programme"),
        ("programme=999999", "programme"),
        ("goal=abc", "goal"),
        ("goal=999999", "goal"),
        ("goal=99999999999999999999", "goal"),
        ("objective=999999", "objective"),
        ("priority_issue=-1", "priority_issue"),
        ("ally=XX", "ally"),
        ("start_date_after=yesterday", "start_date"),
        ("start_date_before=2025-02-30", "start_date"),
        ("updated_after=soon", "updated_after"),
        ("ordering=id", "ordering"),
        ("search=a%00b", "search"),
    ],
)
def test_unknown_filter_values_get_400(query, field, viewer_api, catalogue):
    response = viewer_api.get(f"/api/v1/activities/?{query}")
    assert response.status_code == 400
    assert field in response.json(), response.json()


# --- the bench's floor ------------------------------------------------------------------


def _instants(value):
    """The floor writes timestamps in the session's time zone, the API in the programme's:
    compared as instants."""
    if isinstance(value, dict):
        return {key: _instants(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_instants(item) for item in value]
    if isinstance(value, str) and len(value) > 19 and value[10:11] == "T":
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def test_the_bench_list_floor_returns_the_viewers_first_page_and_count(viewer_api, japan):
    """bench/floors/list.sql is what the list is measured against: the same count and
    rows, so without the drafts and restricted activities a Viewer does not see."""
    from pathlib import Path

    from activities.models import ParticipantRole
    from tests.factories import OrganisationFactory

    goals = list(japan.partnership_goals.order_by("-order")[:3])
    objectives = list(japan.strategic_objectives.order_by("-number")[:2])
    body, other = OrganisationFactory(name="B body"), OrganisationFactory(name="A body")
    author = UserFactory()
    for day in range(1, 106):
        ActivityFactory(
            programme=japan,
            start_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=day % 50),
            status=ActivityStatus.COMPLETED if day % 7 else ActivityStatus.PLANNED,
            releasability="restricted" if day % 11 == 0 else "internal",
            review_state="draft" if day % 5 == 0 else "approved",
            goals=goals[: 1 + day % 3],
            objectives=objectives[: day % 3],
            allies=["FR", "DE", "US"][: day % 4],
            organisations=[(body, ParticipantRole.LEAD), (other, ParticipantRole.OBSERVER)][
                : day % 3
            ],
            created_by=author,
            updated_by=None if day % 2 else author,
        )
    floor = (Path(__file__).parents[2] / "bench" / "floors" / "list.sql").read_text()
    with connection.cursor() as cursor:
        cursor.execute(floor)
        expected = json.loads(cursor.fetchone()[0])
    page = viewer_api.get(
        "/api/v1/activities/?status=completed&ordering=-start_date&page_size=100"
    ).json()
    seen = Activity.objects.exclude(releasability="restricted").exclude(review_state="draft")
    assert expected["count"] == page["count"] == seen.filter(status="completed").count()
    assert 50 < page["count"] < 100
    assert _instants(expected["results"]) == _instants(page["results"])
