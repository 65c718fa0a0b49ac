"""The report page's PDF button in a browser: "Preparing…" with a progress bar, polled by
htmx until the worker made the file, then the download."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from goals.models import Programme
from reports.models import ReportJob
from reports.tasks import make_report_file
from tests.browser.conftest import log_in
from tests.factories import ActivityFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_pdf_button_shows_preparing_then_the_download(
    page: Page, live_server, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    # No worker yet: the job stays queued until the test plays the worker below.
    monkeypatch.setattr(make_report_file, "delay", lambda *args, **kwargs: None)
    UserFactory(username="viewer", roles=["Viewers"])
    japan = Programme.objects.get(partner="Japan", start_year=2023)
    ActivityFactory(
        programme=japan,
        title="Cyber defence staff talks",
        goals=[japan.partnership_goals.get(order=1)],
        start_date=datetime.date(2025, 3, 4),
    )
    path = f"/reports/{japan.pk}/?year=2025"
    log_in(page, live_server.url, "viewer", path)

    page.get_by_role("button", name="Download PDF").click()
    block = page.locator("#report-job")
    expect(block).to_contain_text("Preparing…")
    expect(block.locator("progress")).to_be_visible()
    assert page.url.endswith(path)  # htmx put the block on the report page itself

    make_report_file.apply(args=[str(ReportJob.objects.get().pk)])
    link = page.get_by_role("link", name="Download itpp-japan-progress-in-2025.pdf")
    expect(link).to_be_visible(timeout=10_000)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "itpp-japan-progress-in-2025.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
