"""The background tasks: what each does, that a retry or a second run changes nothing, and
that the periodic ones are scheduled. They run in-process here (CELERY_TASK_ALWAYS_EAGER);
tests/test_scale_out.py runs a real worker."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from knox.models import AuthToken

from accounts.tasks import purge_expired_api_tokens
from activities.idempotency import LIFETIME
from activities.models import CreationKey
from activities.tasks import purge_expired_creation_keys
from goals import tasks
from goals.models import StockTake
from itpp.celery import app
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_purge_deletes_only_expired_creation_keys_and_a_rerun_finds_none():
    user = UserFactory()
    old = CreationKey.objects.create(user=user, door=CreationKey.Door.API, key="old")
    CreationKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - LIFETIME - timedelta(minutes=1)
    )
    CreationKey.objects.create(user=user, door=CreationKey.Door.API, key="fresh")
    assert purge_expired_creation_keys.delay().get() == 1
    assert list(CreationKey.objects.values_list("key", flat=True)) == ["fresh"]
    assert purge_expired_creation_keys.delay().get() == 0


def test_beat_runs_the_purge_with_a_task_that_exists():
    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["activities.purge_expired_creation_keys"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= timedelta(hours=24)  # keys live 24 hours


@pytest.mark.django_db
def test_the_token_purge_deletes_only_expired_api_tokens_and_a_rerun_finds_none():
    user = UserFactory()
    expired, _ = AuthToken.objects.create(user=user, expiry=timedelta(days=1))
    AuthToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - timedelta(minutes=1))
    fresh, _ = AuthToken.objects.create(user=user, expiry=timedelta(days=1))
    lasting, _ = AuthToken.objects.create(user=user, expiry=None)
    assert purge_expired_api_tokens.delay().get() == 1
    assert set(AuthToken.objects.values_list("pk", flat=True)) == {fresh.pk, lasting.pk}
    assert purge_expired_api_tokens.delay().get() == 0


def test_beat_runs_the_token_purge_with_a_task_that_exists():
    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["accounts.purge_expired_api_tokens"]
    assert entry["task"] == purge_expired_api_tokens.name
    assert entry["schedule"] <= timedelta(hours=24)


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_tasks_are_acknowledged_after_they_ran_and_retried_with_backoff():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    # Redis hands an unacknowledged task to another worker after the visibility timeout:
    # it must outlast the longest task, or a long one would run twice at once.
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert tasks.close_stocktake.retry_backoff
    assert tasks.close_stocktake.autoretry_for


@pytest.fixture
def open_stocktake(japan):
    return StockTake.objects.create(
        programme=japan, title="Task review", period_start="2024-01-01", period_end="2024-12-31"
    )


@pytest.mark.django_db
def test_the_close_task_closes_with_the_snapshot_and_a_rerun_changes_nothing(
    open_stocktake, manager
):
    assert tasks.close_stocktake.delay(open_stocktake.pk, manager.pk).get() == "closed"
    closed = StockTake.objects.get(pk=open_stocktake.pk)
    assert closed.is_closed and closed.closed_by == manager
    assert {"all", "unrestricted", "public", "assessments"} <= set(closed.snapshot)
    # A redelivered or retried task: the same stock-take, untouched.
    assert tasks.close_stocktake.delay(open_stocktake.pk, manager.pk).get() == "already closed"
    again = StockTake.objects.get(pk=open_stocktake.pk)
    assert (again.closed_at, again.snapshot) == (closed.closed_at, closed.snapshot)


@pytest.mark.django_db
def test_the_close_task_of_a_deleted_stocktake_does_nothing(open_stocktake, manager):
    pk = open_stocktake.pk
    open_stocktake.delete()
    assert tasks.close_stocktake.delay(pk, manager.pk).get() == "gone"


@pytest.fixture
def with_a_worker():
    """Tasks queued for a worker, as in production (the rest of the suite runs them
    in-process)."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


@pytest.mark.django_db
def test_the_close_page_queues_the_close_after_commit_and_says_so(
    client, manager, open_stocktake, with_a_worker, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(f"/stocktakes/{open_stocktake.pk}/close/", follow=True)
    assert len(queued) == 1  # the task is sent once the request's transaction commits
    assert "is being closed" in response.content.decode()
    assert not StockTake.objects.get(pk=open_stocktake.pk).is_closed


@pytest.fixture
def broker_down(monkeypatch, with_a_worker):
    """Tasks are sent to a broker that refuses connections (port 1)."""
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    # The app makes its connection pools from broker_url when first needed: drop any made.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)


@pytest.mark.django_db
def test_a_stocktake_closed_while_the_broker_is_down_is_closed_here_not_a_500(
    client, manager, open_stocktake, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/stocktakes/{open_stocktake.pk}/close/")
    assert response.status_code == 302
    closed = StockTake.objects.get(pk=open_stocktake.pk)
    assert closed.is_closed and closed.closed_by == manager


@pytest.mark.django_db
def test_a_report_asked_for_while_the_broker_is_down_fails_with_a_message_not_a_500(
    manager, japan, broker_down, django_capture_on_commit_callbacks
):
    from reports.models import ReportJob
    from tests.api.conftest import token_client

    api = token_client(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/reports/", {"programme": japan.pk, "format": "xlsx"}, format="json"
        )
    assert response.status_code == 202
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.FAILED
    assert "task queue is unreachable" in job.error
    status = api.get(response["Location"]).json()
    assert status["status"] == "failed"


@pytest.mark.django_db
def test_a_review_while_the_broker_is_down_is_saved_and_its_mail_sent_here(
    manager, mailoutbox, settings, broker_down, django_capture_on_commit_callbacks
):
    from activities.models import ReviewState
    from activities.services import approve_activity
    from tests.factories import ActivityFactory, UserFactory

    settings.EMAIL_CONFIGURED = True
    settings.SITE_URL = "https://itpp.example.org"
    author = UserFactory(username="author", roles=["Editors"], email="author@example.org")
    activity = ActivityFactory(review_state=ReviewState.SUBMITTED, created_by=author)
    with django_capture_on_commit_callbacks(execute=True):
        approve_activity(activity=activity, user=manager)
    activity.refresh_from_db()
    assert activity.review_state == ReviewState.APPROVED
    assert [mail.to for mail in mailoutbox] == [["author@example.org"]]
