"""Reports in the reader's language (issue 15): `?lang=`, else the user's; report jobs carry
their language to the worker; the Japanese PDF is laid out in Japanese."""

import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import Preferences
from reports.models import ReportJob
from tests.api.conftest import token_client
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

TITLE = "日本・NATOサイバー防衛協議"
YEAR = {"year": 2025}


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def activity(japan):
    return ActivityFactory(programme=japan, title=TITLE, start_date=datetime.date(2025, 11, 30))


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def pdf_html(client, japan, **params) -> str:
    """The HTML WeasyPrint is given (reports.render.report_pdf), captured."""
    import reports.render as render

    captured = {}
    original = render.render_to_string

    def capture(template, context):
        captured["html"] = original(template, context)
        return captured["html"]

    render.render_to_string = capture
    try:
        response = client.get(reverse("reports:pdf", args=[japan.pk]), {**YEAR, **params})
    finally:
        render.render_to_string = original
    assert response.status_code == 200
    return captured["html"]


def test_the_pdf_with_lang_ja_is_laid_out_in_japanese(client, viewer, japan, activity):
    client.force_login(viewer)
    html = pdf_html(client, japan, lang="ja")
    assert '<html lang="ja">' in html
    # IPAex Gothic first in the font stack, and dates written the Japanese way.
    assert '.pdf { font-family: "IPAexGothic"' in html
    assert "2025年11月30日" in html


def test_the_japanese_pdf_draws_the_japanese_title_in_ipaex_gothic(client, viewer, japan, activity):
    client.force_login(viewer)
    response = client.get(reverse("reports:pdf", args=[japan.pk]), {**YEAR, "lang": "ja"})
    assert response.status_code == 200
    assert TITLE in pdf_text(response.content)
    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/BaseFont" in font.get_object()
    }
    # Latin letters and digits too: one Japanese face for the whole document.
    assert all("IPAex" in name for name in fonts), fonts


def test_the_pdf_follows_the_users_saved_language_without_lang(client, viewer, japan, activity):
    Preferences.objects.create(user=viewer, language="fr")
    client.force_login(viewer)
    assert '<html lang="fr">' in pdf_html(client, japan)


def test_the_pdf_is_english_by_default_with_english_dates(client, viewer, japan, activity):
    client.force_login(viewer)
    html = pdf_html(client, japan)
    assert '<html lang="en-gb">' in html
    assert "30 Nov 2025" in html
    assert 'IPAexGothic", "DejaVu' not in html


def test_an_unsupported_lang_is_a_400_naming_lang(client, viewer, japan, activity):
    client.force_login(viewer)
    response = client.get(reverse("reports:pdf", args=[japan.pk]), {**YEAR, "lang": "de"})
    assert response.status_code == 400
    assert response.content.decode().startswith("lang:")
    response = client.get(reverse("reports:xlsx", args=[japan.pk]), {**YEAR, "lang": "xx"})
    assert response.status_code == 400


def test_xlsx_labels_go_through_gettext(client, viewer, japan, activity, monkeypatch):
    """No catalogue is compiled in the tests, so the proof that the workbook's words are
    translated is that they pass through gettext in the requested language."""
    import reports.xlsx as xlsx

    seen = []

    def fake_gettext(message: str) -> str:
        from django.utils import translation

        seen.append(translation.get_language())
        return f"({translation.get_language()}) {message}"

    monkeypatch.setattr(xlsx, "_", fake_gettext)
    client.force_login(viewer)
    response = client.get(reverse("reports:xlsx", args=[japan.pk]), {**YEAR, "lang": "fr"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.getvalue()))
    assert "(fr) Summary" in book.sheetnames
    header = [cell.value for cell in book["(fr) Activities"][1]]
    assert header[:2] == ["(fr) Id", "(fr) Title"]
    assert set(seen) == {"fr"}


def test_a_report_job_carries_its_language_to_the_worker(
    viewer, japan, activity, django_capture_on_commit_callbacks
):
    api = token_client(viewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/reports/",
            {"programme": japan.pk, "format": "pdf", "year": 2025, "language": "ja"},
            format="json",
        )
    assert response.status_code == 202, response.content
    assert response.json()["language"] == "ja"
    job = ReportJob.objects.get(pk=response.json()["id"])
    assert job.language == "ja" and job.status == ReportJob.Status.DONE
    with job.file.open("rb") as file:
        assert TITLE in pdf_text(file.read())


def test_a_report_job_defaults_to_the_users_language_then_accept_language(viewer, japan):
    api = token_client(viewer)
    body = {"programme": japan.pk, "format": "xlsx"}
    response = api.post("/api/v1/reports/", body, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["language"] == "fr"
    Preferences.objects.create(user=viewer, language="ja")
    response = api.post("/api/v1/reports/", body, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["language"] == "ja"


def test_an_unsupported_language_for_a_job_is_a_400_naming_language(viewer, japan):
    api = token_client(viewer)
    response = api.post(
        "/api/v1/reports/",
        {"programme": japan.pk, "format": "pdf", "language": "de"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["language"]
    assert not ReportJob.objects.exists()


def test_the_report_pages_job_button_passes_lang_on(client, viewer, japan, activity):
    client.force_login(viewer)
    url = reverse("reports:create_job", args=[japan.pk])
    response = client.post(f"{url}?year=2025&lang=ja", {"format": "xlsx"})
    assert response.status_code == 303
    assert ReportJob.objects.get().language == "ja"
    response = client.post(f"{url}?year=2025&lang=klingon", {"format": "xlsx"})
    assert response.status_code == 400
