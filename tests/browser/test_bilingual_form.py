"""An Editor logs an activity in English and Japanese side by side, with two organisations,
in a real browser (#15)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from activities.models import Activity, Organisation
from goals.models import PartnershipGoal, Programme
from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_editor_logs_an_activity_in_english_and_japanese(page: Page, live_server):
    UserFactory(username="editor", roles=["Editors"])
    japan = Programme.objects.get(partner="Japan")
    goal = PartnershipGoal.objects.filter(programme=japan).order_by("order").first()
    day = min(
        timezone.localdate() - datetime.timedelta(days=7), datetime.date(japan.end_year, 12, 31)
    )
    log_in(page, live_server.url, "editor")
    page.goto(f"{live_server.url}/activities/new/")
    # The two titles side by side: the same row, the Japanese one to the right.
    english, japanese = page.locator("#id_title"), page.locator("#id_title_ja")
    assert japanese.get_attribute("lang") == "ja"
    left, right = english.bounding_box(), japanese.bounding_box()
    assert right["x"] > left["x"] + left["width"] and abs(right["y"] - left["y"]) < 5
    english.fill("Cyber defence staff talks")
    page.get_by_label("Title (Japanese)").fill("日本・NATOサイバー防衛協議")
    page.get_by_label("Description (Japanese)").fill("第二回の協議。")
    page.get_by_label("Type").select_option(label="Policy consultation")
    page.get_by_label("Status").select_option(label="Completed")
    page.get_by_label("Start date").fill(day.isoformat())
    page.get_by_label(goal.title, exact=True).check()
    page.get_by_label("Organisation 1", exact=True).select_option(
        label="Japan Maritime Self-Defense Force (JMSDF)"
    )
    page.get_by_label("Role of organisation 1").select_option(label="Lead")
    page.get_by_label("Organisation 2", exact=True).select_option(
        label="Allied Command Transformation (ACT)"
    )
    page.get_by_role("button", name="Log activity").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cyber defence staff talks")
    expect(page.locator("#title-other")).to_have_text("日本・NATOサイバー防衛協議")
    expect(page.locator("#title-other")).to_have_attribute("lang", "ja")
    activity = Activity.objects.get(title="Cyber defence staff talks")
    assert (activity.title_ja, activity.description_ja) == (
        "日本・NATOサイバー防衛協議",
        "第二回の協議。",
    )
    assert sorted(activity.participations.values_list("organisation__short_name", "role")) == [
        ("ACT", "participant"),
        ("JMSDF", "lead"),
    ]


def test_an_editor_switches_to_japanese_and_logs_an_activity_with_two_organisations(
    page: Page, live_server
):
    """The whole Japanese path: the switcher in the menu, the form's labels from the Japanese
    catalogue, Japanese text, two organisations named in Japanese, and the saved page."""
    UserFactory(username="editor", roles=["Editors"])
    japan = Programme.objects.get(partner="Japan")
    goal = PartnershipGoal.objects.filter(programme=japan).order_by("order").first()
    jmsdf = Organisation.objects.get(programme=japan, short_name="JMSDF")
    mofa = Organisation.objects.get(programme=japan, short_name="MOFA")
    day = min(
        timezone.localdate() - datetime.timedelta(days=7), datetime.date(japan.end_year, 12, 31)
    )
    with translation.override("ja"):
        ja = {
            text: gettext(text)
            for text in ("Log an activity", "Log activity")
        }
    # The catalogue is compiled and complete for these: otherwise the test proves nothing.
    assert ja["Log an activity"] != "Log an activity"
    log_in(page, live_server.url, "editor")

    page.locator("#language-switcher-select").select_option("ja")
    page.locator(".language-switcher button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.get_by_role("link", name=f"+ {ja['Log an activity']}").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ja["Log an activity"])

    page.locator("#id_title").fill("Maritime security staff talks")
    page.locator("#id_title_ja").fill("海洋安全保障に関する幕僚協議")
    page.locator("#id_description_ja").fill("海上自衛隊とNATO海上司令部の協議。")
    page.locator("#id_activity_type").select_option("consultation")
    page.locator("#id_status").select_option("completed")
    page.locator("#id_start_date").fill(day.isoformat())
    page.locator(f"input[name=goals][value='{goal.pk}']").check()
    # Named in Japanese on a Japanese page.
    first = page.locator("select[name='participant-0-organisation']")
    expect(first.locator(f"option[value='{jmsdf.pk}']")).to_contain_text(jmsdf.name_ja)
    first.select_option(str(jmsdf.pk))
    page.locator("select[name='participant-0-role']").select_option("lead")
    page.locator("select[name='participant-1-organisation']").select_option(str(mofa.pk))
    page.get_by_role("button", name=ja["Log activity"]).click()

    # The page shows the Japanese title first, the English one beside it, marked as English.
    expect(page.get_by_role("heading", level=1)).to_have_text("海洋安全保障に関する幕僚協議")
    expect(page.locator("#title-other")).to_have_text("Maritime security staff talks")
    expect(page.locator("#title-other")).to_have_attribute("lang", "en")
    activity = Activity.objects.get(title="Maritime security staff talks")
    assert activity.title_ja == "海洋安全保障に関する幕僚協議"
    assert activity.description_ja == "海上自衛隊とNATO海上司令部の協議。"
    assert sorted(activity.participations.values_list("organisation__short_name", "role")) == [
        ("JMSDF", "lead"),
        ("MOFA", "participant"),
    ]
