"""Every rule on activities and the framework is enforced, with its message on its field."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from goals.models import PartnershipGoal, Programme
from tests.factories import (
    ActivityFactory,
    PartnershipGoalFactory,
    PriorityIssueFactory,
    ProgrammeFactory,
    StrategicObjectiveFactory,
)

pytestmark = pytest.mark.django_db


def field_errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    return raised.value.message_dict


def test_end_date_before_start_date_is_rejected_on_end_date():
    activity = ActivityFactory.build(
        programme=ProgrammeFactory(),
        start_date=datetime.date(2025, 3, 10),
        end_date=datetime.date(2025, 3, 9),
    )
    assert field_errors(activity) == {"end_date": ["The end date cannot be before the start date."]}


def test_database_refuses_end_date_before_start_date_even_without_validation():
    activity = ActivityFactory()
    activity.end_date = activity.start_date - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        activity.save()


def test_more_women_than_participants_is_rejected_on_women_participants():
    activity = ActivityFactory.build(
        programme=ProgrammeFactory(), participants=10, women_participants=11
    )
    assert list(field_errors(activity)) == ["women_participants"]


def test_women_participants_need_a_total():
    activity = ActivityFactory.build(programme=ProgrammeFactory(), women_participants=3)
    assert "women_participants" in field_errors(activity)


def test_women_participants_within_total_are_accepted():
    activity = ActivityFactory.build(
        programme=ProgrammeFactory(), participants=10, women_participants=10
    )
    activity.full_clean()


def test_completed_activity_cannot_start_in_the_future():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    # A programme that holds tomorrow, whatever today is (dates must fall within it).
    programme = ProgrammeFactory(start_year=tomorrow.year, end_year=tomorrow.year + 3)
    activity = ActivityFactory.build(
        programme=programme, status=ActivityStatus.COMPLETED, start_date=tomorrow
    )
    assert field_errors(activity) == {
        "status": ["An activity that starts in the future cannot be completed yet."]
    }
    activity.status = ActivityStatus.PLANNED
    activity.full_clean()


def test_title_is_required_and_at_most_255_characters():
    activity = ActivityFactory.build(programme=ProgrammeFactory(), title="")
    assert "title" in field_errors(activity)
    activity.title = "x" * 256
    assert "title" in field_errors(activity)


def test_goals_of_another_programme_are_rejected_on_goals(japan):
    other_goal = PartnershipGoalFactory()
    with pytest.raises(ValidationError) as raised:
        Activity.clean_links(japan, [other_goal], [])
    assert list(raised.value.message_dict) == ["goals"]


def test_objectives_of_another_programme_are_rejected_on_objectives(japan):
    goal = PartnershipGoal.objects.filter(programme=japan).first()
    with pytest.raises(ValidationError) as raised:
        Activity.clean_links(japan, [goal], [StrategicObjectiveFactory()])
    assert list(raised.value.message_dict) == ["objectives"]


def test_an_activity_needs_at_least_one_goal(japan):
    with pytest.raises(ValidationError) as raised:
        Activity.clean_links(japan, [], None)
    assert raised.value.message_dict == {"goals": ["Choose at least one Partnership Goal."]}


def test_code_that_skips_validation_cannot_link_another_programmes_goal(japan):
    activity = ActivityFactory(programme=japan, goals=list(japan.partnership_goals.all()[:1]))
    with pytest.raises(ValidationError), transaction.atomic():
        activity.goals.add(PartnershipGoalFactory())
    with pytest.raises(ValidationError), transaction.atomic():
        PartnershipGoalFactory().activities.add(activity)
    assert activity.goals.count() == 1


def test_goal_priority_issue_must_be_of_the_same_programme():
    goal = PartnershipGoalFactory.build(
        programme=ProgrammeFactory(), priority_issue=PriorityIssueFactory(), order=1
    )
    assert field_errors(goal) == {
        "priority_issue": ["Choose a priority issue of the goal's own programme."]
    }


def test_programme_cannot_end_before_it_starts():
    programme = Programme(partner="Testland", name="ITPP", start_year=2026, end_year=2023)
    assert field_errors(programme) == {
        "end_year": ["The end year cannot be before the start year."]
    }


def test_one_programme_per_partner_and_cycle(japan):
    duplicate = Programme(partner="Japan", name="Again", start_year=2023, end_year=2026)
    assert "__all__" in field_errors(duplicate)


def test_next_cycle_fits_without_code_changes(japan):
    next_cycle = ProgrammeFactory(partner="Japan", start_year=2027, end_year=2030)
    issue = PriorityIssueFactory(programme=next_cycle, number=1)
    # Same title and order as in 2023–2026: unique per programme, not globally.
    PartnershipGoalFactory(
        programme=next_cycle, priority_issue=issue, title="Cyber Defence", order=1
    )
    assert PartnershipGoal.objects.filter(title="Cyber Defence").count() == 2
