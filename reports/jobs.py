"""Report jobs: asking for a report file, who may fetch it, and the file's response.

A job records who asked, for which programme, format and parameters, and the asker's
visibility (`visibility_fingerprint()`): the worker builds the file with the requester's
own visibility (reports.tasks), and the file goes to the requester or to anyone who sees
exactly the same activities; to everyone else the job does not exist (404).
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import FileResponse, QueryDict
from django.utils.translation import gettext

from accounts.languages import is_supported, recipient_language
from activities.querysets import visibility
from goals.models import Programme
from itpp.tasks import after_commit
from reports.models import ReportJob
from reports.render import FORMATS, report_parameters, report_query

# Reading a report is reading activities.
VIEW_PERMISSION = "activities.view_activity"


def visibility_fingerprint(user: User | AnonymousUser) -> str:
    """A short digest of which activities `user` may see: the same for every user who
    sees the same ones (and so would get the same report), different otherwise.

    It is taken from the `visible_to()` gate itself (its condition, or "all"), so a
    change of that rule changes the fingerprint with it.
    """
    condition = visibility(user)
    described = "all" if condition is None else repr(condition)
    return hashlib.sha256(described.encode()).hexdigest()


def may_read_reports(user: User | AnonymousUser) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


def jobs_visible_to(user: User | AnonymousUser) -> QuerySet[ReportJob]:
    """The jobs `user` may follow and download: their own, and those of users who see
    the same activities. None for a user who may not read reports."""
    if not may_read_reports(user):
        return ReportJob.objects.none()
    return ReportJob.objects.filter(visibility=visibility_fingerprint(user)).select_related(
        "programme"
    )


def request_report(
    *,
    user: User,
    programme: Programme,
    file_format: str,
    params: QueryDict | dict,
    language: str = "",
) -> ReportJob:
    """Queue a report file of `programme` for `user`.

    The parameters are checked now, as the synchronous report checks them: an invalid or
    refused filter raises FilterRefused and a bad stock-take UnknownStockTake, so the
    asker hears of it at once rather than from a failed job. Building the report's
    queries here is cheap (nothing is evaluated but the filters' own lookups); the
    worker does the work once the job is committed, in `language` (a code of
    settings.LANGUAGES; blank: the requester's saved language, else English).
    """
    from reports.tasks import make_report_file  # the task module imports this one

    if file_format not in FORMATS:
        raise ValueError(f"Unknown report format {file_format!r}.")
    if language and not is_supported(language):
        raise ValueError(f"Unknown language {language!r}.")
    normalised = report_parameters(params)
    # Validation only: raises FilterRefused or UnknownStockTake; nothing heavy runs here.
    report_query(normalised, user=user, programme=programme)
    job = ReportJob.objects.create(
        requester=user,
        programme=programme,
        format=file_format,
        query=normalised.urlencode(),
        visibility=visibility_fingerprint(user),
        language=language or recipient_language(user),
    )
    job_id = str(job.pk)
    after_commit(make_report_file, job_id, when_unqueued=lambda: unqueued(job_id))
    return job


def unqueued(job_id: str) -> None:
    """The broker could not be reached when the job was asked for: it fails at once with a
    message saying so, rather than waiting for a worker that will never hear of it (or being
    made in the request, which a large report would not survive)."""
    job = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).first()
    if job is None:
        return
    job.fail(
        gettext(
            "The report could not be queued: the task queue is unreachable just now. "
            "Ask for it again in a few minutes; if it persists, tell an administrator."
        )
    )


def file_response(job: ReportJob) -> FileResponse:
    """The job's file as an attachment under its report's name."""
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename or f"report.{job.format}",
        content_type=FORMATS[job.format],
    )


__all__ = [
    "file_response",
    "jobs_visible_to",
    "may_read_reports",
    "request_report",
    "visibility_fingerprint",
]
