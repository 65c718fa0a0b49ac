"""The author is told by e-mail (Django's mail, sent by a Celery task queued on commit) when
their record is returned or approved; nothing restricted reaches someone who cannot see it."""

import pytest
from django.db import transaction

from activities.services import approve_activity, return_activity, submit_activity
from activities.tasks import notify_author_of_review
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_on(settings):
    settings.EMAIL_CONFIGURED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://itpp.example.org"


@pytest.fixture
def author(db):
    return UserFactory(username="author", email="author@example.org", roles=["Editors"])


def submitted(japan, author, **kwargs):
    return ActivityFactory(
        programme=japan,
        title="Cyber talks",
        review_state="submitted",
        created_by=author,
        **kwargs,
    )


def test_the_author_is_told_when_their_record_is_returned(
    japan, author, manager, mailoutbox, django_capture_on_commit_callbacks
):
    record = submitted(japan, author)
    with django_capture_on_commit_callbacks(execute=True):
        return_activity(activity=record, user=manager, comment="Which Allies took part?")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["author@example.org"]
    assert "Returned" in mail.subject and "Cyber talks" in mail.subject
    assert "Which Allies took part?" in mail.body
    assert f"https://itpp.example.org/activities/{record.pk}/" in mail.body


def test_the_author_is_told_when_their_record_is_approved(
    japan, author, manager, mailoutbox, django_capture_on_commit_callbacks
):
    record = submitted(japan, author)
    with django_capture_on_commit_callbacks(execute=True):
        approve_activity(activity=record, user=manager)
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["author@example.org"], "Approved: Cyber talks")
    ]


def test_nothing_is_mailed_before_the_review_commits(japan, author, manager, mailoutbox):
    record = submitted(japan, author)
    with pytest.raises(RuntimeError), transaction.atomic():
        approve_activity(activity=record, user=manager)
        raise RuntimeError("rolled back")
    assert mailoutbox == []


def test_submitting_mails_nobody(japan, author, mailoutbox, django_capture_on_commit_callbacks):
    record = ActivityFactory(programme=japan, review_state="draft", created_by=author)
    with django_capture_on_commit_callbacks(execute=True):
        submit_activity(activity=record, user=author)
    assert mailoutbox == []


def test_a_restricted_record_is_not_mailed_to_an_author_who_cannot_see_it(
    japan, author, manager, mailoutbox, django_capture_on_commit_callbacks
):
    # Logged by an Editor, then restricted by a Programme manager: the Editor may no
    # longer know it exists, so its title is not mailed to them.
    record = submitted(japan, author, releasability="restricted")
    with django_capture_on_commit_callbacks(execute=True):
        return_activity(activity=record, user=manager, comment="Secret detail missing.")
    assert mailoutbox == []


def test_nothing_is_mailed_without_mail_or_to_whom_cannot_receive_it(
    japan, author, manager, mailoutbox, settings, django_capture_on_commit_callbacks
):
    record = submitted(japan, author)
    settings.EMAIL_CONFIGURED = False
    with django_capture_on_commit_callbacks(execute=True):
        approve_activity(activity=record, user=manager)
    assert mailoutbox == []
    settings.EMAIL_CONFIGURED = True
    # No address; inactive; the reviewer's own record; no author at all.
    quiet = UserFactory(username="quiet", email="", roles=["Editors"])
    gone = UserFactory(username="gone", email="gone@example.org", roles=["Editors"])
    gone.is_active = False
    gone.save()
    for who in (quiet, gone, manager, None):
        record = submitted(japan, who)
        with django_capture_on_commit_callbacks(execute=True):
            approve_activity(activity=record, user=manager)
    assert mailoutbox == []


def test_a_late_task_does_not_mail_a_state_the_record_has_left(japan, author, manager, mailoutbox):
    record = submitted(japan, author)
    approve_activity(activity=record, user=manager)  # its callback is never run here
    assert notify_author_of_review(record.pk, "returned") is False
    assert notify_author_of_review(record.pk, "approved") is True
    assert len(mailoutbox) == 1


def test_a_mail_server_that_is_down_does_not_undo_or_break_the_review(
    japan, author, manager, client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    # Nothing listens on port 9 of loopback: the connection is refused (an OSError).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    record = submitted(japan, author)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/activities/{record.pk}/approve/", {"version": record.version})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.review_state == "approved"
