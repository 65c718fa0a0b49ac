"""Report jobs: a PDF or workbook made by a worker (reports.tasks), kept for a day."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.languages import validate_language

# How long a finished report is kept (and a job that never ran is remembered).
JOB_LIFETIME = timedelta(days=1)


def report_file_name(job: ReportJob, filename: str) -> str:
    """A random name in storage: the file's URL-safe name says nothing of its content,
    and a name cannot be guessed (downloads go through an authorised view anyway)."""
    return f"report-jobs/{secrets.token_urlsafe(24)}.{job.format}"


class ReportJobQuerySet(models.QuerySet):
    def live(self) -> ReportJobQuerySet:
        return self.filter(expires__gt=timezone.now())

    def expired(self) -> ReportJobQuerySet:
        return self.filter(expires__lte=timezone.now())


class ReportJob(models.Model):
    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        XLSX = "xlsx", _("XLSX workbook")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Preparing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    # Not a sequence: a job's address tells nothing of how many others there are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs"
    )
    programme = models.ForeignKey(
        "goals.Programme", on_delete=models.CASCADE, related_name="report_jobs"
    )
    format = models.CharField(max_length=4, choices=Format.choices)
    # The report's parameters (activity filters and `stocktake`), normalised by
    # reports.render.report_parameters(): the worker makes the report from them.
    query = models.TextField(blank=True)
    # The language the file is written in (a code of settings.LANGUAGES; blank for jobs from
    # before languages, made in English): `?lang=`, `language` in the API, else the asker's.
    language = models.CharField(max_length=16, blank=True, validators=[validate_language])
    # Who may download the file: whoever sees what the requester sees
    # (reports.jobs.visibility_fingerprint()), i.e. the activities it was made from.
    visibility = models.CharField(max_length=64)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=report_file_name, blank=True, max_length=200)
    # The name the download is offered under, e.g. itpp-japan-progress-in-2025.pdf.
    filename = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)
    # A day after `created` (set on the first save).
    expires = models.DateTimeField(db_index=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_job_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(format)s report of %(programme)s (%(status)s)") % {
            "format": self.get_format_display(),
            "programme": self.programme,
            "status": self.get_status_display(),
        }

    def save(self, *args, **kwargs) -> None:
        if self.expires is None:
            self.expires = self.created + JOB_LIFETIME
        super().save(*args, **kwargs)

    def fail(self, message: str) -> None:
        """Mark the job failed with `message`, which its requester reads (its own short
        save, so pollers see it at once)."""
        self.status = self.Status.FAILED
        self.error = message
        self.finished = timezone.now()
        self.save(update_fields=["status", "error", "finished"])

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
