"""The cycle's e-mails (Django's locmem outbox): a follow-up's owner is told, each user gets
a weekly digest of their own work unless they turned it off, `send_reminders` sends it at
once and beat on Monday mornings, and nothing restricted reaches who may not see it."""

import datetime

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core.management import call_command

from accounts.models import Preferences
from cycle import tasks
from cycle.notifications import send_digests
from tests.api.conftest import token_client
from tests.cycle.conftest import days
from tests.factories import ActivityFactory, FollowUpFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_owner_is_mailed_when_a_follow_up_is_assigned_to_them(
    mail, editor, viewer, programme, today, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(programme=programme, title="Maritime consultation")
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(editor).post(
            "/api/v1/follow-ups/",
            {
                "activity": activity.pk,
                "text": "Draft the joint statement",
                "owner": "viewer",
                "due_date": (today + days(7)).isoformat(),
            },
            format="json",
        )
    assert response.status_code == 201
    assert len(mail) == 1
    message = mail[0]
    assert message.to == [viewer.email]
    assert "Draft the joint statement" in message.body
    assert "Maritime consultation" in message.body
    assert f"https://itpp.example.org/activities/{activity.pk}/#follow-up-" in message.body


def test_reassigning_mails_the_new_owner_and_nobody_is_mailed_their_own_assignment(
    mail, editor, viewer, programme, django_capture_on_commit_callbacks
):
    follow_up = FollowUpFactory(activity=ActivityFactory(programme=programme), owner=editor)
    api = token_client(editor)
    url = f"/api/v1/follow-ups/{follow_up.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        api.patch(url, {"text": "Only the text"}, format="json")
    assert mail == []
    with django_capture_on_commit_callbacks(execute=True):
        assert api.patch(url, {"owner": "viewer"}, format="json").status_code == 200
    assert [m.to for m in mail] == [[viewer.email]]


def test_a_failed_write_mails_nobody(
    mail, editor, viewer, japan, programme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(editor).post(
            "/api/v1/follow-ups/",
            {
                "activity": ActivityFactory(programme=programme).pk,
                "text": "x",
                "owner": "viewer",
                "due_date": "2099-01-01",
                "goal": japan.partnership_goals.first().pk,
            },
            format="json",
        )
    assert response.status_code == 400
    assert mail == []


def test_no_mail_about_an_activity_the_owner_can_no_longer_see(mail, manager, viewer, programme):
    activity = ActivityFactory(programme=programme, title="Zebra talks")
    follow_up = FollowUpFactory(activity=activity, owner=viewer)
    activity.releasability = "restricted"
    activity.save()
    assert tasks.notify_follow_up_owner.delay(follow_up.pk).get() is False
    assert mail == []


def test_without_mail_configured_nothing_is_sent(settings, mailoutbox, editor, viewer, programme):
    settings.EMAIL_CONFIGURED = False
    follow_up = FollowUpFactory(activity=ActivityFactory(programme=programme), owner=viewer)
    assert tasks.notify_follow_up_owner.delay(follow_up.pk).get() is False
    assert send_digests(datetime.date.today()) == 0
    assert mailoutbox == []


@pytest.fixture
def workload(programme, editor, manager, today):
    """The editor's due report, returned record and overdue action, someone else's, and
    restricted ones the editor may not see."""
    ActivityFactory(
        programme=programme,
        title="My ended workshop",
        status="ongoing",
        start_date=today - days(9),
        end_date=today - days(8),
        created_by=editor,
        review_state="approved",
    )
    ActivityFactory(
        programme=programme,
        title="My returned visit",
        review_state="returned",
        review_comment="Add the outcome.",
        created_by=editor,
    )
    FollowUpFactory(
        activity=ActivityFactory(programme=programme, title="Staff talks"),
        owner=editor,
        text="Send the minutes",
        due_date=today - days(3),
    )
    ActivityFactory(
        programme=programme,
        title="Somebody else's report",
        status="planned",
        start_date=today - days(2),
        created_by=manager,
    )
    # Restricted since the editor logged it: no longer theirs to see, so never mailed.
    ActivityFactory(
        programme=programme,
        title="Zebra restricted report",
        status="planned",
        start_date=today - days(2),
        created_by=editor,
        releasability="restricted",
    )
    secret = ActivityFactory(programme=programme, title="Zebra", releasability="restricted")
    FollowUpFactory(
        activity=secret, owner=manager, text="Zebra hand-over", due_date=today - days(1)
    )


def test_the_weekly_digest_lists_a_users_own_work_and_nothing_restricted(
    mail, editor, manager, viewer, workload
):
    assert tasks.send_weekly_digests.delay().get() == 2  # the editor and the manager
    by_user = {message.to[0]: message.body for message in mail}
    assert set(by_user) == {editor.email, manager.email}
    body = by_user[editor.email]
    for text in (
        "My ended workshop: 8 days overdue",
        "My returned visit",
        "Add the outcome.",
        "Send the minutes",
        "3 days overdue",
        "https://itpp.example.org/accounts/",
    ):
        assert text in body, text
    assert "Somebody else's" not in body
    assert "Zebra" not in body
    # The manager may see restricted activities: their own overdue action is there.
    assert "Zebra hand-over" in by_user[manager.email]


def test_a_user_who_turned_the_digest_off_gets_none(client, mail, editor, manager, workload):
    client.force_login(editor)
    page = client.get("/accounts/")
    assert page.status_code == 200 and "weekly digest" in page.content.decode()
    response = client.post("/accounts/", {})  # the box unticked
    assert response.status_code == 302
    assert Preferences.objects.get(user=editor).weekly_digest is False
    assert (
        "checked" not in client.get("/accounts/").content.decode().split("weekly_digest")[1][:200]
    )
    call_command("send_reminders")
    assert [m.to for m in mail] == [[manager.email]]
    client.post("/accounts/", {"weekly_digest": "on"})
    assert Preferences.objects.get(user=editor).weekly_digest is True


def test_send_reminders_sends_at_once_and_once_a_day(mail, editor, workload, capsys):
    call_command("send_reminders")
    assert "Sent 2 digests." in capsys.readouterr().out
    call_command("send_reminders")
    assert "Sent 0 digests." in capsys.readouterr().out
    assert len(mail) == 2


def test_nobody_gets_an_empty_digest(mail, editor, viewer, programme):
    assert send_digests(datetime.date.today()) == 0
    assert mail == []


def test_a_user_without_an_address_or_a_role_is_skipped(mail, programme, today):
    no_address = UserFactory(email="", roles=["Editors"])
    no_role = UserFactory()
    for user in (no_address, no_role):
        ActivityFactory(
            programme=programme, status="planned", start_date=today - days(2), created_by=user
        )
    assert send_digests(today) == 0


def test_beat_sends_the_digest_on_monday_mornings():
    entry = django_settings.CELERY_BEAT_SCHEDULE["cycle.send_weekly_digests"]
    assert entry["task"] == tasks.send_weekly_digests.name
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.day_of_week == {1} and schedule.hour == {7} and schedule.minute == {0}
