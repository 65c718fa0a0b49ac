"""The pages mirror the API's permissions: nothing without a login, nothing without a role,
Viewers read, Editors log and edit, only Programme managers delete."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from goals.models import PartnershipGoal
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(japan):
    return ActivityFactory(programme=japan, goals=[PartnershipGoal.objects.first()])


def urls(activity) -> dict[str, str]:
    goal = activity.goals.first()
    return {
        "dashboard": reverse("progress:dashboard"),
        "goal list": reverse("progress:goal_list"),
        "goal": goal.get_absolute_url(),
        "list": reverse("activities:list"),
        "export": reverse("activities:export"),
        "detail": activity.get_absolute_url(),
        "new": reverse("activities:create"),
        "similar": f"{reverse('activities:create')}?from={activity.pk}",
        "edit": reverse("activities:update", args=[activity.pk]),
        "delete": reverse("activities:delete", args=[activity.pk]),
        "deleted": reverse("activities:deleted"),
    }


READ = {"dashboard", "goal list", "goal", "list", "export", "detail", "deleted"}
ALLOWED = {
    "viewer": READ,
    "editor": READ | {"new", "similar", "edit"},
    "manager": READ | {"new", "similar", "edit", "delete"},
}


@pytest.mark.parametrize("role", ["viewer", "editor", "manager"])
def test_each_role_reaches_exactly_its_pages(client, activity, role, request):
    client.force_login(request.getfixturevalue(role))
    for name, url in urls(activity).items():
        expected = 200 if name in ALLOWED[role] else 403
        # follow: the new-activity form redirects to its one-time URL first.
        assert client.get(url, follow=True).status_code == expected, (role, name)
    if role != "manager":
        assert client.post(urls(activity)["delete"]).status_code == 403
        assert activity.__class__.objects.filter(pk=activity.pk).exists()


def test_a_user_without_a_role_is_refused_everywhere(client, activity):
    client.force_login(User.objects.create_user("nobody", password="x" * 16))
    for name, url in urls(activity).items():
        response = client.get(url)
        assert response.status_code == 403, name
        assert "You cannot open this page" in response.text


def test_anonymous_visitors_go_to_the_login_page_and_come_back(client, activity, viewer):
    detail = activity.get_absolute_url()
    response = client.get(detail)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={detail}"

    response = client.post(
        f"{reverse('login')}?next={detail}",
        {"username": "viewer", "password": "a-long-test-passphrase", "next": detail},
    )
    assert response["Location"] == detail


def test_viewers_see_no_edit_controls(client, activity, viewer):
    client.force_login(viewer)
    html = client.get(activity.get_absolute_url()).text
    assert reverse("activities:update", args=[activity.pk]) not in html
    assert reverse("activities:delete", args=[activity.pk]) not in html
    assert "Log an activity" not in client.get(reverse("progress:dashboard")).text


def test_editors_see_edit_but_not_delete(client, activity, editor):
    client.force_login(editor)
    html = client.get(activity.get_absolute_url()).text
    assert reverse("activities:update", args=[activity.pk]) in html
    assert reverse("activities:delete", args=[activity.pk]) not in html


def test_the_login_and_password_pages_are_styled_and_labelled(client, viewer):
    html = client.get(reverse("login")).text
    assert 'for="id_username"' in html
    assert 'for="id_password"' in html
    assert "vendor/bootstrap/bootstrap.min" in html
    client.force_login(viewer)
    html = client.get(reverse("password_change")).text
    assert 'for="id_old_password"' in html
    assert 'for="id_new_password1"' in html
