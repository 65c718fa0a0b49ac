"""Two people save the same activity through the edit page at the same moment, each on
their own database connection: exactly one save wins, the other is told, nothing is lost."""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from activities import services
from activities.models import Activity
from tests.factories import ActivityFactory, UserFactory, edit_form_data

pytestmark = [
    # Real transactions on real connections; the framework data is put back afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_concurrent_saves_of_one_version_one_wins_and_the_other_sees_the_conflict(
    japan, monkeypatch
):
    alice = UserFactory(username="alice", roles=["Editors"])
    bob = UserFactory(username="bob", roles=["Editors"])
    activity = ActivityFactory(programme=japan, title="Staff talks", location="Brussels")
    url = reverse("activities:update", args=[activity.pk])
    inputs = {
        alice: edit_form_data(activity, title="Cyber staff talks"),
        bob: edit_form_data(activity, location="Tokyo"),
    }

    # Both requests have read version 1 and validated their input before either claims
    # the next version, so the database, not the timing, decides who wins.
    both_ready = threading.Barrier(2, timeout=20)
    claim_version = services.claim_version

    def claim_together(*args, **kwargs):
        both_ready.wait()
        return claim_version(*args, **kwargs)

    monkeypatch.setattr(services, "claim_version", claim_together)
    responses = {}

    def save(user) -> None:
        try:
            client = Client()
            client.force_login(user)
            responses[user] = client.post(url, inputs[user])
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=save, args=(user,)) for user in inputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(response.status_code for response in responses.values()) == [200, 302]

    winner = next(user for user, response in responses.items() if response.status_code == 302)
    loser = alice if winner == bob else bob
    saved = Activity.objects.get(pk=activity.pk)
    assert saved.version == 2 and saved.updated_by == winner
    if winner == alice:
        assert (saved.title, saved.location) == ("Cyber staff talks", "Brussels")
    else:
        assert (saved.title, saved.location) == ("Staff talks", "Tokyo")
    # One change recorded, the winner's; the loser's write left no trace.
    assert {record.history_user for record in saved.history.filter(version=2)} == {winner}
    assert not saved.history.filter(history_user=loser).exists()

    # The loser is told who saved, sees the winner's value beside theirs, keeps their input.
    page = responses[loser].content.decode()
    assert f"{winner.username} saved this activity" in page
    if loser == alice:
        assert "Location: now “Tokyo” (yours: “Brussels”)" in page
        assert 'value="Cyber staff talks"' in page
    else:
        assert "Title: now “Cyber staff talks” (yours: “Staff talks”)" in page
        assert 'value="Tokyo"' in page
    assert responses[loser].context["form"].data["version"] == 2
