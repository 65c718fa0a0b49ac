"""Deliveries against a real HTTP server on loopback: signed, one per event, retried,
timed out, and never carrying what the owner may not see."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from activities import services
from goals.services import close_stocktake
from tests.api.conftest import token_client
from tests.factories import ActivityFactory, GoalAssessmentFactory, StockTakeFactory
from tests.webhooks.conftest import webhook_owner
from webhooks import tasks
from webhooks.models import Delivery, Webhook

ACTIVITY_EVENTS = ["activity.created", "activity.updated", "activity.deleted"]


def verified(secret: str, received) -> dict:
    """What a receiver does: check the signature over the raw body, then parse it."""
    expected = "sha256=" + hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, received.headers["X-ITPP-Signature"])
    return json.loads(received.body)


def webhook_for(owner, programme, receiver, events=None) -> Webhook:
    """Registered through the API, as its owner would, with the secret from the answer."""
    response = token_client(owner).post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": events or ACTIVITY_EVENTS, "programme": programme.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    webhook = Webhook.objects.get(pk=response.json()["id"])
    webhook.shown_secret = response.json()["secret"]
    return webhook


@pytest.fixture
def new_activity(japan) -> dict:
    return {
        "title": "Maritime security staff talks",
        "activity_type": "consultation",
        "start_date": "2025-03-04",
        "goals": [japan.partnership_goals.get(order=1).pk],
    }


def test_created_updated_and_deleted_are_posted_signed_with_the_api_view_of_the_owner(
    manager, editor, japan, receiver, new_activity, django_capture_on_commit_callbacks
):
    webhook = webhook_for(manager, japan, receiver)
    client = token_client(editor)
    with django_capture_on_commit_callbacks(execute=True):
        activity_id = client.post("/api/v1/activities/", new_activity, format="json").json()["id"]
    as_created = token_client(manager).get(f"/api/v1/activities/{activity_id}/").json()
    with django_capture_on_commit_callbacks(execute=True):
        patch = {"title": "Maritime security staff talks, second round"}
        client.patch(f"/api/v1/activities/{activity_id}/", patch, format="json")
    as_updated = token_client(manager).get(f"/api/v1/activities/{activity_id}/").json()
    with django_capture_on_commit_callbacks(execute=True):
        token_client(manager).delete(f"/api/v1/activities/{activity_id}/")

    assert len(receiver.received) == 3
    bodies = [verified(webhook.shown_secret, received) for received in receiver.received]
    assert [body["event"] for body in bodies] == ACTIVITY_EVENTS
    assert [body["data"] for body in bodies] == [
        as_created,
        as_updated,
        {"id": activity_id, "programme": japan.pk},
    ]
    for body in bodies:
        assert set(body) == {"event", "occurred_at", "programme", "data"}
        assert body["programme"] == japan.pk
    deliveries = {str(delivery.pk): delivery for delivery in Delivery.objects.all()}
    for received in receiver.received:
        assert received.path == "/hooks/itpp"
        assert received.headers["Content-Type"] == "application/json"
        assert received.headers["User-Agent"].startswith("ITPP-Tracker-Webhooks/")
        assert received.headers["Host"] == f"127.0.0.1:{receiver.port}"
        delivery = deliveries[received.headers["X-ITPP-Delivery"]]
        assert delivery.status == "delivered" and delivery.attempts.get().status_code == 200
        assert received.headers["X-ITPP-Event"] == delivery.event


def test_a_forged_or_altered_body_fails_the_receivers_check(
    manager, japan, receiver, django_capture_on_commit_callbacks
):
    webhook = webhook_for(manager, japan, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_activity(
            user=manager,
            data={
                "programme": japan,
                "title": "Talks",
                "activity_type": "consultation",
                "start_date": "2025-03-04",
                "goals": [japan.partnership_goals.get(order=1)],
            },
        )
    (received,) = receiver.received
    verified(webhook.shown_secret, received)
    received.body = received.body.replace(b"Talks", b"Tanks")
    with pytest.raises(AssertionError):
        verified(webhook.shown_secret, received)


def test_only_the_programmes_active_webhooks_that_asked_for_the_event_are_sent_it(
    manager, japan, receiver, django_capture_on_commit_callbacks
):
    wanted = webhook_for(manager, japan, receiver, ["activity.created"])
    webhook_for(manager, japan, receiver, ["activity.deleted"])
    paused = webhook_for(manager, japan, receiver, ["activity.created"])
    Webhook.objects.filter(pk=paused.pk).update(active=False)
    activity = ActivityFactory(programme=japan)  # another programme's webhook: below
    other = ActivityFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=other, user=manager, data={"title": "Elsewhere"})
        services.create_activity(
            user=manager,
            data={
                "programme": japan,
                "title": "Talks",
                "activity_type": "consultation",
                "start_date": "2025-03-04",
                "goals": list(activity.goals.all()),
            },
        )
    assert [Delivery.objects.get().webhook_id] == [wanted.pk]
    assert len(receiver.received) == 1


def test_a_write_that_rolls_back_sends_nothing(
    manager, japan, receiver, django_capture_on_commit_callbacks
):
    webhook_for(manager, japan, receiver)
    activity = ActivityFactory(programme=japan)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.update_activity(activity=activity, user=manager, data={"title": "Gone"})
        raise RuntimeError("the request failed after the write")
    assert not Delivery.objects.exists() and receiver.received == []


def test_closing_a_stocktake_is_posted_once_it_commits(
    manager, japan, receiver, django_capture_on_commit_callbacks
):
    webhook = webhook_for(manager, japan, receiver, ["stocktake.closed"])
    stocktake = StockTakeFactory(programme=japan, year=2025)
    assessment = GoalAssessmentFactory(
        stocktake=stocktake, goal=japan.partnership_goals.get(order=1), narrative="Two rounds."
    )
    with django_capture_on_commit_callbacks(execute=True):
        close_stocktake(stocktake, user=manager)
        assert receiver.received == []  # not before the close commits
    (received,) = receiver.received
    body = verified(webhook.shown_secret, received)
    assert body["event"] == "stocktake.closed" and body["programme"] == japan.pk
    data = body["data"]
    assert data["id"] == stocktake.pk and data["status"] == "closed"
    assert data["closed_by"] == "manager" and data["period_start"] == "2025-01-01"
    assert [a["id"] for a in data["assessments"]] == [assessment.pk]
    assert data["assessments"][0]["narrative"] == "Two rounds."


def test_a_failed_attempt_is_retried_under_the_same_uuid_and_delivered_once(
    manager, japan, receiver, django_capture_on_commit_callbacks
):
    webhook = webhook_for(manager, japan, receiver, ["activity.updated"])
    activity = ActivityFactory(programme=japan)
    receiver.answers.extend([500, 200])
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=activity, user=manager, data={"title": "Renamed"})
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None
    assert [a.status_code for a in delivery.attempts.all()] == [500]

    # What the worker does after the countdown (Celery's retry), then a duplicate run.
    assert tasks.deliver.apply(args=[str(delivery.pk)]).get() == "delivered"
    assert tasks.deliver.apply(args=[str(delivery.pk)]).get() == "delivered"

    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["X-ITPP-Delivery"] == second.headers["X-ITPP-Delivery"] == str(delivery.pk)
    verified(webhook.shown_secret, second)

    listed = token_client(manager).get(f"/api/v1/webhooks/{webhook.pk}/deliveries/").json()
    (shown,) = listed["results"]
    assert shown["id"] == str(delivery.pk) and shown["status"] == "delivered"
    assert shown["event"] == "activity.updated" and shown["object_id"] == activity.pk
    assert [(a["number"], a["status_code"]) for a in shown["attempts"]] == [(1, 500), (2, 200)]
    assert all(a["duration_ms"] >= 0 and a["attempted_at"] for a in shown["attempts"])


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(
    manager, japan, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT = 0.5
    webhook_for(manager, japan, receiver, ["activity.updated"])
    activity = ActivityFactory(programme=japan)
    receiver.answers.append("hang")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=activity, user=manager, data={"title": "Renamed"})
    delivery = Delivery.objects.get()
    (attempt,) = delivery.attempts.all()
    assert attempt.status_code is None and "timeout" in attempt.error
    assert delivery.status == "pending"
    receiver.release.set()
    assert tasks.deliver.apply(args=[str(delivery.pk)]).get() == "delivered"


def test_retries_stop_a_day_after_the_event(
    manager, japan, receiver, django_capture_on_commit_callbacks
):
    webhook_for(manager, japan, receiver, ["activity.updated"])
    activity = ActivityFactory(programme=japan)
    receiver.answers.extend([503, 503])
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=activity, user=manager, data={"title": "Renamed"})
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        created_at=delivery.created_at - timedelta(hours=23, minutes=59)
    )
    assert tasks.deliver.apply(args=[str(delivery.pk)]).get() == "failed"
    assert tasks.deliver.apply(args=[str(delivery.pk)]).get() == "failed"
    assert len(receiver.received) == 2
    assert [a.status_code for a in delivery.attempts.all()] == [503, 503]


def test_the_backoff_doubles_and_the_retries_span_a_day():
    waits = [tasks.backoff(number) for number in range(1, 13)]
    assert waits[:4] == [60, 120, 240, 480]
    assert max(waits) == tasks.LONGEST_WAIT
    assert sum(waits[:11]) < tasks.RETRY_FOR.total_seconds() < sum(waits)


def test_a_restricted_activity_is_not_sent_to_an_owner_who_may_not_see_it(
    manager, japan, receiver, django_capture_on_commit_callbacks
):
    owner = webhook_owner("Editors")  # owns webhooks, cannot see restricted activities
    webhook = webhook_for(owner, japan, receiver, ["activity.created", "activity.updated"])
    data = {
        "programme": japan,
        "activity_type": "consultation",
        "start_date": "2025-03-04",
        "goals": [japan.partnership_goals.get(order=1)],
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.create_activity(
            user=manager, data={**data, "title": "Secret talks", "releasability": "restricted"}
        )
        services.create_activity(user=manager, data={**data, "title": "Open talks"})
    assert b"Secret talks" not in b"".join(received.body for received in receiver.received)
    (received,) = receiver.received
    assert verified(webhook.shown_secret, received)["data"]["title"] == "Open talks"
    withheld = Delivery.objects.get(status="withheld")
    assert not withheld.attempts.exists() and withheld.body == ""


def test_an_activity_restricted_before_its_retry_is_withheld(
    manager, japan, receiver, django_capture_on_commit_callbacks
):
    owner = webhook_owner("Editors")
    webhook_for(owner, japan, receiver, ["activity.updated"])
    activity = ActivityFactory(programme=japan, title="Talks, later restricted")
    receiver.answers.append(500)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=activity, user=manager, data={"outcome": "Agreed."})
    services.update_activity(activity=activity, user=manager, data={"releasability": "restricted"})
    delivery = Delivery.objects.order_by("created_at").first()
    assert tasks.deliver.apply(args=[str(delivery.pk)]).get() == "withheld"
    assert len(receiver.received) == 1  # only the first, refused attempt


def test_an_owner_who_lost_the_role_is_sent_nothing(
    japan, receiver, manager, django_capture_on_commit_callbacks
):
    owner = webhook_owner("Programme managers")
    webhook_for(owner, japan, receiver, ["activity.updated"])
    owner.user_permissions.clear()
    owner.groups.clear()
    activity = ActivityFactory(programme=japan)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=activity, user=manager, data={"title": "Renamed"})
    assert Delivery.objects.get().status == "withheld" and receiver.received == []


def test_the_address_is_checked_again_at_delivery(
    manager, japan, receiver, settings, django_capture_on_commit_callbacks
):
    webhook_for(manager, japan, receiver, ["activity.updated"])
    settings.WEBHOOK_ALLOWED_NETWORKS = []  # loopback no longer allowed
    activity = ActivityFactory(programme=japan)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=activity, user=manager, data={"title": "Renamed"})
    (attempt,) = Delivery.objects.get().attempts.all()
    assert attempt.status_code is None and attempt.error.startswith("refused:")
    assert "127.0.0.1" in attempt.error and receiver.received == []


def test_deliveries_list_needs_no_more_queries_for_more_deliveries(
    manager, japan, receiver, django_capture_on_commit_callbacks
):
    webhook = webhook_for(manager, japan, receiver, ["activity.updated"])
    activity = ActivityFactory(programme=japan)
    client = token_client(manager)
    url = f"/api/v1/webhooks/{webhook.pk}/deliveries/"
    counts = []
    for updates in (1, 5):
        with django_capture_on_commit_callbacks(execute=True):
            for number in range(updates):
                services.update_activity(
                    activity=activity, user=manager, data={"title": f"{number}"}
                )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert client.get(url).json()["count"] == 6


def test_approving_an_activity_is_posted(
    manager, japan, receiver, django_capture_on_commit_callbacks
):
    webhook = webhook_for(manager, japan, receiver, ["activity.approved"])
    activity = ActivityFactory(programme=japan, review_state="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_activity(activity=activity, user=manager)
    (received,) = receiver.received
    body = verified(webhook.shown_secret, received)
    assert body["event"] == "activity.approved" and body["data"]["id"] == activity.pk
    assert body["data"]["review_state"] == "approved"


def test_a_draft_is_not_sent_to_an_owner_who_may_not_see_drafts(
    manager, japan, receiver, django_capture_on_commit_callbacks
):
    owner = webhook_owner("Viewers")
    webhook_for(owner, japan, receiver, ["activity.updated"])
    draft = ActivityFactory(programme=japan, review_state="draft", title="Draft talks")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(activity=draft, user=manager, data={"outcome": "Agreed."})
    assert Delivery.objects.get().status == "withheld" and receiver.received == []


def test_returning_and_submitting_in_review_are_updates(
    manager, editor, japan, receiver, django_capture_on_commit_callbacks
):
    webhook = webhook_for(manager, japan, receiver, ["activity.updated", "activity.approved"])
    activity = ActivityFactory(programme=japan, review_state="submitted", created_by=editor)
    # Two requests, each committing; the second's change is not in the first's delivery.
    with django_capture_on_commit_callbacks(execute=True):
        services.return_activity(activity=activity, user=manager, comment="Add the outcome.")
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_activity(activity=activity, user=editor)
    bodies = [verified(webhook.shown_secret, received) for received in receiver.received]
    assert [(body["event"], body["data"]["review_state"]) for body in bodies] == [
        ("activity.updated", "returned"),
        ("activity.updated", "submitted"),
    ]
