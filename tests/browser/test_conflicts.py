"""Two people edit one activity: in a real browser, the one who saves second is told who
saved first and what changed, keeps what they typed, and decides."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from activities.models import Activity
from activities.services import update_activity
from goals.models import Programme
from tests.browser.conftest import log_in
from tests.factories import ActivityFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_second_editor_sees_the_conflict_keeps_their_input_and_saves_on_purpose(
    page: Page, live_server
):
    UserFactory(username="editor", roles=["Editors"])
    colleague = UserFactory(username="colleague", roles=["Editors"])
    japan = Programme.objects.get(partner="Japan")
    activity = ActivityFactory(programme=japan, title="Staff talks", location="Brussels")
    log_in(page, live_server.url, "editor", f"/activities/{activity.pk}/edit/")
    page.get_by_label("Title").first.fill("Cyber staff talks")

    # Meanwhile a colleague saves another change.
    update_activity(activity=activity, user=colleague, data={"location": "Tokyo"})
    page.get_by_role("button", name="Save changes").click()

    conflict = page.locator("#conflict")
    expect(conflict).to_contain_text("Nothing was saved")
    expect(conflict).to_contain_text("colleague saved this activity")
    expect(conflict).to_contain_text("Location: now “Tokyo” (yours: “Brussels”)")
    expect(page.get_by_label("Title").first).to_have_value("Cyber staff talks")
    assert Activity.objects.get(pk=activity.pk).title == "Staff talks"

    # They keep the colleague's place and their own title, and save again.
    page.get_by_label("Location").fill("Tokyo")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").first).to_contain_text("was saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cyber staff talks")
    saved = Activity.objects.get(pk=activity.pk)
    assert (saved.title, saved.location, saved.version) == ("Cyber staff talks", "Tokyo", 3)
