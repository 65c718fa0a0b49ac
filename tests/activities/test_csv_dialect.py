"""One spreadsheet format: the list page's export is the import template, the API's CSV is
the same file, and the admin's export writes no live formula. Findings 8 and 10 of
issue 11."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from activities import services
from activities.exports import BOM, COLUMNS, escape_formula, unescape_formula
from activities.models import Activity
from tests.activities.importing import confirm, preview, row_errors
from tests.factories import (
    ActivityFactory,
    OrganisationFactory,
    PartnershipGoalFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

JAPANESE = "日NATO サイバー防衛協議"


@pytest.fixture
def staff_editor(db):
    return UserFactory(username="staff_editor", roles=["Editors"], is_staff=True)


@pytest.fixture
def logged(japan):
    """Activities with everything a spreadsheet could mangle, and one the Editor cannot see."""
    goals = list(japan.partnership_goals.order_by("order"))
    objectives = list(japan.strategic_objectives.order_by("number"))
    return [
        ActivityFactory(
            programme=japan,
            title=JAPANESE,
            goals=[goals[6], goals[14]],  # titles with commas
            objectives=objectives[:2],
            allies=["FR", "DE", "EE"],
            releasability="public",
            location="Tokyo",
            participants=30,
            women_participants=12,
            description="Line one\n- line two, with “quotes”",
            outcome="'Tis agreed",
        ),
        ActivityFactory(
            programme=japan,
            title="=HYPERLINK(evil)",
            location="@here",
            outcome="-1+1",
            lead_organisation="'=quoted",
            start_date=datetime.date(2024, 6, 1),
            end_date=datetime.date(2024, 6, 3),
        ),
        ActivityFactory(programme=japan, title="Hidden cable talks", releasability="restricted"),
    ]


def page_export(client, **query) -> bytes:
    response = client.get(reverse("activities:export"), query)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def versions() -> dict[int, int]:
    return dict(Activity.objects.values_list("id", "version"))


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "'", "'=x", "''", "'Tis", "plain", ""]
)
def test_formula_escaping_is_exactly_reversed(text):
    assert unescape_formula(escape_formula(text)) == text
    assert not escape_formula(text).startswith(("=", "+", "-", "@", "\t"))


def test_both_exports_carry_releasability_a_bom_and_the_same_columns(client, staff_editor, logged):
    client.force_login(staff_editor)
    page = page_export(client)
    api = client.get("/api/v1/activities/?format=csv")
    api = b"".join(api.streaming_content)
    for content in (page, api):
        assert content.startswith(BOM.encode())
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert list(rows[0]) == COLUMNS
        by_title = {r["title"]: r for r in rows}
        assert by_title[JAPANESE]["releasability"] == "public"
        assert by_title[JAPANESE]["allies"] == "EE; FR; DE"  # by name: Estonia, France…
        assert "Hidden cable talks" not in by_title
    assert page == api


def test_an_unchanged_export_reimported_changes_nothing(client, staff_editor, logged):
    client.force_login(staff_editor)
    content = page_export(client)
    before, history = versions(), Activity.history.count()

    response = preview(client, content)
    assert row_errors(response) == {}
    assert response.context["result"].totals == {
        "new": 0,
        "update": 0,
        "delete": 0,
        "skip": 2,
        "error": 0,
        "invalid": 0,
    }
    response = confirm(client, response)
    assert "Import finished: 0 new, 0 updated, 0 deleted and 2 skipped" in response.text
    assert versions() == before
    assert Activity.history.count() == history


def test_a_changed_export_updates_only_the_changed_activity(client, staff_editor, logged):
    client.force_login(staff_editor)
    text = page_export(client).decode("utf-8-sig")
    text = text.replace("'=HYPERLINK(evil)", "Cyber staff talks")
    response = preview(client, text.encode())
    assert response.context["result"].totals["update"] == 1
    confirm(client, response)
    changed = logged[1]
    changed.refresh_from_db()
    assert (changed.title, changed.version) == ("Cyber staff talks", 2)
    assert changed.location == "@here" and changed.lead_organisation == "'=quoted"
    logged[0].refresh_from_db()
    assert logged[0].version == 1 and logged[0].title == JAPANESE


def test_an_export_older_than_the_activity_does_not_overwrite_it(client, staff_editor, logged):
    client.force_login(staff_editor)
    content = page_export(client)  # at version 1
    newer = logged[0]
    services.update_activity(activity=newer, user=staff_editor, data={"location": "Osaka"})
    response = preview(client, content)
    assert row_errors(response) == {
        2: {
            "version": [
                f"Activity {newer.pk} has been changed since this file was exported (version 1 "
                "in the file, 2 now): export it again and redo the change, so that the newer "
                "change is not overwritten."
            ]
        }
    }
    newer.refresh_from_db()
    assert (newer.location, newer.version) == ("Osaka", 2)


def test_the_admin_export_writes_no_live_formula(client, superuser, logged, settings):
    assert settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is True
    client.force_login(superuser)
    url = reverse("admin:activities_activity_export")
    form = client.get(url).context["form"]
    xlsx = next(v for v, label in form.fields["format"].choices if label == "xlsx")
    data = {name: "on" for name in form.fields if name.startswith("activityresource_")}
    response = client.post(url, {**data, "format": xlsx, "resource": "0"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header == COLUMNS
    cells = [cell for line in sheet.iter_rows(min_row=2) for cell in line]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    titles = [line[header.index("title")].value for line in sheet.iter_rows(min_row=2)]
    assert "'=HYPERLINK(evil)" in titles


def test_a_change_between_preview_and_confirm_rolls_the_whole_file_back(
    client, staff_editor, logged
):
    client.force_login(staff_editor)
    text = page_export(client).decode("utf-8-sig")
    text = text.replace("'=HYPERLINK(evil)", "Cyber staff talks").replace("Tokyo", "Kyoto")
    response = preview(client, text.encode())
    assert response.context["result"].totals["update"] == 2
    # Someone saves the first activity after the preview, before the confirmation.
    services.update_activity(activity=logged[0], user=staff_editor, data={"outcome": "Newer"})
    response = confirm(client, response)
    assert response.redirect_chain[-1][0] == reverse("admin:activities_activity_import")
    assert "Nothing was imported. Row 2, version: Activity" in response.text
    logged[0].refresh_from_db()
    logged[1].refresh_from_db()
    assert (logged[0].location, logged[0].outcome, logged[0].version) == ("Tokyo", "Newer", 2)
    assert (logged[1].title, logged[1].version) == ("=HYPERLINK(evil)", 1)  # not half-written


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_admin_export_holds_no_restricted_activity_for_a_staff_editor(
    client, staff_editor, logged, fmt
):
    client.force_login(staff_editor)
    url = reverse("admin:activities_activity_export")
    form = client.get(url).context["form"]
    choice = next(v for v, label in form.fields["format"].choices if label == fmt)
    data = {name: "on" for name in form.fields if name.startswith("activityresource_")}
    response = client.post(url, {**data, "format": choice, "resource": "0"})
    assert response.status_code == 200
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        titles = [line[2].value for line in sheet.iter_rows(min_row=2)]
    else:
        titles = [
            r["title"] for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
        ]
    assert sorted(titles) == sorted([JAPANESE, "'=HYPERLINK(evil)"])


def test_an_unchanged_row_costs_a_fixed_few_queries(japan, superuser):
    import tablib
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from activities.exports import activity_cells
    from activities.resources import ActivityResource

    goals = list(japan.partnership_goals.all()[:2])
    for n in range(8):
        ActivityFactory(programme=japan, goals=goals, allies=["FR", "DE"], title=f"Talks {n}")

    def queries(rows: int) -> int:
        cells = list(activity_cells(Activity.objects.order_by("id")))[:rows]
        dataset = tablib.Dataset(*cells, headers=COLUMNS)
        with CaptureQueriesContext(connection) as captured:
            result = ActivityResource().import_data(dataset, dry_run=True, user=superuser)
        assert result.totals["skip"] == rows
        return len(captured)

    per_row = (queries(8) - queries(4)) / 4
    # The activity and its four link tables (participants with their organisations in
    # one), in the row's savepoint (2).
    assert per_row == 7


def test_the_preview_shows_what_a_row_changes_in_the_links(client, staff_editor, logged):
    client.force_login(staff_editor)
    text = page_export(client).decode("utf-8-sig").replace("EE; FR; DE", "FR; PL")
    response = preview(client, text.encode())
    result = response.context["result"]
    (changed,) = [r for r in result.rows if r.import_type == "update"]
    allies = changed.diff[result.diff_headers.index("allies")]
    assert "<del" in allies and "<ins" in allies
    assert "EE" in allies and "PL" in allies
    logged[0].refresh_from_db()
    assert sorted(logged[0].allies.values_list("code", flat=True)) == ["DE", "EE", "FR"]


# --------------------------------------------------------------- PostgreSQL's fast path


@pytest.fixture
def awkward(japan):
    """Activities with every cell the two export paths could write differently."""
    other = ProgrammeFactory(partner='=Evil, "Inc"\nLtd')
    goals = list(japan.partnership_goals.order_by("order"))
    objectives = list(japan.strategic_objectives.order_by("number"))
    other_goal = PartnershipGoalFactory(programme=other, title="-minus, first")
    texts = ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "'x", 'a "quoted", text', "two\r\nlines"]
    bodies = [
        OrganisationFactory(programme=japan, name='=Evil, "body"'),
        OrganisationFactory(programme=japan, name="Zeta", short_name="-Z"),
        OrganisationFactory(programme=japan, name="Alpha", short_name="A, B"),
    ]
    roles = ["lead", "co-host", "participant", "observer"]
    made = [
        ActivityFactory(
            programme=japan,
            title=text,
            location=texts[-1 - n],
            lead_organisation=text[::-1],
            description=f"{text}\n{JAPANESE}",
            outcome="" if n % 2 else text,
            goals=goals[n % 5 : n % 5 + 1 + n % 3],
            objectives=objectives[: n % 3],
            allies=["FR", "DE", "EE"][: n % 4],
            organisations=[(body, roles[(n + i) % 4]) for i, body in enumerate(bodies)][
                n % 2 : n % 4
            ],
            participants=None if n % 2 else 10 * n,
            women_participants=None if n % 2 else n,
            end_date=None if n % 3 else datetime.date(2024, 6, 30),
            releasability=["public", "internal", "restricted"][n % 3],
        )
        for n, text in enumerate(texts)
    ]
    made.append(ActivityFactory(programme=other, goals=[other_goal], title="elsewhere"))
    # Times in winter and summer, with and without microseconds.
    for activity, moment in zip(
        made,
        [
            datetime.datetime(2025, 1, 15, 23, 30, tzinfo=datetime.UTC),
            datetime.datetime(2025, 7, 1, 22, 59, 59, 123456, tzinfo=datetime.UTC),
            datetime.datetime(2024, 3, 31, 0, 59, 59, 1, tzinfo=datetime.UTC),
        ]
        * 4,
        strict=False,
    ):
        Activity.objects.filter(pk=activity.pk).update(updated_at=moment)
    return made


@pytest.mark.parametrize(
    "zone", ["Europe/Brussels", "UTC", "America/St_Johns", "Asia/Kolkata", "Pacific/Chatham"]
)
def test_postgresql_writes_the_same_bytes_as_the_portable_export(awkward, zone):
    from django.utils import timezone

    from activities.exports import activities_csv_lines, uses_postgres_path

    queryset = Activity.objects.all()
    assert uses_postgres_path(queryset)
    with timezone.override(zone):
        for ordered in (queryset, queryset.order_by("title", "-id"), queryset.filter(pk=0)):
            fast = "".join(activities_csv_lines(ordered))
            portable = "".join(activities_csv_lines(ordered, portable=True))
            assert fast == portable
    rows = list(csv.reader(io.StringIO(fast)))
    assert len(rows) == 1  # the header, for the empty queryset
    everything = list(csv.DictReader(io.StringIO("".join(activities_csv_lines(queryset)))))
    assert len(everything) == len(awkward)
    assert {r["title"] for r in everything} >= {"'=1+1", "'-1", "'\tx", "'\rx", "''x"}


def test_the_bench_copy_floor_gives_the_cells_of_the_viewers_export(client, viewer, awkward):
    """bench/floors/csv.sql is what the export is measured against: the same cells."""
    from pathlib import Path

    from django.db import connection

    # Drafts are never exported, for anyone: the floor leaves them out too.
    ActivityFactory(programme=awkward[0].programme, title="A draft", review_state="draft")
    floor = (Path(__file__).parents[2] / "bench" / "floors" / "csv.sql").read_text()
    sink = io.StringIO()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY ({floor}) TO STDOUT WITH CSV HEADER", sink)
    client.force_login(viewer)
    response = client.get("/api/v1/activities/?format=csv")
    export = b"".join(response.streaming_content).decode("utf-8-sig")
    floor_rows = list(csv.reader(io.StringIO(sink.getvalue())))
    export_rows = list(csv.reader(io.StringIO(export)))
    assert floor_rows[0] == COLUMNS
    assert len(export_rows) == len(awkward) - 3 + 1  # three restricted, one header
    assert floor_rows == export_rows
