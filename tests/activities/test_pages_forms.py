"""Logging, editing, copying and deleting activities in the browser's forms (no JavaScript
needed): rules come from the model, errors sit next to their fields, nothing is lost."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from goals.models import PartnershipGoal, StrategicObjective
from tests.factories import ActivityFactory, PartnershipGoalFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
NEW = reverse("activities:create")


@pytest.fixture
def goals(japan):
    return list(PartnershipGoal.objects.filter(programme=japan).order_by("order"))


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def form_data(japan, framework_goals, **overrides):
    data = {
        "programme": japan.pk,
        "title": "Table-top exercise on crisis response",
        "activity_type": "exercise",
        "status": "completed",
        # Last week, or the programme's last day once it is over (dates must fall within it).
        "start_date": min(
            timezone.localdate() - datetime.timedelta(days=7), datetime.date(japan.end_year, 12, 31)
        ).isoformat(),
        "end_date": "",
        "goals": [framework_goals[0].pk, framework_goals[1].pk],
        "objectives": [StrategicObjective.objects.filter(programme=japan).first().pk],
        "allies": ["FR", "DE"],
        "location": "Tokyo",
        "lead_organisation": "NATO HQ",
        "participants": "24",
        "women_participants": "9",
        "description": "A scenario on a regional crisis.",
        "outcome": "",
    }
    data.update(overrides)
    return data


def test_editor_logs_an_activity_against_two_goals_and_lands_on_its_page(
    editor_client, editor, japan, goals
):
    response = editor_client.post(NEW, form_data(japan, goals), follow=True)

    activity = Activity.objects.get(title="Table-top exercise on crisis response")
    assert response.redirect_chain == [(activity.get_absolute_url(), 302)]
    assert "was logged" in response.text
    assert set(activity.goals.all()) == {goals[0], goals[1]}
    assert {ally.code for ally in activity.allies.all()} == {"FR", "DE"}
    assert activity.created_by == editor
    assert activity.updated_by == editor
    assert activity.participants == 24


def test_the_form_uses_the_model_field_names_native_dates_and_groups_goals(editor_client):
    response = editor_client.get(NEW, follow=True)
    html = response.text
    for name in [
        "title",
        "activity_type",
        "status",
        "start_date",
        "end_date",
        "goals",
        "objectives",
        "allies",
        "location",
        "lead_organisation",
        "participants",
        "women_participants",
        "description",
        "outcome",
    ]:
        assert f'name="{name}"' in html, name
    assert 'type="date" name="start_date"' in html
    assert '<legend class="text-body-secondary">a. Emerging Security Issues</legend>' in html
    assert 'data-filterable="Find an Ally"' in html


def test_an_invalid_date_range_shows_the_error_by_the_field_keeps_the_input_and_saves_nothing(
    editor_client, japan, goals
):
    data = form_data(japan, goals, start_date="2024-05-10", end_date="2024-05-01")
    response = editor_client.post(NEW, data)

    assert response.status_code == 200
    assert not Activity.objects.exists()
    html = response.text
    # The model's own message, tied to the end date input.
    assert 'id="id_end_date_error"' in html
    assert "The end date cannot be before the start date." in html
    assert 'aria-invalid="true"' in html
    # What was typed is still there.
    assert 'value="Table-top exercise on crisis response"' in html
    assert 'value="2024-05-10"' in html
    assert 'value="2024-05-01"' in html
    ticked = re.findall(r'<input type="checkbox" name="goals" value="(\d+)"[^>]* checked>', html)
    assert ticked == [str(goals[0].pk), str(goals[1].pk)]
    assert "A scenario on a regional crisis." in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"women_participants": "30"}, "women_participants", "Cannot be more than the number"),
        ({"goals": []}, "goals", "This field is required."),
        (
            {"start_date": "2099-01-01"},
            "status",
            "An activity that starts in the future cannot be completed yet.",
        ),
    ],
)
def test_every_rule_comes_from_the_model(editor_client, japan, goals, overrides, field, message):
    response = editor_client.post(NEW, form_data(japan, goals, **overrides))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.text
    assert not Activity.objects.exists()


def test_goals_of_another_programme_are_refused(editor_client, japan, goals):
    other_goal = PartnershipGoalFactory(programme=ProgrammeFactory(start_year=2019, end_year=2022))
    response = editor_client.post(NEW, form_data(japan, goals, goals=[other_goal.pk]))
    assert "goals" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_editing_saves_the_changes_and_records_who(client, manager, japan, goals):
    activity = ActivityFactory(programme=japan, goals=[goals[0]], title="Before")
    client.force_login(manager)
    url = reverse("activities:update", args=[activity.pk])

    page = client.get(url)
    assert 'value="Before"' in page.text

    data = form_data(japan, goals, title="After", goals=[goals[2].pk], allies=[])
    data["version"] = activity.version  # the version the page was opened on
    response = client.post(url, data, follow=True)
    activity.refresh_from_db()
    assert response.redirect_chain[-1][0] == activity.get_absolute_url()
    assert "was saved" in response.text
    assert activity.title == "After"
    assert list(activity.goals.all()) == [goals[2]]
    assert not activity.allies.exists()
    assert activity.updated_by == manager


def test_log_a_similar_activity_prefills_the_form_from_an_earlier_one(editor_client, japan, goals):
    source = ActivityFactory(
        programme=japan,
        title="Annual staff talks",
        activity_type="consultation",
        location="Brussels",
        goals=[goals[3], goals[4]],
        allies=["IT"],
        participants=40,
        outcome="Agreed next steps.",
    )
    response = editor_client.get(NEW, {"from": source.pk}, follow=True)
    form = response.context["form"]
    assert form["title"].value() == "Annual staff talks"
    assert form["location"].value() == "Brussels"
    assert set(form["goals"].value()) == {goals[3].pk, goals[4].pk}
    assert form["allies"].value() == ["IT"]
    # One occurrence's facts are left for the new one.
    assert form["participants"].value() is None
    assert form["outcome"].value() in (None, "")
    assert form["start_date"].value() is None
    assert "pre-filled from" in response.text

    assert editor_client.get(NEW, {"from": "999999"}).status_code == 404
    assert editor_client.get(NEW, {"from": "abc"}).status_code == 404


def test_a_goal_page_link_ticks_that_goal(editor_client, goals):
    response = editor_client.get(NEW, {"goal": goals[6].pk}, follow=True)
    assert response.context["form"]["goals"].value() == [str(goals[6].pk)]


def test_the_form_offers_the_chosen_programme_goals_and_defaults_to_the_current_one(
    editor_client, japan, goals
):
    older = ProgrammeFactory(partner="Japan", start_year=2019, end_year=2022)
    old_goal = PartnershipGoalFactory(programme=older, title="An old goal")

    response = editor_client.get(NEW, follow=True)
    assert response.context["programme"] == japan
    assert "An old goal" not in response.text

    response = editor_client.get(NEW, {"programme": older.pk}, follow=True)
    assert response.context["programme"] == older
    assert list(response.context["form"].fields["goals"].queryset) == [old_goal]


def test_delete_asks_for_confirmation_then_deletes(client, manager, japan, goals):
    activity = ActivityFactory(programme=japan, goals=[goals[0]], title="To remove")
    client.force_login(manager)
    url = reverse("activities:delete", args=[activity.pk])

    page = client.get(url)
    assert "Delete this activity?" in page.text
    assert Activity.objects.filter(pk=activity.pk).exists()

    response = client.post(url, {"version": page.context["form"]["version"].value()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("activities:list")
    assert "was deleted" in response.text
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_a_hostile_title_is_shown_as_text(editor_client, japan, goals):
    hostile = "<script>alert('x')</script>"
    activity = ActivityFactory(
        programme=japan, title=hostile, goals=[goals[0]], status=ActivityStatus.PLANNED
    )
    for url in [
        activity.get_absolute_url(),
        reverse("activities:list"),
        reverse("progress:dashboard"),
        goals[0].get_absolute_url(),
        reverse("activities:update", args=[activity.pk]),
    ]:
        html = editor_client.get(url).text
        assert hostile not in html, url
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html, url
