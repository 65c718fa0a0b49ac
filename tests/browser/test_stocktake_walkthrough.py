"""The "done when" of taking stock, as a newcomer would do it in a browser: open the
2025 annual review from the pages, rate all 16 goals, close it, download the PDF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from goals.models import GoalAssessment, PartnershipGoal, Programme, Rating, StockTake
from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    # Live-server tests commit; serialized rollback restores the migrated framework.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def words(text: str) -> str:
    """PDF text with its line breaks undone, so a wrapped title still reads whole."""
    return re.sub(r"\s+", " ", text)


def test_a_manager_takes_stock_of_all_16_goals_and_downloads_the_pdf(page: Page, live_server):
    UserFactory(username="manager", roles=["Programme managers"])
    japan = Programme.objects.get(partner="Japan", start_year=2023)
    goals = list(PartnershipGoal.objects.filter(programme=japan).order_by("order"))
    ratings = [Rating.choices[n % len(Rating.choices)] for n in range(len(goals))]
    log_in(page, live_server.url, "manager")

    # Found from the menu, opened from the list.
    page.get_by_role("link", name="Stock-takes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stock-takes")
    page.get_by_role("link", name="+ New stock-take").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New stock-take")
    page.get_by_label("Title").fill("2025 annual review")
    page.get_by_label("Period from").fill("2025-01-01")
    page.get_by_label("Period to").fill("2025-12-31")
    page.get_by_role("button", name="Open stock-take").click()
    expect(page.get_by_role("status").first).to_contain_text("is open. Rate each goal below")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2025 annual review")
    expect(page.locator("#rated-count")).to_have_text("0 of 16 goals rated")

    # Each goal rated in its own block, saved in place.
    for goal, (value, label) in zip(goals, ratings, strict=True):
        block = page.locator(f"#goal-{goal.pk}")
        block.get_by_label("Rating").select_option(value)
        block.get_by_label("Narrative").fill(f"Progress on {goal.title.lower()} in 2025.")
        block.get_by_label("Next steps").fill("Keep meeting twice a year.")
        block.get_by_role("button", name="Save rating").click()
        expect(page.locator(f"#goal-{goal.pk}").get_by_role("status")).to_contain_text(
            f"is rated “{label}”"
        )
    expect(page.locator("#rated-count")).to_have_text("16 of 16 goals rated")

    # Closing asks first.
    page.get_by_role("link", name="Close stock-take…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close “2025 annual review”?")
    page.get_by_role("button", name="Yes, close it").click()
    expect(page.get_by_role("status").first).to_contain_text("is closed")
    expect(page.get_by_role("button", name="Save rating")).to_have_count(0)

    stocktake = StockTake.objects.get(programme=japan, title="2025 annual review")
    assert stocktake.is_closed
    assert len(stocktake.snapshot["assessments"]) == 16
    assert GoalAssessment.objects.filter(stocktake=stocktake).count() == 16

    # The PDF is a report job: the worker (in-process here) makes it, its page links it.
    page.get_by_role("button", name="Download PDF report").click()
    with page.expect_download() as download:
        page.locator("#report-job-download").click()
    pdf = PdfReader(download.value.path())
    text = words(" ".join(p.extract_text() for p in pdf.pages))
    assert "2025 annual review" in text
    for goal, (_, label) in zip(goals, ratings, strict=True):
        # The goal's heading carries its rating.
        assert f"{words(goal.title)} {label}" in text, goal.title
        assert f"Progress on {words(goal.title.lower())} in 2025." in text
