"""What a member of staff does in a real browser, end to end."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from activities.models import Activity, ActivityStatus
from goals.models import PartnershipGoal, Programme
from tests.browser.conftest import PageRecorder, log_in, make_page
from tests.browser.demo import load_demo, rate_demo
from tests.factories import ActivityFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    # Live-server tests commit, so the database is flushed after each; serialized
    # rollback restores the framework data the migrations loaded.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_user_logs_in_and_the_dashboard_lists_all_16_goals(page: Page, live_server):
    UserFactory(username="viewer", roles=["Viewers"])
    log_in(page, live_server.url, "viewer")

    expect(page.get_by_role("heading", level=1)).to_have_text("Japan ITPP 2023–2026")
    expect(page.locator("a.goal-title")).to_have_count(16)
    expect(page.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")


def test_an_editor_logs_an_activity_and_finds_it_in_the_filtered_list(page: Page, live_server):
    UserFactory(username="editor", roles=["Editors"])
    japan = Programme.objects.get(partner="Japan")
    goals = list(PartnershipGoal.objects.filter(programme=japan).order_by("order"))
    ActivityFactory(programme=japan, title="Unrelated talks", goals=[goals[6]])
    # Last week, or the programme's last day once it is over (dates must fall within it).
    last_week = min(
        timezone.localdate() - datetime.timedelta(days=7), datetime.date(japan.end_year, 12, 31)
    )
    log_in(page, live_server.url, "editor")

    page.get_by_role("link", name="+ Log an activity").first.click()
    page.get_by_label("Title").first.fill("Table-top exercise on maritime crisis response")
    page.get_by_label("Type").select_option(label="Exercise")
    page.get_by_label("Status").select_option(label="Completed")
    page.get_by_label("Start date").fill(last_week.isoformat())
    page.get_by_label(goals[1].title, exact=True).check()
    page.get_by_label(goals[5].title, exact=True).check()
    # The Allies list is searchable.
    page.get_by_placeholder("Find an Ally").fill("fra")
    expect(page.get_by_label("Germany")).to_be_hidden()
    page.get_by_label("France").check()
    page.get_by_role("button", name="Log activity").click()

    expect(page.get_by_role("status").first).to_contain_text("was logged")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Table-top exercise on maritime crisis response"
    )
    activity = Activity.objects.get(title__startswith="Table-top exercise")
    assert activity.start_date == last_week
    assert {goal.pk for goal in activity.goals.all()} == {goals[1].pk, goals[5].pk}

    # Counted on the dashboard, against both goals.
    page.get_by_role("link", name="Dashboard").click()
    completed = page.get_by_label(f"1 completed activities for {goals[1].title}")
    expect(completed).to_be_visible()
    expect(page.get_by_label(f"1 completed activities for {goals[5].title}")).to_be_visible()

    # The list filters in place (htmx), and the URL keeps the filter.
    page.get_by_role("link", name="Activities", exact=True).click()
    expect(page.locator("#match-count")).to_contain_text("2 activities match")
    page.locator("summary", has_text="Partnership goal").click()
    page.get_by_label(goals[5].title, exact=True).check()
    expect(page.locator("#match-count")).to_contain_text("1 activity matches")
    expect(page.locator("#results")).to_contain_text("Table-top exercise on maritime crisis")
    expect(page.locator("#results")).not_to_contain_text("Unrelated talks")
    assert f"goal={goals[5].pk}" in page.url

    # The bookmarked URL gives the same view on a fresh load.
    page.reload()
    expect(page.locator("#match-count")).to_contain_text("1 activity matches")


def test_an_invalid_date_range_shows_the_error_and_keeps_what_was_typed(page: Page, live_server):
    UserFactory(username="editor", roles=["Editors"])
    goal = PartnershipGoal.objects.order_by("order").first()
    log_in(page, live_server.url, "editor")
    page.goto(f"{live_server.url}/activities/new/")  # on to the form's one-time URL

    page.get_by_label("Title").first.fill("Cyber defence course")
    page.get_by_label("Type").select_option(label="Training")
    page.get_by_label("Start date").fill("2024-05-10")
    page.get_by_label("End date").fill("2024-05-01")
    page.get_by_label(goal.title, exact=True).check()
    page.get_by_label("Description").first.fill("Five days at the centre of excellence.")
    page.get_by_role("button", name="Log activity").click()

    expect(page.locator("#id_end_date_error")).to_have_text(
        "The end date cannot be before the start date."
    )
    expect(page.get_by_label("End date")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Title").first).to_have_value("Cyber defence course")
    expect(page.get_by_label("Start date")).to_have_value("2024-05-10")
    expect(page.get_by_label("End date")).to_have_value("2024-05-01")
    expect(page.get_by_label(goal.title, exact=True)).to_be_checked()
    expect(page.get_by_label("Description").first).to_have_value(
        "Five days at the centre of excellence."
    )
    assert not Activity.objects.exists()


def test_a_viewer_cannot_reach_the_form(page: Page, live_server):
    UserFactory(username="viewer", roles=["Viewers"])
    log_in(page, live_server.url, "viewer", "/activities/")
    expect(page.get_by_role("link", name="+ Log an activity")).to_have_count(0)

    response = page.goto(f"{live_server.url}/activities/new/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")


def test_a_hostile_title_is_shown_not_executed(page: Page, live_server):
    UserFactory(username="viewer", roles=["Viewers"])
    hostile = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">'
    activity = ActivityFactory(
        programme=Programme.objects.get(partner="Japan"),
        title=hostile,
        goals=[PartnershipGoal.objects.order_by("order").first()],
        status=ActivityStatus.COMPLETED,
    )
    log_in(page, live_server.url, "viewer")
    for path in ["/", "/activities/", activity.get_absolute_url()]:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_text(hostile).first).to_be_visible()
        assert page.evaluate("() => window.pwned") is None, path


def test_no_page_requests_anything_outside_the_server(browser, recorder: PageRecorder, live_server):
    """Every page, with its scripts, styles and chart, is served by the app alone."""
    UserFactory(username="manager", roles=["Programme managers"])
    japan = Programme.objects.get(partner="Japan")
    goal = PartnershipGoal.objects.order_by("order").first()
    activity = ActivityFactory(programme=japan, goals=[goal], allies=["FR"])
    page = make_page(browser, recorder)
    log_in(page, live_server.url, "manager")
    for path in [
        "/",
        "/activities/",
        "/activities/?status=completed",
        activity.get_absolute_url(),
        f"/activities/{activity.pk}/edit/",
        f"/activities/{activity.pk}/delete/",
        "/activities/deleted/",
        f"/activities/new/?from={activity.pk}",
        "/goals/",
        goal.get_absolute_url(),
        "/accounts/password_change/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    # The chart library and the app's scripts did load, from the server.
    assert any("/static/vendor/chartjs/" in url for url in recorder.requests)
    assert any("/static/vendor/htmx/" in url for url in recorder.requests)
    assert recorder.outside == []
    assert recorder.errors == []


def test_the_dashboard_on_a_laptop_and_a_phone(browser, recorder: PageRecorder, live_server):
    """Screenshots of the dashboard with demo data; ITPP_SCREENSHOT_DIR keeps them (the
    README's picture is made so: see docs/pages.md)."""
    manager = UserFactory(username="manager", roles=["Programme managers"])
    japan = Programme.objects.get(partner="Japan")
    load_demo(japan, today=timezone.localdate())
    rate_demo(japan, manager=manager)
    out = Path(os.environ.get("ITPP_SCREENSHOT_DIR") or "test-results")
    out.mkdir(parents=True, exist_ok=True)
    for name, viewport in [
        ("dashboard", {"width": 1280, "height": 900}),
        ("dashboard-phone", {"width": 390, "height": 844}),
    ]:
        page = make_page(browser, recorder, viewport=viewport)
        log_in(page, live_server.url, "manager")
        # The chart was drawn (its canvas is shown only by the script).
        expect(page.locator("#quarter-chart")).to_be_visible()
        page.screenshot(path=str(out / f"{name}.png"), full_page=name == "dashboard")
        if name == "dashboard":
            # The whole menu fits on one line of a laptop screen, Sign out included.
            header = page.locator("header").bounding_box()
            sign_out = page.get_by_role("button", name="Sign out").bounding_box()
            assert header["height"] < 70
            assert sign_out["x"] + sign_out["width"] <= viewport["width"]
        if name == "dashboard-phone":
            # The menu collapses behind a button that opens it.
            expect(page.get_by_role("link", name="Activities", exact=True)).to_be_hidden()
            page.get_by_role("button", name="Show or hide the menu").click()
            expect(page.get_by_role("link", name="Activities", exact=True)).to_be_visible()
        page.context.close()
    assert recorder.outside == [] and recorder.errors == []
    assert recorder.outside == []
    assert recorder.errors == []


def test_back_and_log_again_does_not_log_a_duplicate(browser, recorder: PageRecorder, live_server):
    """Without JavaScript, as the form must work: log, press Back, press Log activity again."""
    UserFactory(username="editor", roles=["Editors"])
    japan = Programme.objects.get(partner="Japan")
    goal = PartnershipGoal.objects.filter(programme=japan).order_by("order").first()
    page = make_page(browser, recorder, java_script_enabled=False)
    log_in(page, live_server.url, "editor")
    page.get_by_role("link", name="+ Log an activity").first.click()
    page.get_by_label("Title").first.fill("Maritime staff talks")
    page.get_by_label("Type").select_option(label="Policy consultation")
    page.get_by_label("Start date").fill("2025-06-02")
    page.get_by_label(goal.title, exact=True).check()
    page.get_by_role("button", name="Log activity").click()
    page.wait_for_url(re.compile(r"/activities/[0-9]+/$"))
    activity = Activity.objects.get()

    # Playwright's request routing turns the browser's cache off, so Back fetches the
    # form again: the hardest case, the one a cache would hide.
    page.go_back()
    expect(page.locator("#already-logged")).to_contain_text("This form was already sent")
    page.get_by_role("button", name="Log activity").click()
    page.wait_for_url(f"{live_server.url}{activity.get_absolute_url()}")
    expect(page.get_by_role("status").first).to_contain_text("This form was already sent")
    assert Activity.objects.count() == 1
    page.context.close()
    assert recorder.outside == [] and recorder.errors == []
