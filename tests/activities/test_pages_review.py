"""The review on the pages: "Save as draft", the state on the activity's page, the submit,
approve and return buttons (plain forms with CSRF, no JavaScript needed), the return
comment shown to the author, and the list's review filter."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from goals.models import PartnershipGoal
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


def new_activity(japan) -> dict:
    goal = PartnershipGoal.objects.get(programme=japan, order=1)
    return {
        "programme": japan.pk,
        "title": "Draft of the cyber talks",
        "activity_type": "consultation",
        "status": "completed",
        "start_date": "2025-02-03",
        "end_date": "",
        "goals": [goal.pk],
    }


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def buttons(page: str) -> list[str]:
    """The review forms on a page, by their action's last part."""
    return re.findall(r'action="/activities/\d+/(submit|approve|return)/"', page)


def test_the_new_activity_form_saves_a_draft_or_submits(japan, editor):
    client = logged_in(editor)
    form = client.get(f"{reverse('activities:create')}?programme={japan.pk}", follow=True)
    assert 'name="save_as" value="draft"' in form.content.decode()
    client.post(
        f"{reverse('activities:create')}?programme={japan.pk}",
        {**new_activity(japan), "save_as": "draft"},
    )
    client.post(
        f"{reverse('activities:create')}?programme={japan.pk}",
        {**new_activity(japan), "title": "Submitted talks"},
    )
    states = dict(Activity.objects.values_list("title", "review_state"))
    assert states == {"Draft of the cyber talks": "draft", "Submitted talks": "submitted"}


def test_each_role_sees_the_buttons_it_may_use(japan, viewer, editor, manager):
    draft = ActivityFactory(programme=japan, review_state="draft")
    waiting = ActivityFactory(programme=japan, review_state="submitted")
    approved = ActivityFactory(programme=japan, review_state="approved")
    expected = {
        (editor, draft): ["submit"],
        (editor, waiting): [],
        (editor, approved): [],
        (manager, draft): ["submit"],
        (manager, waiting): ["approve", "return"],
        (manager, approved): [],
        (viewer, waiting): [],
    }
    for (user, record), wanted in expected.items():
        page = logged_in(user).get(record.get_absolute_url()).content.decode()
        assert buttons(page) == wanted, (user.username, record.review_state)
        assert f'data-review-state="{record.review_state}"' in page
    # Each button is a form carrying the CSRF token and the version shown.
    page = logged_in(manager).get(waiting.get_absolute_url()).content.decode()
    form = page[page.index(f'action="/activities/{waiting.pk}/approve/"') :].split("</form>")[0]
    assert "csrfmiddlewaretoken" in form and f'name="version" value="{waiting.version}"' in form


def test_return_fix_and_approve_through_the_pages(japan, manager):
    author = UserFactory(username="author", roles=["Editors"])
    record = ActivityFactory(programme=japan, review_state="submitted", created_by=author)
    reviewer = logged_in(manager)
    no_comment = reviewer.post(
        reverse("activities:return", args=[record.pk]),
        {"version": record.version, "comment": "  "},
        follow=True,
    )
    assert "Not returned" in no_comment.content.decode()
    assert Activity.objects.get(pk=record.pk).review_state == "submitted"
    reviewer.post(
        reverse("activities:return", args=[record.pk]),
        {"version": record.version, "comment": "Say which <b>Allies</b> came."},
    )
    page = logged_in(author).get(record.get_absolute_url()).content.decode()
    comment = re.search(r'id="review-comment">(.*?)</div>', page, re.S).group(1)
    assert "Say which &lt;b&gt;Allies&lt;/b&gt; came." in comment
    assert buttons(page) == ["submit"]
    record.refresh_from_db()
    logged_in(author).post(
        reverse("activities:submit", args=[record.pk]), {"version": record.version}
    )
    record.refresh_from_db()
    assert record.review_state == "submitted"
    response = reviewer.post(
        reverse("activities:approve", args=[record.pk]), {"version": record.version}, follow=True
    )
    assert "was approved" in response.content.decode()
    assert Activity.objects.get(pk=record.pk).review_state == "approved"


def test_a_button_from_an_older_page_changes_nothing(japan, manager):
    record = ActivityFactory(programme=japan, review_state="submitted")
    response = logged_in(manager).post(
        reverse("activities:approve", args=[record.pk]),
        {"version": record.version + 1},
        follow=True,
    )
    assert "Someone changed this record" in response.content.decode()
    assert Activity.objects.get(pk=record.pk).review_state == "submitted"
    gone = logged_in(manager).post(reverse("activities:approve", args=[record.pk]), {}, follow=True)
    assert "nothing was changed" in gone.content.decode()


def test_a_state_that_cannot_be_left_that_way_is_said_not_done(japan, manager):
    record = ActivityFactory(programme=japan, review_state="approved")
    response = logged_in(manager).post(
        reverse("activities:approve", args=[record.pk]), {"version": record.version}, follow=True
    )
    assert "cannot be approved now" in response.content.decode()
    assert Activity.objects.get(pk=record.pk).version == record.version


def test_the_wrong_role_is_refused_and_a_hidden_draft_is_404(japan, viewer, editor):
    waiting = ActivityFactory(programme=japan, review_state="submitted")
    draft = ActivityFactory(programme=japan, review_state="draft")
    assert (
        logged_in(editor)
        .post(reverse("activities:approve", args=[waiting.pk]), {"version": waiting.version})
        .status_code
        == 403
    )
    assert (
        logged_in(viewer)
        .post(reverse("activities:submit", args=[draft.pk]), {"version": draft.version})
        .status_code
        == 403
    )
    assert logged_in(viewer).get(draft.get_absolute_url()).status_code == 404
    assert Activity.objects.get(pk=waiting.pk).review_state == "submitted"
    assert Activity.objects.get(pk=draft.pk).review_state == "draft"
    # A GET is not a transition.
    assert logged_in(editor).get(reverse("activities:submit", args=[draft.pk])).status_code == 405


def test_the_buttons_need_the_csrf_token(japan, manager):
    record = ActivityFactory(programme=japan, review_state="submitted")
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(
        reverse("activities:approve", args=[record.pk]), {"version": record.version}
    )
    assert response.status_code == 403
    assert Activity.objects.get(pk=record.pk).review_state == "submitted"


def test_the_list_filters_by_review_state_and_offers_draft_only_to_editors(japan, viewer, editor):
    ActivityFactory(programme=japan, title="Awaiting talks", review_state="submitted")
    ActivityFactory(programme=japan, title="Approved talks", review_state="approved")
    ActivityFactory(programme=japan, title="Draft talks", review_state="draft")
    page = (
        logged_in(editor)
        .get(reverse("activities:list"), {"review_state": "submitted"})
        .content.decode()
    )
    assert "Awaiting talks" in page and "Approved talks" not in page
    assert 'name="review_state" value="draft"' in page
    viewer_page = logged_in(viewer).get(reverse("activities:list")).content.decode()
    assert 'name="review_state" value="draft"' not in viewer_page
    assert "Draft talks" not in viewer_page
