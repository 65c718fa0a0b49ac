"""E-mails of the programme cycle: a follow-up's owner is told of it, and each user gets a
weekly digest. Each message is written for one recipient from what that recipient may see
(cycle.attention reads through the one gate), so nothing restricted reaches anyone else."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.languages import in_recipient_language
from accounts.models import Preferences
from cycle.attention import digest_for
from cycle.models import FollowUp

logger = logging.getLogger(__name__)


def site_url(path: str) -> str:
    """An absolute link when DJANGO_SITE_URL is set, else the path alone."""
    return settings.SITE_URL.rstrip("/") + path


@in_recipient_language(
    lambda follow_up_id: (
        FollowUp.objects.filter(pk=follow_up_id).values_list("owner", flat=True).first()
    )
)
def follow_up_assigned(follow_up_id: int) -> bool:
    """Mail a follow-up's owner that it is theirs; False when there is nothing to send
    (gone, no address, or no longer theirs to see)."""
    if not settings.EMAIL_CONFIGURED:
        return False
    follow_up = FollowUp.objects.with_related().filter(pk=follow_up_id).first()
    if follow_up is None:
        return False
    owner = follow_up.owner
    # Checked when sending, not when queued: the activity may have been restricted since.
    if not owner.email or not owner.is_active or not owner.has_perm("cycle.view_followup"):
        return False
    if not FollowUp.objects.visible_to(owner).filter(pk=follow_up.pk).exists():
        return False
    context = {
        "user": owner,
        "follow_up": follow_up,
        "url": site_url(follow_up.get_absolute_url()),
        "my_work_url": site_url("/me/"),
    }
    send_mail(
        subject=gettext("Follow-up action for you, due %(date)s")
        % {"date": date_format(follow_up.due_date, "DATE_FORMAT")},
        message=render_to_string("cycle/email/follow_up_assigned.txt", context),
        from_email=None,
        recipient_list=[owner.email],
    )
    return True


def digest_recipients():
    """Active users with an address, a role that reads activities, and the digest on."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .exclude(preferences__weekly_digest=False)
        .order_by("pk")
    )


@in_recipient_language(lambda user, today: user)
def send_digest(user: AbstractBaseUser, today: date) -> bool:
    """Send `user` their digest for `today`, once a day at most; False if there was
    nothing to send (or it was sent already)."""
    if not settings.EMAIL_CONFIGURED or not user.has_perm("activities.view_activity"):
        return False
    with transaction.atomic():
        preferences, _ = Preferences.objects.select_for_update().get_or_create(user=user)
        if not preferences.weekly_digest or preferences.digest_sent_on == today:
            return False
        digest = digest_for(user, today)
        if digest.empty:
            return False
        context = {
            "user": user,
            "digest": digest,
            "today": today,
            "site_url": settings.SITE_URL.rstrip("/"),
            "account_url": site_url("/accounts/"),
        }
        send_mail(
            subject=gettext("Your ITPP Tracker reminders for the week of %(date)s")
            % {"date": date_format(today, "DATE_FORMAT")},
            message=render_to_string("cycle/email/digest.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
        # Recorded after the mail went: a failed send is tried again by the next run.
        preferences.digest_sent_on = today
        preferences.save(update_fields=["digest_sent_on"])
    return True


def send_digests(today: date) -> int:
    """Every user's digest; how many were sent. One user's failure does not stop the rest.
    Without mail configured (DJANGO_EMAIL_URL) nothing is sent."""
    if not settings.EMAIL_CONFIGURED:
        return 0
    sent = 0
    for user in digest_recipients():
        try:
            sent += send_digest(user, today)
        except Exception:  # a bad address or a mail server hiccup: log it, go on
            logger.exception("The weekly digest for user %s could not be sent.", user.pk)
    return sent
