"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

No browser is downloaded (never `playwright install`): scripts/ensure-chromium installs
Debian's package, which `make test` runs first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Chromium's own calls home (updates, sync, field trials): the tests must see none.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "a-long-test-passphrase"  # tests.factories.UserFactory's


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium (make test does).")
    # Playwright's sync API keeps an asyncio event loop in this thread, and Django refuses
    # ORM calls from a thread with a running loop (SynchronousOnlyOperation). The test
    # code here is synchronous and alone on its connection, so the check is lifted for
    # the duration of a browser test only; the live server's thread never needs it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server serves static files with the finders, which know the files by
    # their plain names, not by the manifest's hashed ones.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        # While Playwright's loop runs, Django hands this thread a connection of its own
        # (connections are per asyncio context); closed here, or it would outlive the
        # test and stop the test database from being dropped at the end of the run.
        connections.close_all()
        browser.close()


class PageRecorder:
    """Every request a page makes: those to the live server go through, others are
    stopped and remembered, so a test fails if a page reaches outside the server."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" == self.origin:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@pytest.fixture
def recorder(live_server) -> PageRecorder:
    return PageRecorder(live_server.url)


def make_page(browser: Browser, recorder: PageRecorder, **context_options) -> Page:
    context = browser.new_context(**context_options)
    context.route("**/*", recorder.route)
    page = context.new_page()
    page.on("pageerror", lambda error: recorder.errors.append(str(error)))
    # A blocked inline script or style would break the page quietly: make it loud.
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and recorder.errors.append(f"CSP: {message.text}")
        ),
    )
    page.on("dialog", lambda dialog: recorder.errors.append(f"dialog: {dialog.message}"))
    return page


@pytest.fixture
def page(browser: Browser, recorder: PageRecorder) -> Iterator[Page]:
    page = make_page(browser, recorder, viewport={"width": 1280, "height": 900})
    yield page
    page.context.close()
    assert recorder.outside == [], "the page requested something outside the server"
    assert recorder.errors == [], "the page raised a JavaScript error or opened a dialog"


def log_in(page: Page, base_url: str, username: str, path: str = "/") -> None:
    """Go to `path`, get sent to the login page, sign in, and come back."""
    page.goto(f"{base_url}{path}")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}{path}")
