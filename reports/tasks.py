"""The worker's side of report jobs: make the file, and forget it after a day.

`make_report_file` builds the same report as the page (reports.render.report_for) with
the requester's own visibility, never a superuser's, so a job's file holds only what its
requester may see. It is idempotent: a job already done is left alone, and of two runs of
one job (a redelivery after a worker died, acks being late) only the first to finish
keeps its file. Progress is saved as it goes, for the page's bar and the API's `progress`.
The file, and the job's error if it fails, are written in the job's language.
"""

from __future__ import annotations

import logging
import tempfile
from typing import IO

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import File
from django.db import InterfaceError, OperationalError, transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from progress.query import FilterRefused
from reports.jobs import may_read_reports, visibility_fingerprint
from reports.models import ReportJob
from reports.render import UnknownStockTake, report_filename, report_for, write_report_file

logger = logging.getLogger(__name__)

# A database that went away for a moment is worth another try, later and later.
TRANSIENT = (OperationalError, InterfaceError)
MAX_RETRIES = 3


def _progress(job: ReportJob, percent: int, **fields) -> None:
    """Save how far the job is (its own short transaction in the worker, so pollers see it)."""
    job.progress = percent
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["progress", *fields])


def _advance(job: ReportJob, percent: int) -> None:
    if percent > job.progress:
        _progress(job, percent)


@shared_task(
    bind=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
    soft_time_limit=settings.CELERY_REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_REPORT_TIME_LIMIT,
)
def make_report_file(self, job_id: str) -> str:
    """Make the file of report job `job_id`; returns the job's status."""
    job = ReportJob.objects.select_related("requester", "programme").filter(pk=job_id).first()
    if job is None:
        return "gone"  # purged (expired) before a worker got to it
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _make(self, job)


def _make(task, job: ReportJob) -> str:
    if job.status == ReportJob.Status.DONE:
        return job.status  # a retried or redelivered task: the file is already there
    if job.is_expired:
        job.fail(_("The job expired before a worker could make the report."))
        return job.status
    requester = job.requester
    if not may_read_reports(requester):
        job.fail(_("The requester may no longer read reports."))
        return job.status
    # The file holds what the requester sees now; whoever shares that view may fetch it.
    _progress(
        job,
        5,
        status=ReportJob.Status.RUNNING,
        error="",
        visibility=visibility_fingerprint(requester),
    )
    # The file is written to a temporary file and copied into storage from there, so a
    # large workbook is never held in memory (reports.xlsx streams its rows).
    with tempfile.TemporaryFile(prefix="itpp-report-") as content:
        return _write(task, job, content)


def _write(task, job: ReportJob, content: IO[bytes]) -> str:
    try:
        report = report_for(QueryDict(job.query), user=job.requester, programme=job.programme)
        _progress(job, 50)
        write_report_file(report, job.format, content, on_progress=lambda p: _advance(job, p))
        _progress(job, 90)
    except TRANSIENT as exc:
        if task.request.retries < MAX_RETRIES:
            raise task.retry(exc=exc, countdown=5 * 2**task.request.retries) from exc
        job.fail(_("The database could not be reached; ask for the report again."))
        return job.status
    except SoftTimeLimitExceeded:
        # CELERY_TASK_SOFT_TIME_LIMIT: say so, rather than leave the job "running" for ever.
        job.fail(
            _(
                "The report took longer than the worker may spend on one task "
                "(%(seconds)s s). Narrow it with filters, or ask for the workbook, which is "
                "made much faster than the PDF."
            )
            % {"seconds": settings.CELERY_TASK_SOFT_TIME_LIMIT},
        )
        return job.status
    except (FilterRefused, UnknownStockTake) as refused:
        # Checked when asked; the stock-take may have closed or gone since.
        message = getattr(refused, "message", None) or str(refused)
        job.fail(
            _("This report cannot be made with these filters any more. %(reason)s")
            % {"reason": message},
        )
        return job.status
    except Exception:
        logger.exception("Report job %s failed", job.pk)
        job.fail(
            _(
                "The report could not be made. Ask for it again; if this persists, "
                "tell an administrator."
            ),
        )
        return job.status
    return _finish(job, content, report_filename(report, job.format))


def _finish(job: ReportJob, content: IO[bytes], filename: str) -> str:
    """Store the file (`content`, copied into storage in chunks) and mark the job done,
    unless another run finished first."""
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None or locked.status == ReportJob.Status.DONE:
            return locked.status if locked else "gone"
        content.seek(0)
        locked.file.save("", File(content), save=False)
        stored = locked.file.name
        locked.status = ReportJob.Status.DONE
        locked.progress = 100
        locked.filename = filename
        locked.error = ""
        locked.finished = timezone.now()
        try:
            # A row that cannot be saved must not leave a file no job points to.
            locked.save(
                update_fields=["file", "status", "progress", "filename", "error", "finished"]
            )
        except Exception:
            locked.file.storage.delete(stored)
            raise
    return ReportJob.Status.DONE


@shared_task
def purge_expired_report_jobs() -> int:
    """Delete the jobs past their expiry and their files; returns how many. Run hourly
    by celery beat (CELERY_BEAT_SCHEDULE)."""
    purged = 0
    for job in ReportJob.objects.expired().iterator():
        if job.file:
            job.file.storage.delete(job.file.name)
        job.delete()
        purged += 1
    return purged
