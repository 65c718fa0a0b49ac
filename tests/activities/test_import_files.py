"""Real spreadsheets import: empty cells, unambiguous dates, every row error named, and
limits that refuse a file before it is parsed. Findings 5, 6 and 7 of issue 11."""

import datetime
import io
import zipfile

import pytest

from activities.models import Activity
from tests.activities.importing import (
    HEADER,
    XLSX_FORMAT,
    confirm,
    csv_bytes,
    preview,
    row,
    row_errors,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

DATE_MESSAGE = "is not a date in the expected format: enter it as YYYY-MM-DD, e.g. 2025-04-07."
OPTIONAL = ["end_date", "objectives", "allies", "location", "lead_organisation"]
OPTIONAL += ["participants", "women_participants", "description", "outcome"]


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def form_errors(response) -> list[str]:
    return response.context["form"].errors.get("import_file", [])


# --- 5: empty cells, and errors that name the row and the column -----------------------


def test_xlsx_with_empty_optional_cells_imports(admin_client, japan):
    empty = dict.fromkeys(OPTIONAL)  # None: how openpyxl reads an empty cell
    response = preview(admin_client, xlsx_bytes(row(japan, **empty)), XLSX_FORMAT)
    assert row_errors(response) == {}
    confirm(admin_client, response)
    activity = Activity.objects.get()
    assert (activity.description, activity.outcome, activity.location) == ("", "", "")
    assert (activity.end_date, activity.participants) == (None, None)
    assert not activity.allies.exists()


def test_every_row_error_is_shown_with_its_row_and_column(admin_client, japan):
    content = xlsx_bytes(
        row(japan, description=None, outcome=None),
        row(japan, start_date="07/04/2025", description=None),
        row(japan, allies="FR; XX", outcome=None),
    )
    response = preview(admin_client, content, XLSX_FORMAT)
    result = response.context["result"]
    assert not result.has_errors()  # no database error stands in for the real ones
    assert row_errors(response) == {
        2: {"start_date": [f"“07/04/2025” {DATE_MESSAGE}"]},
        3: {"allies": ["Unknown Ally: XX."]},
    }
    page = response.content.decode()
    assert "NOT NULL" not in page and "Unknown Ally: XX." in page
    assert not Activity.objects.exists()


def test_a_text_the_database_would_refuse_is_a_row_error_not_a_crash(admin_client, japan):
    # PostgreSQL refuses NUL characters; such a row once hid every other row's errors.
    content = csv_bytes(row(japan, title="Talks\x00"), row(japan, end_date="2024-01-01"))
    response = preview(admin_client, content)
    assert not response.context["result"].has_errors()
    errors = row_errors(response)
    assert list(errors[1]) == ["title"] and "NUL" in errors[1]["title"][0]
    assert list(errors[2]) == ["end_date"]


# --- 6: dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["07/04/2025", "04/07/2025", "2025/04/07", "7 April 2025", "2025-4-7", "20250407"]
)
def test_a_date_in_any_other_format_is_a_row_error_saying_the_format(admin_client, japan, text):
    response = preview(admin_client, csv_bytes(row(japan, start_date=text)))
    assert row_errors(response) == {1: {"start_date": [f"“{text}” {DATE_MESSAGE}"]}}


def test_an_impossible_iso_date_is_a_row_error(admin_client, japan):
    response = preview(admin_client, csv_bytes(row(japan, start_date="2025-02-30")))
    assert row_errors(response) == {
        1: {"start_date": ["“2025-02-30” is not a date of the calendar."]}
    }


def test_iso_text_and_real_date_cells_are_accepted(admin_client, japan):
    content = xlsx_bytes(
        row(japan, start_date=datetime.date(2025, 4, 7), end_date="2025-04-08"),
    )
    confirm(admin_client, preview(admin_client, content, XLSX_FORMAT))
    activity = Activity.objects.get()
    assert (activity.start_date, activity.end_date) == (
        datetime.date(2025, 4, 7),
        datetime.date(2025, 4, 8),
    )


# --- 7: limits --------------------------------------------------------------------------


def test_the_limits_default_to_5_mib_50_mib_and_5000_rows(settings):
    assert settings.IMPORT_MAX_FILE_SIZE == 5 * 1024 * 1024
    assert settings.IMPORT_MAX_UNPACKED_SIZE == 50 * 1024 * 1024
    assert settings.IMPORT_MAX_ROWS == 5000


def test_a_file_over_the_size_limit_is_refused(admin_client, japan, settings):
    settings.IMPORT_MAX_FILE_SIZE = 1000
    content = csv_bytes(*[row(japan, title=f"Talks {n}") for n in range(10)])
    assert len(content) > 1000
    response = preview(admin_client, content)
    assert form_errors(response) == [
        f"The file is {len(content):,} bytes; at most 1,000 bytes can be imported at once. "
        "Split it into several files."
    ]
    assert "result" not in response.context


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_unread(admin_client, settings):
    settings.IMPORT_MAX_UNPACKED_SIZE = 1024 * 1024
    # A zip bomb in miniature: 2 MiB of nothing, a few KB packed, not even a workbook (so
    # reading it would have failed with another message).
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (2 * 1024 * 1024))
    content = packed.getvalue()
    assert len(content) < 10_000
    response = preview(admin_client, content, XLSX_FORMAT)
    assert form_errors(response) == [
        "The workbook unpacks to 2 MiB; at most 1 MiB can be imported. Remove unused sheets "
        "or split it into several files."
    ]


@pytest.mark.parametrize("fmt", ["0", XLSX_FORMAT])
def test_a_file_over_the_row_limit_is_refused(admin_client, japan, settings, fmt):
    settings.IMPORT_MAX_ROWS = 3
    rows = [row(japan, title=f"Talks {n}") for n in range(4)]
    content = xlsx_bytes(*rows) if fmt == XLSX_FORMAT else csv_bytes(*rows)
    response = preview(admin_client, content, fmt)
    assert form_errors(response) == [
        "The file has more than 3 rows; at most 3 can be imported at once. Split it into "
        "several files."
    ]
    assert "result" not in response.context
    assert not Activity.objects.exists()


def test_a_file_at_the_row_limit_is_read(admin_client, japan, settings):
    settings.IMPORT_MAX_ROWS = 3
    content = xlsx_bytes(*[row(japan, title=f"Talks {n}") for n in range(3)])
    response = preview(admin_client, content, XLSX_FORMAT)
    assert response.context["result"].totals["new"] == 3


def test_only_csv_and_xlsx_are_offered(admin_client):
    from django.urls import reverse

    page = admin_client.get(reverse("admin:activities_activity_import")).content.decode()
    assert ">csv<" in page and ">xlsx<" in page
    assert ">json<" not in page and ">yaml<" not in page and ">xls<" not in page


def test_a_csv_that_is_not_utf8_gets_a_clear_answer(admin_client, japan):
    content = ",".join(HEADER).encode() + "\n,,Café".encode("latin-1")
    response = preview(admin_client, content)
    assert form_errors(response) == [
        "The file is not UTF-8 text: save it from Excel as “CSV UTF-8”."
    ]
