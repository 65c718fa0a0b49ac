"""Switching the interface's language in a real browser, with JavaScript off: the switcher is
a plain form (issue 15)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from accounts.models import Preferences
from tests.browser.conftest import PASSWORD, PageRecorder, make_page
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_language_is_switched_before_and_after_signing_in_without_javascript(
    browser: Browser, recorder: PageRecorder, live_server
):
    viewer = UserFactory(username="viewer", roles=["Viewers"])
    page = make_page(
        browser,
        recorder,
        java_script_enabled=False,
        locale="en-GB",
        viewport={"width": 1400, "height": 900},
    )
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    # Before signing in: the cookie keeps the choice.
    page.locator("#language-switcher-select").select_option("ja")
    page.locator(".language-switcher button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    # Signed in by the form's field names: its labels are Japanese once translated.
    page.goto(f"{live_server.url}/activities/")
    page.locator("input[name=username]").fill("viewer")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/activities/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    # Signed in: back to the same page, in French, and remembered on the account.
    page.locator("#language-switcher-select").select_option("fr")
    page.locator(".language-switcher button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/activities/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert Preferences.objects.get(user=viewer).language == "fr"
    page.context.close()
    assert recorder.outside == [] and recorder.errors == []
