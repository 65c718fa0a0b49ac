"""The report as an XLSX workbook: one sheet per level of the programme, one of activities.

Written in the active language (reports.views and reports.tasks choose it): sheet titles,
headers and labels go through gettext. A sheet title may hold at most 31 characters and
none of the characters []:*?/ and backslash (Excel's rule), in every language.

The workbook streams: openpyxl's write-only mode writes each row as it comes (each sheet
into a temporary file, joined into the zip when saved), and the activities are read in
chunks of ACTIVITY_CHUNK with their goals and allies, so memory stays flat however many
activities the report lists (docs/reports.md#how-long-a-report-job-takes). Write-only
means the sheet's layout (bold header, frozen first row, column widths) is set before its
first row is written."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from io import BytesIO
from typing import IO, Any

from django.db.models import Prefetch
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from activities.models import Activity, Ally
from goals.models import PartnershipGoal
from progress.querysets import STATUSES
from reports.data import STATUS_LABELS, TYPE_LABELS, Report
from reports.marking import SHORT_LABELS

FORMULA_PREFIXES = ("=", "+", "-", "@")
# What Excel refuses in a sheet's title (at most 31 characters).
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str) -> str:
    """A translated title made acceptable to Excel, so a translation can never break the file."""
    return SHEET_TITLE_FORBIDDEN.sub(" ", str(title)).strip()[:31] or "Sheet"


def _cell(value):
    if isinstance(value, Promise):  # a lazily translated label: openpyxl wants a str
        value = str(value)
    # A workbook is opened by people who did not type the data: no formulas from text.
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# Activities read per query (with one query each for their goals and their allies): big
# enough that the round trips do not show, small enough that a chunk's objects are a few MB.
ACTIVITY_CHUNK = 2000
BOLD = Font(bold=True)
# The columns of an activity the Activities sheet shows (the rest is never read).
ACTIVITY_FIELDS = (
    "id",
    "title",
    "title_ja",
    "activity_type",
    "status",
    "releasability",
    "start_date",
    "end_date",
    "location",
    "participants",
    "women_participants",
)


def _bold(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = BOLD
        cells.append(cell)
    return cells


def _sheet(workbook: Workbook, title: str, header: list[str], rows: Iterable[list]) -> None:
    sheet = workbook.create_sheet(sheet_title(title))
    # Write-only: the view and the columns go before the first row.
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(60, len(name) + 4))
    sheet.append(_bold(sheet, header))
    for row in rows:
        sheet.append([_cell(value) for value in row])


def _rating(assessment) -> tuple[str, str, str]:
    if assessment is None:
        return "", "", ""
    return assessment.rating_label, assessment.narrative, assessment.next_steps


def _mark(workbook: Workbook, report: Report) -> None:
    """The marking in every sheet's printed header and footer and in the file's
    properties, as well as in the Summary's first row."""
    line = report.marking.line
    for sheet in workbook.worksheets:
        for header_footer in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
            header_footer.center.text = report.marking.word
            header_footer.center.font = "Calibri,Bold"
        for header_footer in (sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
            header_footer.center.text = report.marking.word
            header_footer.right.text = _("Page &P of &N")
    workbook.properties.title = f"{report.title} · {report.programme}"
    workbook.properties.category = report.marking.word
    workbook.properties.description = line


def _activities(report: Report) -> Iterator[Activity]:
    """The report's activities, each once, by start date then id, read ACTIVITY_CHUNK at a
    time (a server-side cursor) with their goals and allies: the same visibility-gated
    query as the report's counts, and a fixed number of queries per chunk."""
    goals = PartnershipGoal.objects.only("id", "title", "title_ja")
    allies = Ally.objects.only("code")
    return (
        report.activities.only(*ACTIVITY_FIELDS)
        .prefetch_related(Prefetch("goals", queryset=goals), Prefetch("allies", queryset=allies))
        .iterator(chunk_size=ACTIVITY_CHUNK)
    )


def _activity_rows(
    report: Report, on_progress: Callable[[int], None] | None
) -> Iterator[list[Any]]:
    # The counted total is what the listed rows approach (never less, for a live report):
    # the progress goes from 50 to 89 as they are written.
    expected = max(report.totals.get("total", 0), 1)
    for done, a in enumerate(_activities(report), 1):
        if on_progress is not None and done % ACTIVITY_CHUNK == 0:
            on_progress(50 + 39 * min(done, expected) // expected)
        yield [
            a.pk,
            a.display_title,
            str(TYPE_LABELS[a.activity_type]),
            str(STATUS_LABELS[a.status]),
            str(SHORT_LABELS.get(a.releasability, a.releasability)),
            a.start_date,
            a.end_date,
            "; ".join(g.display_title for g in a.goals.all()),
            ", ".join(ally.code for ally in a.allies.all()),
            a.location,
            a.participants,
            a.women_participants,
        ]


def write_workbook(
    report: Report, out: IO[bytes], on_progress: Callable[[int], None] | None = None
) -> None:
    """Write the report's workbook into the binary file `out` (a temporary file, a
    storage's file, a response), streaming: see the module's docstring. `on_progress`
    hears how far the Activities sheet is (50–89), when given."""
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(sheet_title(_("Summary")))
    summary.append(_bold(summary, [_("Marking"), report.marking.line]))
    if report.public_only:
        summary.append(
            [
                "",
                _(
                    "Only public activities are listed and counted: it may be shared with "
                    "the partner."
                ),
            ]
        )
    summary.append([])
    period = _("%(start)s to %(end)s") % {
        "start": report.period_start.isoformat(),
        "end": report.period_end.isoformat(),
    }
    for row in [
        [_("Programme"), str(report.programme)],
        [_("Report"), report.title],
        [_("Period"), period],
        [_("Generated"), report.generated_at.isoformat(timespec="seconds")],
        [pgettext("generated by", "By"), report.generated_by],
        [],
        [_("Activities"), report.totals["total"]],
        *[[str(STATUS_LABELS[s]), report.totals[s]] for s in STATUSES],
    ]:
        summary.append(row)
    counts = [_("Total"), *[str(STATUS_LABELS[s]) for s in STATUSES]]
    _sheet(
        workbook,
        _("Strategic objectives"),
        [_("Number"), _("Title"), *counts],
        (
            [
                o["number"],
                o["title"],
                o["activities"]["total"],
                *[o["activities"][s] for s in STATUSES],
            ]
            for o in report.objectives
        ),
    )
    _sheet(
        workbook,
        _("Priority issues"),
        [_("Letter"), _("Title"), *counts],
        (
            [chr(96 + i["number"]), i["title"], i["activities"]["total"]]
            + [i["activities"][s] for s in STATUSES]
            for i in report.issues
        ),
    )
    _sheet(
        workbook,
        _("Partnership goals"),
        [
            _("Order"),
            _("Goal"),
            _("Priority issue"),
            *counts,
            _("Rating"),
            _("Narrative"),
            _("Next steps"),
            _("Participants"),
            _("Women participants"),
        ],
        (
            [
                s.goal.order,
                s.goal.display_title,
                s.goal.priority_issue.display_title,
                s.counts["total"],
            ]
            + [s.counts[k] for k in STATUSES]
            + list(_rating(s.assessment))
            + [s.participants, s.women_participants]
            for s in report.goal_sections
        ),
    )
    _sheet(
        workbook,
        _("Activities"),
        [
            _("Id"),
            _("Title"),
            _("Type"),
            _("Status"),
            _("Releasability"),
            _("Start"),
            _("End"),
            _("Goals"),
            _("Allies"),
            _("Location"),
            _("Participants"),
            _("Women participants"),
        ],
        _activity_rows(report, on_progress),
    )
    # Headers and footers are written when each sheet is closed, at save.
    _mark(workbook, report)
    workbook.save(out)


def report_workbook(report: Report) -> bytes:
    """The report's workbook as bytes: for small reports and tests; files are written
    with write_workbook()."""
    buffer = BytesIO()
    write_workbook(report, buffer)
    return buffer.getvalue()
