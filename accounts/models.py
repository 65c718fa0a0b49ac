"""What each user chooses for their own account."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Preferences(models.Model):
    """A user's choices; a user without a row has the defaults (the digest on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preferences",
    )
    weekly_digest = models.BooleanField(
        "weekly digest by e-mail",
        default=True,
        help_text=(
            "On Monday mornings: your activities due for a report, your returned records "
            "and your overdue follow-up actions (sent only when there is something to do)."
        ),
    )
    # The day the last digest went out: a digest task run twice (a retry, a second
    # `send_reminders`) sends it once.
    digest_sent_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"Preferences of user {self.user_id}"

    @classmethod
    def wants_digest(cls, user: models.Model) -> bool:
        return not cls.objects.filter(user=user, weekly_digest=False).exists()
