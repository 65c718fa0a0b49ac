"""A report from its request, and its files: one path for the page, the synchronous
downloads and the worker's jobs (reports.tasks), so each door shows the same report.

`report_for()` is what `ReportMixin.report()` did inside the view: the programme's
activities under the request's filters and the reader's visibility, an open stock-take's
period, a closed stock-take's frozen counts (refusing the filters they cannot follow).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from io import BytesIO
from typing import IO, Any

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.staticfiles import finders
from django.http import Http404, QueryDict
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.querysets import starts_between
from goals.models import Programme, StockTake
from progress.query import ORDER_ONLY, ProgressQuery, filter_names, query_for
from progress.querysets import STATUSES
from reports.charts import goal_bars
from reports.data import Report, build_report, frozen_view
from reports.xlsx import write_workbook

# What a closed stock-take's frozen counts cannot follow: any filter but the order of the
# lists (and its own programme).
FROZEN_REFUSAL = _(
    "A closed stock-take's counts are frozen: they were taken for its period without "
    "this filter, so it cannot be applied. Leave it out, or ask for a report by year."
)
# WeasyPrint reports its steps here (at INFO); a report job's progress follows them.
PDF_PROGRESS_LOGGER = logging.getLogger("weasyprint.progress")
# The report's own parameter besides the activity filters.
STOCKTAKE = "stocktake"
FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UnknownStockTake(Http404):
    """`?stocktake=` names no stock-take of the programme (a 404 on the pages, a 400 on
    `stocktake` in the API)."""


def report_parameters(params: QueryDict | Mapping[str, Any]) -> QueryDict:
    """The parameters a report reads (its activity filters and `stocktake`), without
    empty values, in a fixed order: what a report job stores, so the worker makes the
    report that was asked for and two equal requests store the same string."""
    names = sorted({*filter_names(), STOCKTAKE})
    normalised = QueryDict(mutable=True)
    for name in names:
        if isinstance(params, QueryDict):
            values = params.getlist(name)
        else:
            raw = params.get(name)
            values = raw if isinstance(raw, list | tuple) else [raw]
        values = [str(value) for value in values if value is not None and str(value) != ""]
        if values:
            normalised.setlist(name, values)
    return normalised


def stocktake_of(params: QueryDict, programme: Programme) -> StockTake | None:
    """The stock-take `params` name (`stocktake`), or None; UnknownStockTake if it is
    not one of the programme's."""
    value = params.get(STOCKTAKE)
    if not value:
        return None
    stocktake = None
    if value.isdigit():
        stocktake = StockTake.objects.filter(pk=int(value), programme=programme).first()
    if stocktake is None:
        raise UnknownStockTake(gettext("No such stock-take."))
    return stocktake


def report_query(
    params: QueryDict, *, user: User | AnonymousUser, programme: Programme
) -> tuple[ProgressQuery, StockTake | None]:
    """The activities and stock-take of the report `params` ask for, as `user` may see
    them. Raises FilterRefused (naming each parameter) when its filters cannot be
    applied, UnknownStockTake for a bad `stocktake`. Nothing is read but the filters'
    own lookups: the report's data are read by build_report()."""
    stocktake = stocktake_of(params, programme)
    frozen = stocktake is not None and stocktake.is_closed and stocktake.snapshot
    refuse: set[str] = set()
    if frozen:
        # Releasability may pick one of the frozen views (reports.data.frozen_view).
        refuse = set(filter_names()) - ORDER_ONLY - {"releasability"}
        if params.get("programme") == str(programme.pk):
            refuse.discard("programme")
    query = query_for(
        params,
        user=user,
        programme=programme,
        refuse=sorted(refuse),
        refusal=str(FROZEN_REFUSAL),  # in the active language; FilterRefused joins str
    )
    if frozen:
        frozen_view(stocktake, query, user)  # refuses a releasability the snapshot lacks
    if stocktake is not None and not stocktake.is_closed:
        # An open stock-take's report counts live, over its period.
        period = starts_between(stocktake.period_start, stocktake.period_end)
        query = replace(query, activities=query.activities.filter(period))
    return query, stocktake


def report_for(
    params: QueryDict | Mapping[str, Any],
    *,
    user: User | AnonymousUser,
    programme: Programme,
) -> Report:
    """The report `params` ask for, as `user` may see it (see report_query())."""
    if not isinstance(params, QueryDict):
        params = report_parameters(params)
    query, stocktake = report_query(params, user=user, programme=programme)
    return build_report(query, user=user, stocktake=stocktake)


def report_filename(report: Report, extension: str) -> str:
    # ASCII, for the Content-Disposition header: a title in Japanese may leave nothing.
    title = slugify(report.title) or "report"
    return f"itpp-{slugify(report.programme.partner)}-{title}.{extension}"


class _PDFProgress(logging.Handler):
    """Turns WeasyPrint's progress log (its steps, and each page laid out) into a percent
    between 50 and 90 for a report job; only the records of this thread, so two PDFs made
    side by side in one process do not mix."""

    STEPS = {"Step 3": 55, "Step 4": 60, "Step 6": 88, "Step 7": 89}

    def __init__(self, on_progress: Callable[[int], None]) -> None:
        super().__init__(logging.INFO)
        self.on_progress = on_progress
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        step = str(record.msg)[:6]
        if step == "Step 5" and record.args:
            # Pages are laid out one by one, their number unknown until the end: the bar
            # moves on with each page, ever slower, towards 85.
            pages = int(record.args[0])
            percent = 60 + 25 * pages // (pages + 100)
        else:
            percent = self.STEPS.get(step)
        if percent is not None:
            self.on_progress(percent)


def report_pdf(report: Report, on_progress: Callable[[int], None] | None = None) -> bytes:
    """The report as a PDF, made with WeasyPrint from the same content as the page;
    `on_progress(percent)` hears how far it is (50–90), when given."""
    from weasyprint import CSS, HTML  # heavy import, only when a PDF is asked for

    html = render_to_string(
        "reports/pdf.html",
        {"report": report, "statuses": STATUSES, "bars": goal_bars(report)},
    )
    stylesheet = CSS(filename=finders.find("css/report.css"))
    handler = _PDFProgress(on_progress) if on_progress else None
    if handler:
        PDF_PROGRESS_LOGGER.addHandler(handler)
    try:
        # Nothing is fetched while rendering: no network access from the server, ever.
        return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(stylesheets=[stylesheet])
    finally:
        if handler:
            PDF_PROGRESS_LOGGER.removeHandler(handler)


def write_report_file(
    report: Report,
    file_format: str,
    out: IO[bytes],
    on_progress: Callable[[int], None] | None = None,
) -> None:
    """Write the report's file in `file_format` ("pdf" or "xlsx") into the binary file
    `out`. The workbook streams (reports.xlsx), so a large one is never held in memory:
    write it to a temporary file, not to a BytesIO."""
    if file_format == "pdf":
        out.write(report_pdf(report, on_progress))
    elif file_format == "xlsx":
        write_workbook(report, out, on_progress)
    else:
        raise ValueError(f"Unknown report format {file_format!r}.")


def report_file(
    report: Report, file_format: str, on_progress: Callable[[int], None] | None = None
) -> bytes:
    """The report's file in `file_format` ("pdf" or "xlsx") as bytes, for small reports."""
    if file_format not in FORMATS:
        raise ValueError(f"Unknown report format {file_format!r}.")
    buffer = BytesIO()
    write_report_file(report, file_format, buffer, on_progress)
    return buffer.getvalue()


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"The report may not load {url}.")
