"""The report as an XLSX workbook: one sheet per level of the programme, one of activities."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from progress.querysets import STATUSES
from reports.data import STATUS_LABELS, TYPE_LABELS, Report

FORMULA_PREFIXES = ("=", "+", "-", "@")


def _cell(value):
    # A workbook is opened by people who did not type the data: no formulas from text.
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
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
            header_footer.right.text = "Page &P of &N"
    workbook.properties.title = f"{report.title} · {report.programme}"
    workbook.properties.category = report.marking.word
    workbook.properties.description = line


def report_workbook(report: Report) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    summary.append(["Marking", report.marking.line])
    summary["A1"].font = summary["B1"].font = Font(bold=True)
    if report.public_only:
        summary.append(
            [
                "",
                "Only public activities are listed and counted: it may be shared with the partner.",
            ]
        )
    summary.append([])
    for row in [
        ["Programme", str(report.programme)],
        ["Report", report.title],
        ["Period", f"{report.period_start.isoformat()} to {report.period_end.isoformat()}"],
        ["Generated", report.generated_at.isoformat(timespec="seconds")],
        ["By", report.generated_by],
        [],
        ["Activities", report.totals["total"]],
        *[[str(STATUS_LABELS[s]), report.totals[s]] for s in STATUSES],
    ]:
        summary.append(row)
    counts = ["Total", *[str(STATUS_LABELS[s]) for s in STATUSES]]
    _sheet(
        workbook,
        "Strategic objectives",
        ["Number", "Title", *counts],
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
        "Priority issues",
        ["Letter", "Title", *counts],
        [
            [chr(96 + i["number"]), i["title"], i["activities"]["total"]]
            + [i["activities"][s] for s in STATUSES]
            for i in report.issues
        ],
    )
    _sheet(
        workbook,
        "Partnership goals",
        [
            "Order",
            "Goal",
            "Priority issue",
            *counts,
            "Rating",
            "Narrative",
            "Next steps",
            "Participants",
            "Women participants",
        ],
        [
            [s.goal.order, s.goal.title, s.goal.priority_issue.title, s.counts["total"]]
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
        "Activities",
        [
            "Id",
            "Title",
            "Type",
            "Status",
            "Releasability",
            "Start",
            "End",
            "Goals",
            "Allies",
            "Location",
            "Participants",
            "Women participants",
        ],
        [
            [
                a.pk,
                a.display_title,
                str(TYPE_LABELS[a.activity_type]),
                str(STATUS_LABELS[a.status]),
                a.releasability.capitalize(),  # as the pages' badge says it
                a.start_date,
                a.end_date,
                "; ".join(g.title for g in a.goals.all()),
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
