"""The reports list an activity's title in the reader's language, the other as fallback
(#15): the same rule as the pages (itpp/i18n.py)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from reports.render import report_for
from reports.xlsx import report_workbook
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

TITLE_JA = "日本・NATOサイバー防衛協議"


@pytest.fixture
def logged(japan):
    day = datetime.date(2025, 5, 12)
    return (
        ActivityFactory(
            programme=japan, title="Cyber staff talks", title_ja=TITLE_JA, start_date=day
        ),
        ActivityFactory(programme=japan, title="Maritime seminar", start_date=day),
    )


def activity_titles(language: str, japan, viewer) -> set[str]:
    with translation.override(language):
        report = report_for({"year": 2025}, user=viewer, programme=japan)
        book = load_workbook(io.BytesIO(report_workbook(report)))
    sheet = book["Activities"]
    header = [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=5)) if cell.value]
    rows = list(sheet.iter_rows(values_only=True))
    titles = set()
    for row in rows:
        titles.update(
            value for value in row if value in {"Cyber staff talks", TITLE_JA, "Maritime seminar"}
        )
    assert header  # the sheet has its header
    return titles


def test_the_xlsx_lists_titles_in_the_readers_language(japan, viewer, logged):
    assert activity_titles("en-gb", japan, viewer) == {"Cyber staff talks", "Maritime seminar"}
    # In Japanese: the Japanese title, and the English one where there is no Japanese.
    assert activity_titles("ja", japan, viewer) == {TITLE_JA, "Maritime seminar"}


def test_the_report_page_lists_titles_in_the_readers_language(client, viewer, japan, logged):
    client.force_login(viewer)
    url = reverse("reports:report", args=[japan.pk])
    english = client.get(url, {"year": 2025}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cyber staff talks" in english and TITLE_JA not in english
    japanese = client.get(url, {"year": 2025}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert TITLE_JA in japanese and "Maritime seminar" in japanese
