"""Work the worker does for the activity log: telling authors how their records fared in
review (queued with `transaction.on_commit()` by activities.services, so a rolled-back
review sends nothing), and purging expired creation keys (beat). Without a broker the
tasks run in-process."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.languages import recipient_language
from activities import idempotency
from activities.models import Activity, ReviewState

logger = logging.getLogger(__name__)


def page_link(activity: Activity) -> str:
    return f"{settings.SITE_URL}{activity.get_absolute_url()}"


def review_message(activity: Activity) -> tuple[str, str]:
    """The subject and body telling the author of `activity` its review's outcome."""
    link = page_link(activity)
    if activity.review_state == ReviewState.APPROVED:
        subject = _("Approved: %(title)s") % {"title": activity.title}
        body = _(
            "Your record “%(record)s” was approved.\n\n"
            "It now counts as approved in ITPP Tracker: %(link)s\n"
        ) % {"record": activity, "link": link}
    else:
        subject = _("Returned for changes: %(title)s") % {"title": activity.title}
        body = _(
            "Your record “%(record)s” was returned to you with this comment:\n\n"
            "%(comment)s\n\n"
            "Fix it and submit it again: %(link)s\n"
        ) % {"record": activity, "comment": activity.review_comment, "link": link}
    return subject, body


@shared_task(bind=True, max_retries=5)
def notify_author_of_review(self, activity_id: int, state: str) -> bool:
    """E-mail the author of a record that was approved or returned. Sends nothing when
    mail is off, when the record has since moved on (another review came after), or to
    an author who has no address, is inactive, or may no longer see the record (a
    restricted title is never mailed to someone who cannot see it), nor to an author who
    reviewed it themselves. True if sent."""
    if not settings.EMAIL_CONFIGURED:
        return False
    activity = Activity.objects.select_related("created_by").filter(pk=activity_id).first()
    if activity is None or activity.review_state != state or activity.created_by is None:
        return False
    if activity.updated_by_id == activity.created_by_id:
        return False  # they reviewed their own record: no news to them
    author = get_user_model().objects.get(pk=activity.created_by_id)  # fresh permissions
    if not author.is_active or not author.email:
        return False
    if not Activity.objects.visible_to(author).filter(pk=activity_id).exists():
        return False
    with translation.override(recipient_language(author)):  # their language, else English
        subject, body = review_message(activity)
    try:
        send_mail(subject, body, None, [author.email])
    except (SMTPException, OSError) as error:
        if self.request.is_eager:  # in-process (no broker): log it, the review stands
            logger.warning("Review mail for activity %s not sent: %s", activity_id, error)
            return False
        raise self.retry(exc=error, countdown=60) from error
    return True


@shared_task(name="activities.tasks.purge_expired_creation_keys")
def purge_expired_creation_keys() -> int:
    """Delete the Idempotency-Key and form-token rows past their 24 hours (run hourly by
    beat, CELERY_BEAT_SCHEDULE); the number deleted. Idempotent: a second run finds none."""
    return idempotency.purge_expired()
