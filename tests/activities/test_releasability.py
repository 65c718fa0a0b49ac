"""A user without `view_restricted_activity` never learns a restricted activity exists."""

import pytest
from django.urls import reverse

from activities.models import Activity
from goals.models import PartnershipGoal
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted(japan):
    goal = PartnershipGoal.objects.get(programme=japan, order=1)
    return ActivityFactory(
        programme=japan,
        title="Sensitive cyber consultation",
        releasability="restricted",
        goals=[goal],
    )


@pytest.fixture
def internal(japan):
    goal = PartnershipGoal.objects.get(programme=japan, order=1)
    return ActivityFactory(programme=japan, title="Routine staff talks", goals=[goal])


def test_only_programme_managers_see_restricted_activities(
    restricted, internal, viewer, editor, manager
):
    for user in (viewer, editor):
        assert list(Activity.objects.visible_to(user)) == [internal]
    assert set(Activity.objects.visible_to(manager)) == {restricted, internal}


def test_progress_counts_leave_out_what_the_user_may_not_see(restricted, internal, editor, manager):
    from progress.query import query_for
    from progress.querysets import goal_rows

    def cyber_total(user) -> int:
        query = query_for({}, user=user, programme=restricted.programme)
        return goal_rows(query, PartnershipGoal.objects.filter(order=1))[0].counts["total"]

    assert cyber_total(editor) == 1
    assert cyber_total(manager) == 2


def test_staff_without_permission_do_not_see_restricted_in_the_admin(client, restricted, internal):
    staff = UserFactory(username="staffeditor", is_staff=True, roles=["Editors"])
    client.force_login(staff)
    changelist = client.get(reverse("admin:activities_activity_changelist")).content.decode()
    assert internal.title in changelist
    assert restricted.title not in changelist
    change = client.get(reverse("admin:activities_activity_change", args=[restricted.pk]))
    assert change.status_code == 302  # the admin's "does not exist" redirect, no content
    history = client.get(reverse("admin:activities_activity_history", args=[restricted.pk]))
    assert history.status_code == 404


def test_a_granted_user_sees_restricted_activities(restricted):
    from django.contrib.auth.models import Permission

    user = UserFactory(username="trusted", roles=["Viewers"])
    user.user_permissions.add(Permission.objects.get(codename="view_restricted_activity"))
    assert restricted in Activity.objects.visible_to(user)
