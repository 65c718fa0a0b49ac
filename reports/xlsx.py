"""The report as an XLSX workbook: one sheet per level of the programme, one of activities.

Written in the active language (reports.views and reports.tasks choose it): sheet titles,
headers and labels go through gettext. A sheet title may hold at most 31 characters and
none of the characters []:*?/ and backslash (Excel's rule), in every language."""

from __future__ import annotations

import re
from io import BytesIO

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(sheet_title(title))
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(60, len(name) + 4))


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


def report_workbook(report: Report) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = sheet_title(_("Summary"))
    summary.append([_("Marking"), report.marking.line])
    summary["A1"].font = summary["B1"].font = Font(bold=True)
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
        [_("By"), report.generated_by],
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
        [
            [
                o["number"],
                o["title"],
                o["activities"]["total"],
                *[o["activities"][s] for s in STATUSES],
            ]
            for o in report.objectives
        ],
    )
    _sheet(
        workbook,
        _("Priority issues"),
        [_("Letter"), _("Title"), *counts],
        [
            [chr(96 + i["number"]), i["title"], i["activities"]["total"]]
            + [i["activities"][s] for s in STATUSES]
            for i in report.issues
        ],
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
        [
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
        ],
    )
    seen: dict[int, object] = {}
    for section in report.goal_sections:
        for activity in section.activities:
            seen.setdefault(activity.pk, activity)
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
        [
            [
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
            for a in sorted(seen.values(), key=lambda a: (a.start_date, a.pk))
        ],
    )
    _mark(workbook, report)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
