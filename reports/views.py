"""Progress reports: a printable page, a PDF made on the server, and an XLSX workbook,
all from the same `reports.data.build_report()`."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from activities.filters import ActivityFilterSet
from activities.models import Activity
from activities.views import RolePermissionMixin
from goals.models import Programme, StockTake
from reports.charts import goal_bars
from reports.data import STATUSES, FrozenCountsRefused, Report, build_report
from reports.xlsx import report_workbook

YEARS = range(1994, 2101)


class ReportMixin(RolePermissionMixin):
    permission_required = "activities.view_activity"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A refused report says why (Django's own 400 page would not), for the page and
        # for a PDF or workbook link alike.
        try:
            return super().dispatch(request, *args, **kwargs)
        except BadRequest as refused:
            return render(request, "reports/refused.html", {"message": str(refused)}, status=400)

    def report(self) -> Report:
        request: HttpRequest = self.request
        programme = get_object_or_404(Programme, pk=self.kwargs["programme_id"])
        year = request.GET.get("year") or None
        if year is not None:
            if not year.isdigit() or int(year) not in YEARS:
                raise BadRequest("year must be a year such as 2025.")
            year = int(year)
        stocktake = None
        if request.GET.get("stocktake"):
            value = request.GET["stocktake"]
            if not value.isdigit():
                raise Http404("No such stock-take.")
            stocktake = get_object_or_404(StockTake, pk=int(value), programme=programme)
        visible = Activity.objects.visible_to(request.user)
        filters = ActivityFilterSet(request.GET, queryset=visible, request=request)
        if not filters.is_valid():
            raise BadRequest(" ".join(f"{k}: {' '.join(v)}" for k, v in filters.errors.items()))
        try:
            return build_report(
                programme,
                user=request.user,
                activities=filters.qs,
                year=year,
                stocktake=stocktake,
                releasability=filters.form.cleaned_data.get("releasability") or (),
            )
        except FrozenCountsRefused as refused:
            raise BadRequest(str(refused)) from refused

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

        report = self.report()
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
        report = self.report()
        response = HttpResponse(
            report_workbook(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.filename(report, "xlsx")}"'
        return response
