"""Progress reports: a printable page, and its PDF and XLSX files, all from the same
`reports.data.build_report()` (through reports.render). The report page's buttons ask the
worker for the files (report jobs); `report.pdf` and `report.xlsx` still answer a file
made in the request, for links and scripts that want one.

The files are written in `?lang=` (a code of settings.LANGUAGES), else in the reader's
language (their saved choice, else their browser's), as the page is."""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.languages import is_supported
from goals.models import Programme
from itpp.permissions import RolePermissionMixin
from progress.query import FilterRefused
from progress.querysets import STATUSES
from reports.charts import goal_bars
from reports.data import Report
from reports.jobs import file_response, jobs_visible_to, request_report
from reports.models import ReportJob
from reports.render import FORMATS, report_file, report_filename, report_for, write_report_file

# How often a page waiting for a report asks again, in seconds (htmx, or a meta refresh
# without JavaScript).
POLL_SECONDS = 2
# The parameter that picks a report file's language.
LANG = "lang"


class UnsupportedLanguage(ValueError):
    pass


def report_language(request: HttpRequest) -> str:
    """`?lang=` if it is one of settings.LANGUAGES, else the request's own language;
    UnsupportedLanguage for any other value."""
    language = request.GET.get(LANG, "")
    if not language:
        return translation.get_language() or settings.LANGUAGE_CODE
    if not is_supported(language):
        raise UnsupportedLanguage(language)
    return language


def language_refused() -> HttpResponse:
    return HttpResponseBadRequest(
        _("lang: choose one of %(codes)s.")
        % {"codes": ", ".join(code for code, _name in settings.LANGUAGES)},
        content_type="text/plain; charset=utf-8",
    )


class ReportMixin(RolePermissionMixin):
    permission_required = "activities.view_activity"

    def programme(self) -> Programme:
        return get_object_or_404(Programme, pk=self.kwargs["programme_id"])

    def report(self) -> Report:
        """The report the request asks for; FilterRefused if its filters cannot be."""
        return report_for(self.request.GET, user=self.request.user, programme=self.programme())

    def refused(self, refused: FilterRefused) -> HttpResponse:
        return HttpResponseBadRequest(
            _("This report cannot be made with these filters. %(reason)s")
            % {"reason": refused.message},
            content_type="text/plain; charset=utf-8",
        )


class ReportIndexView(RolePermissionMixin, TemplateView):
    permission_required = "activities.view_activity"
    template_name = "reports/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        programmes = Programme.objects.prefetch_related("stocktakes")
        return {**super().get_context_data(**kwargs), "programmes": programmes}


class ReportView(ReportMixin, TemplateView):
    template_name = "reports/report.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().get(request, *args, **kwargs)
        except FilterRefused as refused:
            # The message above where the report would be, as the list shows its errors.
            context = {"refused": refused.message, "programme_id": kwargs["programme_id"]}
            return self.render_to_response(context, status=400)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        report = self.report()
        return {
            **super().get_context_data(**kwargs),
            "report": report,
            "statuses": STATUSES,
            "bars": goal_bars(report),
            "query": self.request.GET.urlencode(),
            "public_query": _public_query(self.request, report),
            "create_job_url": _with_query(
                reverse("reports:create_job", args=[report.programme.pk]), self.request.GET
            ),
        }


class ReportFileView(ReportMixin, View):
    """The report's file made in the request: for links and scripts that want the file
    itself. The report page's buttons ask the worker instead (ReportJobCreateView)."""

    file_format = "pdf"

    def get(self, request: HttpRequest, programme_id: int) -> HttpResponse:
        try:
            language = report_language(request)
        except UnsupportedLanguage:
            return language_refused()
        with translation.override(language):
            try:
                report = self.report()
            except FilterRefused as refused:
                return self.refused(refused)
            filename = report_filename(report, self.file_format)
            if self.file_format == "xlsx":
                return self.streamed(report, filename)
            content = report_file(report, self.file_format)
        response = HttpResponse(content, content_type=FORMATS[self.file_format])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def streamed(self, report: Report, filename: str) -> FileResponse:
        """The workbook, written (streaming) to a temporary file that the response sends
        in chunks and that goes when the response is closed: a workbook of any size
        never sits in memory. It is written here, inside the request's language and
        database access; only the sending is left to the server."""
        # Not a context manager: the response closes it once sent.
        content = tempfile.TemporaryFile(prefix="itpp-report-")  # noqa: SIM115
        try:
            write_report_file(report, self.file_format, content)
            content.seek(0)
        except BaseException:
            content.close()
            raise
        return FileResponse(
            content,
            as_attachment=True,
            filename=filename,
            content_type=FORMATS[self.file_format],
        )


def _with_query(url: str, query: QueryDict) -> str:
    return f"{url}?{query.urlencode()}" if query else url


def _public_query(request: HttpRequest, report: Report) -> str:
    """This report's query with only public activities: the version for the partner;
    empty when a closed stock-take kept no public counts to make it from."""
    if report.frozen and "public" not in report.stocktake.snapshot:
        return ""
    query = request.GET.copy()
    query.setlist("releasability", ["public"])
    return query.urlencode()


class ReportJobCreateView(ReportMixin, View):
    """POST: ask the worker for the report of this page's query string as a file, then
    follow the job's page (with htmx, its block replaces the buttons' place)."""

    def post(self, request: HttpRequest, programme_id: int) -> HttpResponse:
        file_format = request.POST.get("format", "")
        if file_format not in FORMATS:
            return HttpResponseBadRequest(
                _("format: choose pdf or xlsx."), content_type="text/plain; charset=utf-8"
            )
        try:
            language = report_language(request)
        except UnsupportedLanguage:
            return language_refused()
        try:
            job = request_report(
                user=request.user,
                programme=self.programme(),
                file_format=file_format,
                params=request.GET,
                language=language,
            )
        except FilterRefused as refused:
            context = {"refused": refused.message, "programme_id": programme_id}
            return render(request, "reports/report.html", context, status=400)
        # 303: the browser (and htmx) follows with a GET of the job's page.
        response = redirect("reports:job", job.pk)
        response.status_code = 303
        return response


class ReportJobMixin(RolePermissionMixin):
    permission_required = "activities.view_activity"

    def job(self) -> ReportJob:
        """The job, if the user may see it (theirs, or made for the same visibility)."""
        return get_object_or_404(jobs_visible_to(self.request.user), pk=self.kwargs["job_id"])


class ReportJobPageView(ReportJobMixin, View):
    """A report job: "Preparing…" with a progress bar until the file is made, then its
    download link. htmx asks again every POLL_SECONDS and swaps the block in (the answer
    to an htmx request is the block alone); without JavaScript the page refreshes itself."""

    def get(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        job = self.job()
        context = {"job": job, "poll_seconds": POLL_SECONDS, "expired": job.is_expired}
        status = 410 if job.is_expired else 200
        if request.headers.get("HX-Request") == "true":
            return render(request, "reports/_job.html", context, status=status)
        return render(request, "reports/job.html", context, status=status)


class ReportJobDownloadView(ReportJobMixin, View):
    """The job's file, as an attachment; 404 while not done, 410 once expired."""

    def get(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        job = self.job()
        if job.is_expired:
            return HttpResponse(
                _("This report has expired and its file is deleted. Ask for it again."),
                status=410,
                content_type="text/plain; charset=utf-8",
            )
        if not job.is_done:
            return redirect("reports:job", job.pk)
        return file_response(job)
