"""Webhooks: endpoints of other systems that are told what happens in a programme."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from goals.models import Programme


class Event(models.TextChoices):
    ACTIVITY_CREATED = "activity.created", _("An activity was created (or restored)")
    ACTIVITY_UPDATED = "activity.updated", _("An activity was changed")
    ACTIVITY_DELETED = "activity.deleted", _("An activity was deleted")
    ACTIVITY_APPROVED = "activity.approved", _("An activity was approved in review")
    STOCKTAKE_CLOSED = "stocktake.closed", _("A stock-take was closed")


def new_secret() -> str:
    return secrets.token_hex(32)


def validate_events(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(gettext("Choose at least one event."))
    unknown = sorted({str(event) for event in value} - set(Event.values))
    if unknown:
        raise ValidationError(
            gettext("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}
        )


class Webhook(models.Model):
    """An endpoint registered by a Programme manager (or an administrator) for the events
    of one programme. It is sent what its owner may see, and nothing else."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("owner"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("programme")
    )
    url = models.URLField(max_length=2000, verbose_name=_("URL"))
    # A list of Event values (JSON, not an array column: the quick start runs on SQLite).
    events = models.JSONField(_("events"), validators=[validate_events])
    # Kept as is: it signs every delivery. Shown once, in the answer to the registration.
    secret = models.CharField(_("secret"), max_length=64, default=new_secret, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return f"{self.url} ({self.programme})"


class Delivery(models.Model):
    """One event for one webhook: sent under one uuid, however many attempts it takes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending (being sent or waiting for a retry)")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (given up after a day of retries)")
        WITHHELD = "withheld", _("Withheld (the owner may not see it, or it is gone)")

    id = models.UUIDField(_("id"), primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    # The activity's or the stock-take's id.
    object_id = models.BigIntegerField(_("object id"))
    occurred_at = models.DateTimeField(_("occurred at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # Written when the event is raised (the resource as it then stood), so that every
    # attempt sends the same bytes and signature.
    body = models.TextField(_("body"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["webhook", "-created_at"], name="delivery_webhook_newest")]

    def __str__(self) -> str:
        return f"{self.event} {self.pk} ({self.status})"


class Attempt(models.Model):
    """One POST of a delivery: when, the answer's status code or the error, how long."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("delivery")
    )
    number = models.PositiveIntegerField(_("number"))
    attempted_at = models.DateTimeField(_("attempted at"))
    status_code = models.PositiveIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration ms"))

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.status_code or self.error}"
