"""The new-activity form is single-use: sending it again (Back, then Log activity; a double
click) logs nothing more and goes to the activity logged the first time."""

import re
import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from activities import idempotency
from activities.models import Activity, CreationKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = reverse("activities:create")


def served_form(client, japan) -> dict:
    """What the new-activity page serves, filled in as a user would."""
    page = client.get(NEW, follow=True).text
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    return {
        "programme": japan.pk,
        "form_token": token,
        "title": "Staff talks",
        "activity_type": "consultation",
        "status": "planned",
        "start_date": "2025-03-01",
        "goals": [japan.partnership_goals.order_by("order").first().pk],
    }


def test_sending_the_form_again_logs_nothing_and_goes_to_the_first(client, editor, japan):
    client.force_login(editor)
    form = served_form(client, japan)
    first = client.post(NEW, form)
    activity = Activity.objects.get()
    assert first.status_code == 302 and first["Location"] == activity.get_absolute_url()

    again = client.post(NEW, {**form, "title": "Staff talks, edited after Back"}, follow=True)
    assert again.redirect_chain[-1][0] == activity.get_absolute_url()
    assert "This form was already sent: “Staff talks” was logged then" in again.text
    assert Activity.objects.count() == 1
    assert Activity.objects.get().title == "Staff talks"


def test_the_form_gets_its_token_in_its_url_keeping_the_other_parameters(client, editor, japan):
    client.force_login(editor)
    goal = japan.partnership_goals.order_by("order").first()
    response = client.get(NEW, {"programme": japan.pk, "goal": goal.pk})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{NEW}?programme={japan.pk}&goal={goal.pk}&form=")
    token = location.rsplit("form=", 1)[1]
    page = client.get(location).text
    assert f'name="form_token" value="{token}"' in page
    # The same URL (Back, even fetched again) serves the same token.
    assert f'name="form_token" value="{token}"' in client.get(location).text


def test_back_to_a_sent_form_says_so_and_sending_it_even_emptied_goes_to_the_first(
    client, editor, japan
):
    client.force_login(editor)
    opened = client.get(NEW, follow=True)
    url = opened.redirect_chain[-1][0]
    form = served_form(client, japan)
    form["form_token"] = url.rsplit("form=", 1)[1]
    client.post(url, form)
    activity = Activity.objects.get()
    back = client.get(url).text
    assert 'id="already-logged"' in back and "“Staff talks” was logged with it" in back
    again = client.post(url, {"form_token": form["form_token"], "programme": japan.pk})
    assert again["Location"] == activity.get_absolute_url()
    assert Activity.objects.count() == 1


def test_a_tampered_token_in_the_url_gets_a_new_form(client, editor):
    client.force_login(editor)
    response = client.get(NEW, {"form": "<script>"})
    assert response.status_code == 302 and "%3Cscript%3E" not in response["Location"]


def test_each_new_form_has_its_own_token(client, editor, japan):
    client.force_login(editor)
    first, second = served_form(client, japan), served_form(client, japan)
    assert first["form_token"] != second["form_token"]
    client.post(NEW, first)
    client.post(NEW, second)
    assert Activity.objects.count() == 2


def test_a_refused_form_keeps_its_token_for_the_corrected_send(client, editor, japan):
    client.force_login(editor)
    form = served_form(client, japan)
    refused = client.post(NEW, {**form, "title": ""})
    assert refused.status_code == 200
    assert f'value="{form["form_token"]}"' in refused.text  # the same form, still unused
    assert not CreationKey.objects.exists()
    assert client.post(NEW, form).status_code == 302
    assert Activity.objects.count() == 1


def test_a_form_whose_activity_was_deleted_since_says_so(client, manager, japan):
    client.force_login(manager)
    form = served_form(client, japan)
    client.post(NEW, form)
    Activity.objects.all().delete()
    again = client.post(NEW, form, follow=True)
    assert again.redirect_chain[-1][0] == reverse("activities:list")
    assert "already sent and its activity logged (it has been deleted since)" in again.text
    assert not Activity.objects.exists()


@pytest.mark.parametrize("token", ["short", "x" * 65, "bad token with spaces and more"])
def test_a_tampered_token_is_a_form_error(client, editor, japan, token):
    client.force_login(editor)
    response = client.post(NEW, {**served_form(client, japan), "form_token": token})
    assert response.context["form"].errors["form_token"] == [
        "This form is not valid any more: open a new one."
    ]
    assert not Activity.objects.exists()


def test_the_edit_form_has_no_token(client, editor, japan):
    client.force_login(editor)
    client.post(NEW, served_form(client, japan))
    activity = Activity.objects.get()
    assert (
        'name="form_token"' not in client.get(reverse("activities:update", args=[activity.pk])).text
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_sends_of_one_form_log_one_activity(japan, monkeypatch):
    user = UserFactory(username="double-clicker", roles=["Editors"])
    starter = Client()
    starter.force_login(user)
    form = served_form(starter, japan)
    both_ready = threading.Barrier(2, timeout=20)
    claim = idempotency.claim

    def claim_together(**kwargs):
        both_ready.wait()
        return claim(**kwargs)

    monkeypatch.setattr(idempotency, "claim", claim_together)
    responses = []

    def send() -> None:
        try:
            client = Client()
            client.force_login(user)
            responses.append(client.post(NEW, form))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    activity = Activity.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {activity.get_absolute_url()}
