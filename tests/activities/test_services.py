"""activities.services saves an activity and its links in one transaction, recording who."""

import pytest
from django.core.exceptions import ValidationError

from activities.models import Activity
from activities.services import create_activity, update_activity
from goals.models import PartnershipGoal
from tests.factories import PartnershipGoalFactory, ProgrammeFactory, ally

pytestmark = pytest.mark.django_db


def test_create_saves_the_row_and_links_and_records_the_user(japan, editor):
    goals = list(PartnershipGoal.objects.filter(programme=japan)[:2])
    activity = create_activity(
        user=editor,
        data={
            "programme": japan,
            "title": "Staff talks",
            "activity_type": "consultation",
            "start_date": "2024-05-01",
            "goals": goals,
            "allies": [ally("FR")],
        },
    )
    activity.refresh_from_db()
    assert set(activity.goals.all()) == set(goals)
    assert [a.code for a in activity.allies.all()] == ["FR"]
    assert activity.created_by == editor == activity.updated_by


def test_update_changes_fields_and_only_the_links_given(japan, editor, manager):
    goals = list(PartnershipGoal.objects.filter(programme=japan)[:3])
    activity = create_activity(
        user=editor,
        data={
            "programme": japan,
            "title": "Before",
            "activity_type": "visit",
            "start_date": "2024-05-01",
            "goals": goals[:1],
            "allies": [ally("DE")],
        },
    )
    update_activity(activity=activity, user=manager, data={"title": "After", "goals": goals[1:]})
    activity.refresh_from_db()
    assert activity.title == "After"
    assert set(activity.goals.all()) == set(goals[1:])
    assert [a.code for a in activity.allies.all()] == ["DE"]
    assert activity.created_by == editor
    assert activity.updated_by == manager


def test_a_failure_saves_nothing(japan, editor):
    # A goal of another programme: the guard on the link refuses it after the row was written.
    goal = PartnershipGoalFactory(programme=ProgrammeFactory(start_year=2019, end_year=2022))
    with pytest.raises(ValidationError):
        create_activity(
            user=editor,
            data={
                "programme": japan,
                "title": "Broken",
                "activity_type": "visit",
                "start_date": "2024-05-01",
                "goals": [goal],
            },
        )
    assert not Activity.objects.filter(title="Broken").exists()


def new_activity(programme, **changes) -> dict:
    return {
        "programme": programme,
        "title": "Staff talks",
        "activity_type": "visit",
        "start_date": "2024-05-01",
        "goals": list(PartnershipGoal.objects.filter(programme=programme)[:1]),
        **changes,
    }


def test_the_service_refuses_restricting_to_whoever_may_not_see_restricted(japan, editor, manager):
    data = new_activity(japan, releasability="restricted")
    with pytest.raises(ValidationError) as refused:
        create_activity(user=editor, data=data)
    assert list(refused.value.message_dict) == ["releasability"]
    assert not Activity.objects.exists()

    internal = create_activity(user=editor, data={**data, "releasability": "internal"})
    with pytest.raises(ValidationError) as refused:
        update_activity(activity=internal, user=editor, data={"releasability": "restricted"})
    assert list(refused.value.message_dict) == ["releasability"]
    internal.refresh_from_db()
    assert (internal.releasability, internal.version) == ("internal", 1)

    assert create_activity(user=manager, data=data).releasability == "restricted"


def test_the_service_records_who_wrote_in_the_history_outside_a_request(japan, editor):
    activity = create_activity(user=editor, data=new_activity(japan))
    assert {record.history_user for record in activity.history.all()} == {editor}


def test_restoring_a_restricted_activity_needs_the_permission_to_see_it(japan, manager):
    from django.contrib.auth.models import Group, Permission

    from activities.services import delete_activity, restore_activity
    from tests.factories import ActivityFactory, UserFactory

    activity = ActivityFactory(programme=japan, releasability="restricted")
    activity_id = activity.pk
    delete_activity(activity=activity, user=manager)
    deleter = UserFactory(username="deleter")
    group = Group.objects.create(name="Deleters")
    group.permissions.set(
        Permission.objects.filter(codename__in=["view_activity", "add_activity", "delete_activity"])
    )
    deleter.groups.add(group)
    with pytest.raises(Activity.DoesNotExist):
        restore_activity(activity_id=activity_id, user=deleter)
    assert not Activity.objects.filter(pk=activity_id).exists()
    assert restore_activity(activity_id=activity_id, user=manager).pk == activity_id
