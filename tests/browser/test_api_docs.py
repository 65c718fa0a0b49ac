"""The Swagger UI works under the strict Content-Security-Policy, from local files only."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_swagger_ui_renders_the_api_from_local_files(page: Page, live_server):
    UserFactory(username="consumer", roles=["Viewers"])
    log_in(page, live_server.url, "consumer", "/api/v1/docs/")
    expect(page.get_by_text("/api/v1/activities/").first).to_be_visible(timeout=15000)
    expect(page.get_by_text("/api/v1/progress/").first).to_be_visible()
    # The page fixture fails the test on any CSP violation or request leaving the server.
