"""Files that back up a record: the agenda, the minutes, the photo of an activity, or the
evidence behind a goal assessment."""

from __future__ import annotations

import re
import unicodedata
import uuid

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from goals.models import GoalAssessment
from itpp.history import tracked

VIEW_ACTIVITY = "activities.view_activity"
VIEW_ASSESSMENT = "goals.view_goalassessment"


def attachment_storage() -> Storage:
    """The storage of settings.STORAGES["attachments"] (local folder or S3-compatible)."""
    return storages["attachments"]


def random_name(instance: Attachment, filename: str) -> str:
    """A random name in the store: the original name is kept in the row, never used as a
    path, so no name can reach another file or tell the store what the file is."""
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


def clean_filename(name: str) -> str:
    """The original name as shown and sent back: its last path part, without control
    characters, at most 255 characters (the extension kept)."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:16] if dot else ""
        name = (stem if dot else name)[: 255 - len(extension) - 1].rstrip() + (
            f".{extension}" if extension else ""
        )
    return name or "attachment"


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> AttachmentQuerySet:
        """The attachments of what `user` may see: an activity's through the activities'
        one gate (`visible_to()`), an assessment's with the permission to see assessments.
        A deleted activity's attachments are kept (for a restore) but seen by no one."""
        condition = Q(pk__in=[])
        if user.is_active and user.has_perm(VIEW_ACTIVITY):
            visible = Activity.objects.visible_to(user).filter(pk=OuterRef("activity_id"))
            condition |= Q(activity__isnull=False) & Exists(visible)
        if user.is_active and user.has_perm(VIEW_ASSESSMENT):
            condition |= Q(assessment__isnull=False)
        return self.filter(condition)


class Attachment(models.Model):
    # No foreign-key constraint, and nothing happens on deletion: a deleted activity can be
    # restored under its old id (activities.services.restore_activity), and its evidence
    # with it. Until then the attachments are hidden by visible_to().
    activity = models.ForeignKey(
        Activity,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("activity"),
    )
    assessment = models.ForeignKey(
        GoalAssessment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("assessment"),
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    filename = models.CharField(
        _("file name"), max_length=255, help_text=_("The name it was uploaded with.")
    )
    file = models.FileField(
        _("file"), storage=attachment_storage, upload_to=random_name, max_length=255
    )
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    objects = AttachmentQuerySet.as_manager()
    # Adding and removing are in the activity's change log (attachments.history).
    history = tracked()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=False, assessment__isnull=True)
                | Q(activity__isnull=True, assessment__isnull=False),
                name="attachment_of_one_record",
                violation_error_message=_(
                    "An attachment belongs to one activity or one assessment."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.filename

    @property
    def name(self) -> str:
        return self.title or self.filename

    def get_download_url(self) -> str:
        return reverse("attachments:download", args=[self.pk])

    def get_api_download_url(self) -> str:
        return reverse("api:attachment-download", args=[self.pk])
