"""The progress cache: a repeated question reads no activity, every door's write makes the
next answer new, readers who see different activities never share an answer, and progress
answers without the cache.

The test's own transaction never commits, so the writes that set the scene run their
on-commit callbacks (the version bump) at once, as a committed transaction would: until
then the transaction reads around the cache (its writes are not committed)."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Q
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity, ActivityStatus
from activities.querysets import RESTRICTED, visibility
from activities.services import update_activity
from goals.models import GoalAssessment
from goals.services import rate_goal
from itpp.signals import bulk_write
from progress import cache as progress_cache
from progress.query import build_query, query_for
from progress.querysets import programme_progress
from tests.factories import (
    ActivityFactory,
    PartnershipGoalFactory,
    PriorityIssueFactory,
    ProgrammeFactory,
    StockTakeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ACTIVITY_TABLE = Activity._meta.db_table


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks of the writes inside, as their commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def scene(committed):
    """A programme with two goals and three activities of goal 1, one of them restricted."""
    with committed():
        programme = ProgrammeFactory(partner="Cacheland")
        issue = PriorityIssueFactory(programme=programme, number=1)
        goal1 = PartnershipGoalFactory(programme=programme, priority_issue=issue, order=1)
        goal2 = PartnershipGoalFactory(programme=programme, priority_issue=issue, order=2)
        activities = [
            ActivityFactory(
                programme=programme,
                goals=[goal1],
                status=ActivityStatus.COMPLETED,
                start_date=datetime.date(2025, 3, day),
                releasability=releasability,
                title=title,
            )
            for day, releasability, title in [
                (1, "internal", "Routine staff talks"),
                (2, "public", "Open seminar"),
                (3, RESTRICTED, "Zebra restricted talks"),
            ]
        ]
    return SimpleNamespace(programme=programme, goals=[goal1, goal2], activities=activities)


def answer(client, programme, **filters) -> dict:
    response = client.get("/api/v1/progress/", {"programme": programme.pk, **filters})
    assert response.status_code == 200, response.content
    return response.json()


def activity_reads(queries) -> list[str]:
    return [query["sql"] for query in queries if ACTIVITY_TABLE in query["sql"]]


def goal_total(progress: dict, goal) -> int:
    (row,) = [row for row in progress["goals"] if row["id"] == goal.pk]
    return row["activities"]["total"]


def test_a_warm_progress_request_reads_no_activity(client, manager, scene):
    client.force_login(manager)
    with CaptureQueriesContext(connection) as cold:
        first = answer(client, scene.programme)
    assert activity_reads(cold.captured_queries)  # the guard below sees them when made
    with CaptureQueriesContext(connection) as warm:
        second = answer(client, scene.programme)
    assert second == first
    assert activity_reads(warm.captured_queries) == [], [q["sql"] for q in warm.captured_queries]
    # The session, the user and their permissions, the programme (the parameter and the
    # filter), the goals' ratings, and the request's savepoint: none grows with activities.
    assert len(warm.captured_queries) <= 9, [q["sql"] for q in warm.captured_queries]


def test_a_warm_dashboard_reads_no_activity_and_a_write_renews_it(
    client, manager, scene, committed
):
    client.force_login(manager)
    url = reverse("progress:dashboard") + f"?programme={scene.programme.pk}"
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    assert activity_reads(cold.captured_queries)
    with CaptureQueriesContext(connection) as warm:
        page = client.get(url)
    assert page.status_code == 200
    assert 'data-total-activities="3"' in page.content.decode()
    assert activity_reads(warm.captured_queries) == []
    assert [a.title for a in page.context["recent"]] == [
        a.title for a in sorted(scene.activities, key=lambda a: (a.updated_at, a.pk), reverse=True)
    ]
    with committed():
        ActivityFactory(programme=scene.programme, goals=[scene.goals[1]], title="Fresh one")
    page = client.get(url).content.decode()
    assert 'data-total-activities="4"' in page
    assert f'data-goal="{scene.goals[1].pk}" data-total="1"' in page
    assert "Fresh one" in page  # recently changed


def test_the_same_question_with_filters_in_another_order_shares_an_entry(client, manager, scene):
    client.force_login(manager)
    goal1, goal2 = scene.goals
    query = f"?programme={scene.programme.pk}&goal={goal1.pk}&goal={goal2.pk}&ordering=title"
    client.get("/api/v1/progress/" + query)
    with CaptureQueriesContext(connection) as warm:
        response = client.get(
            f"/api/v1/progress/?goal={goal2.pk}&programme={scene.programme.pk}&goal={goal1.pk}"
        )
    assert response.json()["totals"]["activities"]["total"] == 3
    assert activity_reads(warm.captured_queries) == []


def warm(client, programme) -> dict:
    answer(client, programme)
    return answer(client, programme)


def test_a_write_through_a_service_changes_the_next_answer(client, manager, scene, committed):
    client.force_login(manager)
    before = warm(client, scene.programme)
    assert before["totals"]["activities"]["completed"] == 3
    with committed():
        update_activity(
            activity=scene.activities[0], user=manager, data={"status": ActivityStatus.CANCELLED}
        )
    after = answer(client, scene.programme)
    assert after["totals"]["activities"]["completed"] == 2
    assert after["totals"]["activities"]["cancelled"] == 1


def test_a_write_through_the_admin_changes_the_next_answer(client, superuser, scene, committed):
    client.force_login(superuser)
    assert warm(client, scene.programme)["totals"]["activities"]["total"] == 3
    activity = scene.activities[0]
    with committed():
        response = client.post(
            reverse("admin:activities_activity_delete", args=[activity.pk]),
            {"post": "yes", "version": activity.version},
        )
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert answer(client, scene.programme)["totals"]["activities"]["total"] == 2


def test_a_change_of_the_framework_in_the_admin_changes_the_next_answer(
    client, superuser, scene, committed
):
    client.force_login(superuser)
    goal = scene.goals[1]
    assert goal.title in [row["title"] for row in warm(client, scene.programme)["goals"]]
    with committed():
        response = client.post(
            reverse("admin:goals_partnershipgoal_change", args=[goal.pk]),
            {
                "programme": goal.programme_id,
                "priority_issue": goal.priority_issue_id,
                "order": goal.order,
                "title": "Renamed in the admin",
                "statement": goal.statement or "A statement.",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    titles = [row["title"] for row in answer(client, scene.programme)["goals"]]
    assert "Renamed in the admin" in titles


def test_a_link_change_changes_the_next_answer(client, manager, scene, committed):
    client.force_login(manager)
    goal2 = scene.goals[1]
    assert goal_total(warm(client, scene.programme), goal2) == 0
    with committed():
        scene.activities[0].goals.add(goal2)
    assert goal_total(answer(client, scene.programme), goal2) == 1
    with committed():
        scene.activities[0].goals.remove(goal2)
    assert goal_total(answer(client, scene.programme), goal2) == 0


def test_an_assessment_changes_the_next_answer(client, manager, scene, committed):
    client.force_login(manager)
    goal = scene.goals[0]
    with committed():
        stocktake = StockTakeFactory(programme=scene.programme)
    before = warm(client, scene.programme)
    assert {row["draft_rating"] is None for row in before["goals"]} == {True}
    version = progress_cache.data_version()
    with committed():
        rate_goal(stocktake=stocktake, goal=goal, user=manager, data={"rating": "on_track"})
    assert GoalAssessment.objects.filter(goal=goal).exists()
    assert progress_cache.data_version() != version  # every cached count is renewed
    (row,) = [row for row in answer(client, scene.programme)["goals"] if row["id"] == goal.pk]
    assert row["draft_rating"]["rating"] == "on_track"


def test_a_bulk_write_makes_every_cached_count_new(scene, committed):
    version = progress_cache.data_version()
    with committed():
        bulk_write.send(sender=Activity)
    assert progress_cache.data_version() != version


def test_a_writing_transaction_reads_its_own_writes_and_caches_none(client, manager, scene):
    query = query_for({}, user=manager, programme=scene.programme)
    assert programme_progress(query).totals["total"] == 3
    assert programme_progress(query).totals["total"] == 3  # now warm
    ActivityFactory(programme=scene.programme, goals=[scene.goals[0]])  # not committed
    assert progress_cache.writes_pending()
    assert programme_progress(query).totals["total"] == 4
    # Nothing counted inside the transaction reached the cache: others still read 3.
    key = progress_cache.entry_key(query, "programme", progress_cache.data_version())
    assert progress_cache.cache.get(key)["totals"]["total"] == 3


def test_readers_of_different_visibility_never_share_an_answer(client, manager, viewer, scene):
    restricted = scene.activities[2].title
    dashboard_url = reverse("progress:dashboard") + f"?programme={scene.programme.pk}"
    client.force_login(manager)
    assert warm(client, scene.programme)["totals"]["activities"]["total"] == 3
    client.get(dashboard_url)
    assert restricted in client.get(dashboard_url).content.decode()  # warm, and listed
    client.force_login(viewer)
    assert answer(client, scene.programme)["totals"]["activities"]["total"] == 2
    assert goal_total(answer(client, scene.programme), scene.goals[0]) == 2
    dashboard = client.get(dashboard_url).content.decode()
    assert 'data-total-activities="2"' in dashboard
    assert restricted not in dashboard
    client.force_login(manager)
    assert answer(client, scene.programme)["totals"]["activities"]["total"] == 3


def test_the_key_follows_the_visibility_condition_itself(manager, editor, viewer, scene):
    other_viewer = UserFactory(username="viewer2", roles=["Viewers"])
    key = progress_cache.visibility_key
    # One level, one entry: two Viewers see the same activities; Editors also see drafts
    # (counted for no one, but their condition differs) and managers restricted ones.
    assert key(visibility(viewer)) == key(visibility(other_viewer))
    assert len({key(visibility(user)) for user in (viewer, editor, manager)}) == 3
    # A condition that grows to name its reader (drafts seen by their authors) keys each
    # reader apart, with no change here.
    own_drafts = [visibility(viewer) | Q(created_by=user) for user in (viewer, other_viewer)]
    assert key(own_drafts[0]) != key(own_drafts[1])
    queries = [
        build_query({}, programme=scene.programme, visible=condition) for condition in own_drafts
    ]
    names = {progress_cache.entry_key(query, "programme", 1) for query in queries}
    assert len(names) == 2


# The quick start's shared cache: a table in the database (maintenance's migration).
DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "itpp_cache",
    }
}


def test_the_database_cache_serves_as_redis_does(client, manager, scene, committed):
    client.force_login(manager)
    with override_settings(CACHES=DATABASE_CACHE):
        first = warm(client, scene.programme)
        with CaptureQueriesContext(connection) as warm_queries:
            assert answer(client, scene.programme) == first
        assert activity_reads(warm_queries.captured_queries) == []
        assert any("itpp_cache" in query["sql"] for query in warm_queries.captured_queries)
        with committed():
            scene.activities[0].goals.add(scene.goals[1])
        assert goal_total(answer(client, scene.programme), scene.goals[1]) == 1


# Nothing listens there.
CACHE_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_progress_answers_when_the_cache_is_down(client, manager, viewer, scene, committed):
    client.force_login(viewer)
    warm(client, scene.programme)  # entries that the outage must not be answered from
    with override_settings(CACHES=CACHE_DOWN):
        query = query_for({}, user=viewer, programme=scene.programme)
        assert programme_progress(query).totals["total"] == 2
        page = client.get(reverse("progress:dashboard"), {"programme": scene.programme.pk})
        assert page.status_code == 200
        assert 'data-total-activities="2"' in page.content.decode()
        # A write during the outage still commits (its bump is lost, and logged).
        with committed():
            update_activity(
                activity=scene.activities[0],
                user=manager,
                data={"status": ActivityStatus.CANCELLED},
            )
        query = query_for({}, user=viewer, programme=scene.programme)
        assert programme_progress(query).totals["cancelled"] == 1
