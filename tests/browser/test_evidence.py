"""Attachments and the public page in a real browser: an Editor attaches the agenda on the
activity page (no script needed), and anyone reads the public page under its strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from goals.models import Programme
from tests.browser.conftest import PageRecorder, log_in, make_page
from tests.factories import ActivityFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_an_editor_attaches_the_agenda_and_finds_it_in_the_change_log(
    page: Page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    UserFactory(username="editor", roles=["Editors"])
    activity = ActivityFactory(programme=Programme.objects.get(partner="Japan"))
    log_in(page, live_server.url, "editor", activity.get_absolute_url())
    panel = page.locator("#attachments")
    panel.get_by_label("File").set_input_files(
        {"name": "agenda.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    panel.get_by_label("Title (optional)").fill("Agenda of the talks")
    panel.get_by_role("button", name="Attach").click()
    expect(page.get_by_role("status")).to_contain_text("“Agenda of the talks” was attached.")
    expect(panel.get_by_role("link", name="Agenda of the talks")).to_be_visible()
    expect(page.locator("#history-h").locator("xpath=../..")).to_contain_text("Attachment added")
    # An executable renamed agenda.pdf is refused, with the reason, and not listed.
    panel.get_by_label("File").set_input_files(
        {
            "name": "agenda.pdf",
            "mimeType": "application/pdf",
            "buffer": b"MZ\x90\x00" + b"\x00" * 64,
        }
    )
    panel.get_by_role("button", name="Attach").click()
    expect(page.get_by_role("alert")).to_contain_text("application/x-msdownload")
    expect(panel.get_by_role("listitem")).to_have_count(1)


def test_anyone_reads_the_public_page_without_a_csp_violation(browser, live_server):
    recorder = PageRecorder(live_server.url)
    japan = Programme.objects.get(partner="Japan")
    ActivityFactory(programme=japan, title="Port visit in Yokosuka", releasability="public")
    ActivityFactory(programme=japan, title="Internal staff talks")
    page = make_page(browser, recorder, viewport={"width": 1280, "height": 900})
    response = page.goto(f"{live_server.url}/public/")
    assert response.status == 200
    expect(page.get_by_role("heading", name=str(japan))).to_be_visible()
    expect(page.locator("#public-activities")).to_contain_text("Port visit in Yokosuka")
    assert "Internal staff talks" not in page.content()
    # The progress bars are styled from the app's own stylesheet (a blocked style would
    # leave them without width).
    assert page.locator(".goal-bar").first.bounding_box()["width"] > 50
    page.context.close()
    assert recorder.outside == [] and recorder.errors == []
