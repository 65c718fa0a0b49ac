"""The review of a record in a browser, as its author and a Programme manager would do it:
an Editor saves a draft and submits it, the manager returns it with a comment, the author
reads it, fixes the record and submits it again, the manager approves it; the author is
mailed at each return and approval. Then once more without JavaScript."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import Browser, expect

from activities.models import Activity
from goals.models import PartnershipGoal, Programme
from tests.browser.conftest import PageRecorder, log_in, make_page
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    # Live-server tests commit; serialized rollback restores the migrated framework.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_CONFIGURED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


def walk(browser: Browser, recorder: PageRecorder, base: str, **context) -> Activity:
    japan = Programme.objects.get(partner="Japan", start_year=2023)
    goal = PartnershipGoal.objects.filter(programme=japan).order_by("order").first()
    author = make_page(browser, recorder, viewport={"width": 1280, "height": 900}, **context)
    reviewer = make_page(browser, recorder, viewport={"width": 1280, "height": 900}, **context)
    log_in(author, base, "author", "/activities/")
    log_in(reviewer, base, "reviewer", "/activities/")

    # The author saves a draft: only Editors and managers see it.
    author.goto(f"{base}/activities/new/")
    author.get_by_label("Title").first.fill("Maritime staff talks")
    author.get_by_label("Type").select_option(label="Policy consultation")
    author.get_by_label("Status").select_option(label="Completed")
    author.get_by_label("Start date").fill("2025-04-08")
    author.get_by_label(goal.title, exact=True).check()
    author.get_by_role("button", name="Save as draft").click()
    expect(author.get_by_role("heading", level=1)).to_have_text("Maritime staff talks")
    expect(author.locator("#review-h")).to_contain_text("Draft")
    record = Activity.objects.get(title="Maritime staff talks")
    assert record.review_state == "draft"

    # … and submits it.
    author.get_by_role("button", name="Submit for review").click()
    expect(author.locator("#review-h")).to_contain_text("Submitted for review")
    expect(author.get_by_role("button", name="Submit for review")).to_have_count(0)

    # The manager returns it with a comment.
    reviewer.goto(f"{base}{record.get_absolute_url()}")
    reviewer.get_by_label("What should the author fix?").fill("Which Allies took part?")
    reviewer.get_by_role("button", name="Return to author").click()
    expect(reviewer.locator("#review-h")).to_contain_text("Returned to its author")
    assert [m.subject for m in mail.outbox] == ["Returned for changes: Maritime staff talks"]

    # The author reads the comment, fixes the record and submits it again.
    author.goto(f"{base}{record.get_absolute_url()}")
    expect(author.locator("#review-comment")).to_contain_text("Which Allies took part?")
    author.get_by_role("link", name="Edit").click()
    author.get_by_label("France").check()
    author.get_by_label("Outcome").first.fill("A joint paper on maritime awareness.")
    author.get_by_role("button", name="Save changes").click()
    expect(author.locator("#review-h")).to_contain_text("Returned to its author")
    author.get_by_role("button", name="Submit for review").click()
    expect(author.locator("#review-h")).to_contain_text("Submitted for review")

    # The manager approves it.
    reviewer.goto(f"{base}{record.get_absolute_url()}")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.locator("#review-h")).to_contain_text("Approved")
    expect(reviewer.get_by_role("button", name="Approve")).to_have_count(0)
    assert [m.subject for m in mail.outbox][-1] == "Approved: Maritime staff talks"
    assert all(m.to == ["author@example.org"] for m in mail.outbox)
    author.context.close()
    reviewer.context.close()
    record.refresh_from_db()
    return record


def test_draft_submit_return_fix_approve_in_the_browser(
    browser: Browser, recorder: PageRecorder, live_server
):
    UserFactory(username="author", email="author@example.org", roles=["Editors"])
    UserFactory(username="reviewer", roles=["Programme managers"])
    record = walk(browser, recorder, live_server.url)
    assert record.review_state == "approved"
    assert [ally.code for ally in record.allies.all()] == ["FR"]
    states = [row.review_state for row in record.history.order_by("history_id") if row.history_type]
    # draft, submitted, returned, (edited) returned, submitted, approved: each recorded.
    assert states[0] == "draft" and states[-1] == "approved"
    assert {"submitted", "returned"} <= set(states)
    assert recorder.outside == [] and recorder.errors == []


def test_the_same_walk_without_javascript(browser: Browser, recorder: PageRecorder, live_server):
    UserFactory(username="author", email="author@example.org", roles=["Editors"])
    UserFactory(username="reviewer", roles=["Programme managers"])
    record = walk(browser, recorder, live_server.url, java_script_enabled=False)
    assert record.review_state == "approved"
    assert recorder.outside == []
