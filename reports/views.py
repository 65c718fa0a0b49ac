"""Progress reports: a printable page, a PDF made on the server, and an XLSX workbook,
all from the same `reports.data.build_report()`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from activities.querysets import starts_between
from goals.models import Programme, StockTake
from itpp.permissions import RolePermissionMixin
from progress.query import ORDER_ONLY, FilterRefused, filter_names, query_for
from progress.querysets import STATUSES
from reports.charts import goal_bars
from reports.data import Report, build_report
from reports.xlsx import report_workbook

# What a closed stock-take's frozen counts cannot follow: any filter but the order of the
# lists (and its own programme).
FROZEN_REFUSAL = (
    "A closed stock-take's counts are frozen: they were taken for its period without "
    "this filter, so it cannot be applied. Leave it out, or ask for a report by year."
)


class ReportMixin(RolePermissionMixin):
    permission_required = "activities.view_activity"

    def report(self) -> Report:
        """The report the request asks for; FilterRefused if its filters cannot be."""
        request: HttpRequest = self.request
        programme = get_object_or_404(Programme, pk=self.kwargs["programme_id"])
        stocktake = None
        if request.GET.get("stocktake"):
            value = request.GET["stocktake"]
            if not value.isdigit():
                raise Http404("No such stock-take.")
            stocktake = get_object_or_404(StockTake, pk=int(value), programme=programme)
        refuse: set[str] = set()
        if stocktake is not None and stocktake.is_closed and stocktake.snapshot:
            # Releasability may pick one of the frozen views (reports.data.frozen_view).
            refuse = set(filter_names()) - ORDER_ONLY - {"releasability"}
            if request.GET.get("programme") == str(programme.pk):
                refuse.discard("programme")
        query = query_for(
            request.GET,
            user=request.user,
            programme=programme,
            refuse=sorted(refuse),
            refusal=FROZEN_REFUSAL,
        )
        if stocktake is not None and not stocktake.is_closed:
            # An open stock-take's report counts live, over its period.
            period = starts_between(stocktake.period_start, stocktake.period_end)
            query = replace(query, activities=query.activities.filter(period))
        return build_report(query, user=request.user, stocktake=stocktake)

    def refused(self, refused: FilterRefused) -> HttpResponse:
        return HttpResponseBadRequest(
            f"This report cannot be made with these filters. {refused.message}",
            content_type="text/plain; charset=utf-8",
        )

    def filename(self, report: Report, extension: str) -> str:
        return f"itpp-{slugify(report.programme.partner)}-{slugify(report.title)}.{extension}"


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
        }


class ReportPDFView(ReportMixin, View):
    def get(self, request: HttpRequest, programme_id: int) -> HttpResponse:
        from weasyprint import CSS, HTML  # heavy import, only when a PDF is asked for

        try:
            report = self.report()
        except FilterRefused as refused:
            return self.refused(refused)
        html = render_to_string(
            "reports/pdf.html",
            {"report": report, "statuses": STATUSES, "bars": goal_bars(report)},
            request=request,
        )
        stylesheet = CSS(filename=finders.find("css/report.css"))
        # Nothing is fetched while rendering: no network access from the server, ever.
        pdf = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(stylesheets=[stylesheet])
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{self.filename(report, "pdf")}"'
        return response


def _public_query(request: HttpRequest, report: Report) -> str:
    """This report's query with only public activities: the version for the partner;
    empty when a closed stock-take kept no public counts to make it from."""
    if report.frozen and "public" not in report.stocktake.snapshot:
        return ""
    query = request.GET.copy()
    query.setlist("releasability", ["public"])
    return query.urlencode()


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"The report may not load {url}.")


class ReportXLSXView(ReportMixin, View):
    def get(self, request: HttpRequest, programme_id: int) -> HttpResponse:
        try:
            report = self.report()
        except FilterRefused as refused:
            return self.refused(refused)
        response = HttpResponse(
            report_workbook(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.filename(report, "xlsx")}"'
        return response
