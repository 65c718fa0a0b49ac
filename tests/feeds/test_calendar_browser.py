"""In Chromium: a user creates the link on the Calendar page and a calendar reads it."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from activities.models import ActivityStatus
from goals.models import Programme
from tests.browser.conftest import browser, log_in, page, recorder  # noqa: F401  (fixtures)
from tests.factories import ActivityFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_user_creates_a_calendar_link_and_subscribes_with_it(page: Page, live_server):  # noqa: F811
    UserFactory(username="viewer", roles=["Viewers"])
    japan = Programme.objects.get(partner="Japan")
    ActivityFactory(programme=japan, status=ActivityStatus.PLANNED, title="Cyber defence talks")
    log_in(page, live_server.url, "viewer")

    page.locator(".user-menu summary").click()  # the user's menu: account, calendar, sign out
    page.get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activities in your calendar")
    page.get_by_role("button", name="Create / reset my calendar link").click()
    url = page.get_by_label("Subscription URL").input_value()
    assert url.startswith(f"{live_server.url}/calendar.ics?token=")

    # A calendar application has no session: a fresh request context, only the URL.
    calendar_app = page.context.browser.new_context()
    response = calendar_app.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    titles = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.body()).walk("VEVENT")]
    assert titles == ["Cyber defence talks"]

    page.get_by_role("button", name="Create / reset my calendar link").click()
    expect(page.get_by_label("Subscription URL")).not_to_have_value(url)
    assert calendar_app.request.get(url).status == 404
    calendar_app.close()

    page.goto(f"{live_server.url}/calendar/")
    expect(page.get_by_label("Subscription URL")).to_have_count(0)
    expect(page.get_by_text("Last read")).to_be_visible()
