"""What each user chooses for their own account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.languages import validate_language


class Preferences(models.Model):
    """A user's choices; a user without a row has the defaults (the digest on, the
    browser's language)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preferences",
    )
    weekly_digest = models.BooleanField(
        _("weekly digest by e-mail"),
        default=True,
        help_text=_(
            "On Monday mornings: your activities due for a report, your returned records "
            "and your overdue follow-up actions (sent only when there is something to do)."
        ),
    )
    # A code of settings.LANGUAGES, checked by the validator rather than choices, so that
    # adding a language needs no migration. Blank: the browser's language.
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        validators=[validate_language],
        help_text=_(
            "The language of the pages, your e-mails and your reports. Blank: your "
            "browser's language for the pages, English for e-mails."
        ),
    )
    # The day the last digest went out: a digest task run twice (a retry, a second
    # `send_reminders`) sends it once.
    digest_sent_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return f"Preferences of user {self.user_id}"

    @classmethod
    def wants_digest(cls, user: models.Model) -> bool:
        return not cls.objects.filter(user=user, weekly_digest=False).exists()
