"""Secret links that let a calendar application read a user's activity feed."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    """What is stored for a token: a leaked database must not give working calendar links.

    A plain SHA-256 is enough (no salt, no slow hash): the tokens are 256 random bits,
    not passwords, and the hash must be looked up by equality.
    """
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarToken(models.Model):
    """The one calendar link of a user; resetting it replaces the hash, so the old link dies."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(editable=False, help_text=_("When the link was last reset."))
    last_used_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When a calendar last read the feed.")
    )

    class Meta:
        verbose_name = _("calendar link")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return gettext("Calendar link of %(user)s") % {"user": self.user}
