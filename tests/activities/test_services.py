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
