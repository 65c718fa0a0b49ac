"""Follow-up actions in a real browser with JavaScript off: an Editor adds one on the
activity's page, its owner finds it on "My work" and marks it done."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from cycle.models import FollowUp
from tests.browser.conftest import PageRecorder, log_in, make_page
from tests.factories import ActivityFactory, UserFactory, running_programme

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_action_is_added_and_marked_done_without_javascript(
    browser: Browser, recorder: PageRecorder, live_server
):
    UserFactory(username="editor", roles=["Editors"])
    UserFactory(username="akiko", first_name="Akiko", roles=["Viewers"])
    activity = ActivityFactory(
        programme=running_programme(goals=2), title="Maritime security consultation"
    )
    due = timezone.localdate() + datetime.timedelta(days=14)

    editor = make_page(browser, recorder, java_script_enabled=False)
    log_in(editor, live_server.url, "editor", activity.get_absolute_url())
    section = editor.locator("#follow-ups")
    expect(section).to_contain_text("No follow-up actions.")
    section.get_by_label("Action").fill("Send the draft memorandum")
    section.get_by_label("Owner").select_option(label="Akiko (akiko)")
    section.get_by_label("Due date").fill(due.isoformat())
    section.get_by_role("button", name="Add the action").click()
    expect(editor.get_by_role("status")).to_contain_text("The follow-up action was added.")
    expect(section).to_contain_text("Send the draft memorandum")
    expect(section).to_contain_text("akiko")
    editor.context.close()

    owner = make_page(browser, recorder, java_script_enabled=False)
    log_in(owner, live_server.url, "akiko", "/me/")
    actions = owner.locator("#my-actions")
    expect(actions).to_contain_text("Send the draft memorandum")
    actions.get_by_role("button", name="Mark done").click()
    owner.wait_for_url(f"{live_server.url}/me/")
    expect(owner.locator("#my-actions")).to_contain_text("No open actions.")
    owner.context.close()
    assert FollowUp.objects.get().status == "done"
    assert recorder.outside == [] and recorder.errors == []
