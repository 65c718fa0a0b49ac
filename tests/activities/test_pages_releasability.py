"""Releasability on the pages: shown in the table and on the activity, filterable, and
"Restricted" offered only to those who may see restricted activities (the service
refuses it from anyone else too)."""

import pytest
from django.urls import reverse

from activities.models import Activity
from goals.models import PartnershipGoal
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(japan):
    return PartnershipGoal.objects.get(programme=japan, order=1)


def new_activity(japan, goal, **changes) -> dict:
    return {
        "programme": japan.pk,
        "title": "Staff talks",
        "activity_type": "consultation",
        "status": "planned",
        "start_date": "2026-03-01",
        "goals": [goal.pk],
        **changes,
    }


def test_the_table_has_a_release_column_and_the_detail_a_badge(client, viewer, japan, goal):
    ActivityFactory(programme=japan, title="Press day", releasability="public", goals=[goal])
    ActivityFactory(programme=japan, title="Staff talks", goals=[goal])
    client.force_login(viewer)
    table = client.get(reverse("activities:list")).text
    assert '<th scope="col">Release</th>' in table
    assert 'title="Public (may appear in public diplomacy material)">Public</span>' in table
    assert 'title="Internal (all roles)">Internal</span>' in table
    public = Activity.objects.get(title="Press day")
    assert ">Public</span>" in client.get(public.get_absolute_url()).text


def test_the_list_filters_by_releasability(client, manager, japan, goal):
    ActivityFactory(programme=japan, title="Press day", releasability="public", goals=[goal])
    ActivityFactory(programme=japan, title="Secret talks", releasability="restricted", goals=[goal])
    ActivityFactory(programme=japan, title="Staff talks", goals=[goal])
    client.force_login(manager)
    response = client.get(reverse("activities:list"), {"releasability": ["public", "restricted"]})
    titles = [activity.title for activity in response.context["activities"]]
    assert sorted(titles) == ["Press day", "Secret talks"]
    assert 'name="releasability" value="restricted"' in response.text


def test_restricted_is_not_offered_to_those_who_may_not_see_it(client, editor, manager, japan):
    client.force_login(editor)
    for url in (reverse("activities:create"), reverse("activities:list")):
        assert 'value="restricted"' not in client.get(url, follow=True).text, url
    client.force_login(manager)
    for url in (reverse("activities:create"), reverse("activities:list")):
        assert 'value="restricted"' in client.get(url, follow=True).text, url


def test_an_editor_who_posts_restricted_gets_a_field_error_and_nothing_is_saved(
    client, editor, japan, goal
):
    client.force_login(editor)
    response = client.post(
        reverse("activities:create"), new_activity(japan, goal, releasability="restricted")
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["releasability"]
    assert not Activity.objects.exists()

    activity = ActivityFactory(programme=japan, goals=[goal])
    edit = new_activity(japan, goal, releasability="restricted", version=activity.version)
    response = client.post(reverse("activities:update", args=[activity.pk]), edit)
    assert list(response.context["form"].errors) == ["releasability"]
    activity.refresh_from_db()
    assert (activity.releasability, activity.version) == ("internal", 1)


def test_a_manager_restricts_an_activity_on_the_page(client, manager, japan, goal):
    client.force_login(manager)
    response = client.post(
        reverse("activities:create"), new_activity(japan, goal, releasability="restricted")
    )
    assert response.status_code == 302
    assert Activity.objects.get().releasability == "restricted"


def test_the_service_refusal_reaches_the_page_as_a_field_error(
    client, editor, japan, goal, monkeypatch
):
    # Should the form ever offer "Restricted" again, the service still says no, on the field.
    from activities.forms import ActivityForm

    original = ActivityForm.__init__
    monkeypatch.setattr(
        ActivityForm,
        "__init__",
        lambda self, *args, user=None, **kwargs: original(self, *args, **kwargs),
    )
    client.force_login(editor)
    response = client.post(
        reverse("activities:create"), new_activity(japan, goal, releasability="restricted")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["releasability"] == [
        "Only users allowed to see restricted activities can restrict one."
    ]
    assert not Activity.objects.exists()


def test_the_list_offers_its_own_choices_even_after_the_api_schema_was_written(
    client, editor, japan
):
    # Writing the schema builds form fields on the shared filters; the page must not
    # inherit them (they would offer "Restricted" to everyone, as a select).
    client.force_login(editor)
    assert client.get("/api/v1/schema/?format=json").status_code == 200
    page = client.get(reverse("activities:list")).text
    assert 'value="restricted"' not in page
    assert 'type="checkbox" name="releasability" value="public"' in page
