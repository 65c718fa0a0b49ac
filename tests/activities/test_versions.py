"""No lost edits: a writer holding an old version is refused, even under real concurrency."""

import threading

import pytest
from django.db import connection, transaction

from activities.models import Activity
from activities.services import (
    VersionConflict,
    delete_activity,
    restore_activity,
    update_activity,
)
from goals.models import PartnershipGoal
from itpp.history import change_log
from tests.factories import ActivityFactory


@pytest.mark.django_db
def test_every_save_through_the_service_moves_the_version_on(japan, editor):
    activity = ActivityFactory(programme=japan)
    assert activity.version == 1
    update_activity(activity=activity, user=editor, data={"title": "One"})
    update_activity(activity=activity, user=editor, data={"title": "Two"}, expected_version=2)
    activity.refresh_from_db()
    assert (activity.version, activity.title) == (3, "Two")


@pytest.mark.django_db
def test_stale_version_is_refused_and_changes_nothing(japan, editor):
    activity = ActivityFactory(programme=japan, title="Original")
    update_activity(activity=activity, user=editor, data={"title": "Newer"})
    stale = Activity.objects.get(pk=activity.pk)
    with pytest.raises(VersionConflict) as raised:
        update_activity(activity=stale, user=editor, data={"title": "Lost?"}, expected_version=1)
    assert raised.value.current.title == "Newer"
    assert Activity.objects.get(pk=activity.pk).title == "Newer"
    assert Activity.objects.get(pk=activity.pk).version == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_writers_with_the_same_version_one_wins(japan, editor, manager):
    activity = ActivityFactory(programme=japan, title="Original")
    first_claimed = threading.Event()
    results: dict[str, str] = {}

    def write(name: str, user, hold: bool) -> None:
        try:
            with transaction.atomic():
                copy = Activity.objects.get(pk=activity.pk)
                update_activity(
                    activity=copy, user=user, data={"title": f"By {name}"}, expected_version=1
                )
                if hold:
                    first_claimed.set()
                    # Keep the row locked while the other writer tries.
                    threading.Event().wait(0.5)
            results[name] = "saved"
        except VersionConflict:
            results[name] = "conflict"
        finally:
            first_claimed.set()
            connection.close()

    first = threading.Thread(target=write, args=("first", editor, True))
    first.start()
    first_claimed.wait(5)
    second = threading.Thread(target=write, args=("second", manager, False))
    second.start()
    first.join(10)
    second.join(10)

    assert results == {"first": "saved", "second": "conflict"}
    saved = Activity.objects.get(pk=activity.pk)
    assert (saved.title, saved.version) == ("By first", 2)


@pytest.mark.django_db
def test_deleted_activity_is_restored_with_its_links(japan, manager):
    goals = list(PartnershipGoal.objects.filter(programme=japan, order__in=[2, 9]))
    activity = ActivityFactory(programme=japan, goals=goals, allies=["LT"])
    activity_id = activity.pk
    delete_activity(activity=activity, user=manager)
    assert not Activity.objects.filter(pk=activity_id).exists()

    restored = restore_activity(activity_id=activity_id, user=manager)
    assert restored.pk == activity_id
    assert set(restored.goals.all()) == set(goals)
    assert list(restored.allies.values_list("code", flat=True)) == ["LT"]
    log = change_log(Activity.history.filter(id=activity_id))
    assert [entry["action"] for entry in log][:2] == ["restored", "deleted"]
    assert log[0]["user"] == "manager" and log[1]["user"] == "manager"
