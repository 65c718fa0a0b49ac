"""Switching the interface's language in a real browser, with JavaScript off: the switcher is
a plain form (issue 15)."""

from __future__ import annotations

import os
from pathlib import Path

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
    page.locator(".language-switcher summary").click()
    page.locator(".language-switcher button[value=ja]").click()
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
    page.locator(".language-switcher summary").click()
    page.locator(".language-switcher button[value=fr]").click()
    page.wait_for_url(f"{live_server.url}/activities/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert Preferences.objects.get(user=viewer).language == "fr"
    page.context.close()
    assert recorder.outside == [] and recorder.errors == []


@pytest.mark.parametrize("language", ["en-GB", "fr", "ja"])
def test_the_whole_menu_fits_one_line_of_a_laptop_screen_in_each_language(
    browser: Browser, recorder: PageRecorder, live_server, language
):
    """French words are longer than English ones: the menu, with every item a staff manager
    sees and the switcher, still fits 1280 pixels."""
    UserFactory(username="manager", roles=["Programme managers"], is_staff=True)
    page = make_page(browser, recorder, locale=language, viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill("manager")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", language.lower())
    out = Path(os.environ.get("ITPP_SCREENSHOT_DIR") or "test-results")
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"dashboard-{language}.png"))
    header = page.locator("header").bounding_box()
    assert header["height"] < 70
    for control in (page.locator(".user-menu summary"), page.locator(".language-switcher summary")):
        box = control.bounding_box()
        assert box["x"] + box["width"] <= 1280
    page.context.close()
    assert recorder.outside == [] and recorder.errors == []
