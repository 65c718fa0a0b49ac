"""The deleted activities page: who deleted what and when, for everyone who may know of
it; Programme managers restore from it, through the same service as the API."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from activities.models import Activity
from activities.services import delete_activity, restore_activity
from goals.models import PartnershipGoal
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db
DELETED = reverse("activities:deleted")


def restore_url(activity_id: int) -> str:
    return reverse("activities:restore", args=[activity_id])


@pytest.fixture
def gone(japan, manager):
    """A deleted activity with two goals and an Ally, and its old id."""
    goals = list(PartnershipGoal.objects.filter(programme=japan).order_by("order")[:2])
    activity = ActivityFactory(programme=japan, title="Old staff talks", goals=goals, allies=["FR"])
    activity_id = activity.pk
    colleague = UserFactory(username="colleague", roles=["Programme managers"])
    delete_activity(activity=activity, user=colleague)
    return activity_id


def test_the_page_lists_deleted_activities_with_who_deleted_them_and_when(
    client, viewer, gone, japan
):
    ActivityFactory(programme=japan, title="Still here")
    client.force_login(viewer)
    response = client.get(DELETED)
    assert response.status_code == 200
    assert [record.id for record in response.context["deletions"]] == [gone]
    page = response.text
    assert "Old staff talks" in page and "colleague" in page and "Still here" not in page
    assert Activity.history.get(id=gone, history_type="-").history_date.strftime("%Y") in page


def test_a_manager_restores_from_the_page_and_lands_on_the_activity(client, manager, gone):
    client.force_login(manager)
    page = client.get(DELETED).text
    assert f'action="{restore_url(gone)}"' in page

    response = client.post(restore_url(gone), follow=True)
    assert response.redirect_chain == [(reverse("activities:detail", args=[gone]), 302)]
    assert "The activity “Old staff talks” was restored." in response.text
    restored = Activity.objects.get(pk=gone)
    assert restored.goals.count() == 2 and [a.code for a in restored.allies.all()] == ["FR"]
    assert restored.history.first().history_user == manager
    assert list(client.get(DELETED).context["deletions"]) == []


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_others_see_no_restore_button_and_get_403_when_they_post(client, gone, role, request):
    client.force_login(request.getfixturevalue(role))
    page = client.get(DELETED).text
    assert "Old staff talks" in page
    assert restore_url(gone) not in page and "Restore" not in page
    assert client.post(restore_url(gone)).status_code == 403
    assert not Activity.objects.filter(pk=gone).exists()


def test_the_activity_list_links_the_page_for_those_who_may_restore(client, viewer, manager):
    client.force_login(viewer)
    assert DELETED not in client.get(reverse("activities:list")).text
    client.force_login(manager)
    assert f'href="{DELETED}"' in client.get(reverse("activities:list")).text


def test_restricted_deletions_are_listed_and_restored_only_for_those_who_may_see_them(
    client, editor, manager, japan
):
    secret = ActivityFactory(programme=japan, title="Secret talks", releasability="restricted")
    secret_id = secret.pk
    delete_activity(activity=secret, user=manager)
    client.force_login(editor)
    assert "Secret talks" not in client.get(DELETED).text

    # A manager who may delete and log, but not see restricted activities: as if it never was.
    limited = UserFactory(username="limited", roles=["Editors"])
    limited.user_permissions.add(Permission.objects.get(codename="delete_activity"))
    client.force_login(limited)
    assert "Secret talks" not in client.get(DELETED).text
    never = client.post(restore_url(987654))
    response = client.post(restore_url(secret_id))
    assert response.status_code == never.status_code == 404
    assert not Activity.objects.filter(pk=secret_id).exists()

    client.force_login(manager)
    assert "Secret talks" in client.get(DELETED).text
    assert client.post(restore_url(secret_id)).status_code == 302
    assert Activity.objects.get(pk=secret_id).releasability == "restricted"


def test_an_activity_that_was_once_restricted_stays_off_the_list_for_others(
    client, editor, manager, japan
):
    activity = ActivityFactory(programme=japan, title="Once secret", releasability="restricted")
    activity.releasability = "internal"
    activity.save()
    delete_activity(activity=activity, user=manager)
    client.force_login(editor)
    assert "Once secret" not in client.get(DELETED).text


def test_an_activity_deleted_twice_is_listed_once_with_its_last_deletion(client, manager, gone):
    restore_activity(activity_id=gone, user=manager)
    delete_activity(activity=Activity.objects.get(pk=gone), user=manager)
    client.force_login(manager)
    deletions = list(client.get(DELETED).context["deletions"])
    assert [(record.id, record.history_user) for record in deletions] == [(gone, manager)]


def test_restoring_what_someone_restored_meanwhile_says_so(client, manager, gone):
    restore_activity(activity_id=gone, user=manager)
    client.force_login(manager)
    response = client.post(restore_url(gone), follow=True)
    assert response.redirect_chain[-1][0] == reverse("activities:detail", args=[gone])
    assert "is not deleted: nothing to restore" in response.text
    assert Activity.history.filter(id=gone, history_type="+").count() == 2  # created, restored


def test_restore_answers_only_post(client, manager, gone):
    client.force_login(manager)
    assert client.get(restore_url(gone)).status_code == 405
    assert not Activity.objects.filter(pk=gone).exists()
