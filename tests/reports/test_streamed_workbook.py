"""A workbook of many rows streams: its Activities sheet is written a chunk of activities at
a time in openpyxl's write-only mode, so it reads back with exactly the rows the report lists
(the page's lists, each activity once, by start date then id, as the sheet was made from
before), in a fixed number of queries per chunk, while the writer's memory does not grow
with the rows."""

import datetime
import io
import tracemalloc
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

import reports.xlsx
from activities.models import Activity, ActivityStatus, ActivityType, Ally, Releasability
from goals.models import PartnershipGoal
from reports.data import STATUS_LABELS, TYPE_LABELS
from reports.marking import SHORT_LABELS
from reports.render import report_for
from reports.xlsx import write_workbook

pytestmark = pytest.mark.django_db

YEAR = {"year": 2025}
# Small chunks, so that a few thousand rows cross many of them (and end in a partial one).
CHUNK = 250


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch):
    monkeypatch.setattr(reports.xlsx, "ACTIVITY_CHUNK", CHUNK)


def make_activities(programme, count: int, *, first: int = 0, **fields) -> list[Activity]:
    """`count` activities of 2025 in bulk (many share a start date, so the order by id
    matters), each with one of three goals, every fifth with a second goal, every other
    with Allies."""
    goals = list(PartnershipGoal.objects.filter(programme=programme).order_by("order")[:3])
    allies = list(Ally.objects.filter(code__in=["DE", "EE", "FR"]))
    types = list(ActivityType.values)
    made = Activity.objects.bulk_create(
        [
            Activity(
                programme=programme,
                title=f"Staff talks {n}",
                activity_type=types[n % len(types)],
                status=ActivityStatus.COMPLETED if n % 3 else ActivityStatus.PLANNED,
                start_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=(n * 7) % 365),
                location=f"Brussels {n % 7}" if n % 2 else "",
                participants=n % 50 or None,
                **fields,
            )
            for n in range(first, first + count)
        ]
    )
    goal_links = Activity.goals.through
    goal_links.objects.bulk_create(
        [goal_links(activity=a, partnershipgoal=goals[i % 3]) for i, a in enumerate(made)]
        + [
            goal_links(activity=a, partnershipgoal=goals[(i + 1) % 3])
            for i, a in enumerate(made)
            if i % 5 == 0
        ]
    )
    ally_links = Activity.allies.through
    ally_links.objects.bulk_create(
        [
            ally_links(activity=a, ally=ally)
            for i, a in enumerate(made)
            if i % 2 == 0
            for ally in allies[: 1 + i % 3]
        ]
    )
    return made


def written(report, path: Path) -> Path:
    """The report's workbook written to a file, as the worker and the view do."""
    with path.open("wb") as out:
        write_workbook(report, out)
    return path


def blank_is_none(value):
    return None if value == "" else value


def expected_rows(report) -> list[list]:
    """The Activities sheet as it was made before it streamed: every activity the page
    lists under the report's goals, once, by start date then id."""
    seen = {}
    for section in report.goal_sections:
        for activity in section.activities:
            seen.setdefault(activity.pk, activity)
    return [
        [
            a.pk,
            "'" + a.title if a.title.startswith("=") else a.title,
            str(TYPE_LABELS[a.activity_type]),
            str(STATUS_LABELS[a.status]),
            str(SHORT_LABELS[a.releasability]),
            datetime.datetime.combine(a.start_date, datetime.time()),
            None,
            "; ".join(g.title for g in a.goals.all()),
            ", ".join(ally.code for ally in a.allies.all()) or None,
            a.location or None,
            a.participants,
            None,
        ]
        for a in sorted(seen.values(), key=lambda a: (a.start_date, a.pk))
    ]


def test_a_workbook_of_many_rows_reads_back_with_the_rows_the_report_lists(
    japan, viewer, django_assert_max_num_queries, tmp_path
):
    rows = 3_000
    make_activities(japan, rows)
    # Not listed: an activity serving no goal, a restricted one the viewer may not see,
    # a draft, one of another year.
    Activity.objects.bulk_create(
        [
            Activity(
                programme=japan,
                title="No goal",
                activity_type=ActivityType.TRAINING,
                start_date=datetime.date(2025, 2, 2),
            )
        ]
    )
    make_activities(japan, 1, first=rows, releasability=Releasability.RESTRICTED)
    make_activities(japan, 1, first=rows + 1, review_state="draft")
    [formula] = make_activities(japan, 1, first=rows + 2)
    Activity.objects.filter(pk=formula.pk).update(title="=HYPERLINK(1)")
    Activity.objects.filter(title="Staff talks 0").update(start_date=datetime.date(2024, 6, 1))

    report = report_for(YEAR, user=viewer, programme=japan)
    listed = rows  # 3,000 + the formula's − the one moved to 2024
    # The activities (a server-side cursor), then per chunk their goals and their Allies:
    # nothing is read row by row.
    chunks = -(-listed // CHUNK)
    with django_assert_max_num_queries(2 * chunks + 3):
        out = written(report, tmp_path / "report.xlsx")
    sheet = load_workbook(out, read_only=True)["Activities"]
    # A streamed sheet declares no dimension, so a read-only reader does not pad the rows.
    header, *got = [
        [blank_is_none(v) for v in row] + [None] * (12 - len(row))
        for row in sheet.iter_rows(values_only=True)
    ]

    assert header[:2] == ["Id", "Title"] and len(header) == 12
    assert len(got) == listed
    assert got == expected_rows(report)
    titles = {row[1] for row in got}
    assert "'=HYPERLINK(1)" in titles  # no formula from text
    assert not titles & {"No goal", f"Staff talks {rows}", f"Staff talks {rows + 1}"}
    assert "Staff talks 0" not in titles


def test_the_writers_memory_does_not_grow_with_the_rows(japan, viewer, tmp_path):
    """The peak of what Python allocates while the workbook is written, for 500 and then
    5,000 activities: streamed, only the shared strings (each title once, a few dozen bytes)
    grow with the rows; built in memory, every row's activity, goals, Allies and cells
    stayed until the end (several KB a row)."""

    def peak_while_writing() -> int:
        report = report_for(YEAR, user=viewer, programme=japan)
        tracemalloc.start()
        try:
            written(report, tmp_path / "report.xlsx")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    make_activities(japan, 500)
    peak_while_writing()  # first use: imports and caches, not rows
    small = peak_while_writing()
    make_activities(japan, 4_500, first=500)
    large = peak_while_writing()

    per_row = (large - small) / 4_500
    assert per_row < 1_000, f"{per_row:.0f} bytes a row ({small} → {large} bytes)"


def test_the_xlsx_download_streams_a_temporary_file(client, japan, viewer):
    make_activities(japan, 600)
    client.force_login(viewer)
    response = client.get(reverse("reports:xlsx", args=[japan.pk]), YEAR)

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="itpp-japan-')
    body = response.getvalue()
    assert int(response["Content-Length"]) == len(body)
    sheet = load_workbook(io.BytesIO(body), read_only=True)["Activities"]
    assert sum(1 for _ in sheet.iter_rows(min_row=2)) == 600
