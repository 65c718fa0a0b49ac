"""The progress report: the programme's structure, the same numbers as the progress API,
and a PDF and a workbook that a reader outside the system can use."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from goals.models import GoalAssessment, PartnershipGoal, StockTake
from goals.services import close_stocktake
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(japan):
    goals = {g.order: g for g in PartnershipGoal.objects.filter(programme=japan)}
    ActivityFactory(
        programme=japan,
        title="Cyber defence staff talks",
        goals=[goals[1], goals[2]],
        allies=["EE", "FR"],
        start_date=datetime.date(2025, 3, 4),
        participants=40,
        women_participants=15,
    )
    ActivityFactory(
        programme=japan,
        title="Maritime table-top exercise",
        activity_type="exercise",
        goals=[goals[6]],
        start_date=datetime.date(2025, 9, 1),
    )
    ActivityFactory(
        programme=japan,
        title="Secret cyber planning",
        goals=[goals[1]],
        releasability="restricted",
        start_date=datetime.date(2025, 5, 5),
    )
    ActivityFactory(
        programme=japan,
        title="Last year's talks",
        goals=[goals[1]],
        start_date=datetime.date(2024, 6, 1),
    )
    stocktake = StockTake.objects.create(
        programme=japan,
        title="2025 annual review",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    GoalAssessment.objects.create(
        stocktake=stocktake,
        goal=goals[1],
        rating="on_track",
        narrative="Regular staff talks established.",
        next_steps="A joint exercise in 2026.",
    )
    return {"goals": goals, "stocktake": stocktake}


def test_report_follows_the_programme_and_matches_the_progress_api(client, editor, japan, data):
    client.force_login(editor)
    response = client.get(reverse("reports:report", args=[japan.pk]), {"year": 2025})
    page = response.content.decode()
    assert response.status_code == 200
    for goal in data["goals"].values():
        assert goal.title in page or goal.title.replace("'", "&#x27;") in page
    assert "Japan and NATO strengthen dialogue and consultations" in page
    assert "Cyber defence staff talks" in page and "Maritime table-top exercise" in page
    assert "Last year&#x27;s talks" not in page  # outside the year
    assert "Secret cyber planning" not in page  # restricted: an editor may not see it
    assert "Regular staff talks established." in page and "On track" in page
    assert "15 women among 40 participants" in page

    report = response.context["report"]
    progress = client.get(f"/api/v1/progress/?programme={japan.pk}&year=2025").json()
    assert {g["id"]: g["activities"] for g in progress["goals"]} == {
        s.goal.pk: s.counts for s in report.goal_sections
    }
    assert report.totals["total"] == 2


def test_programme_manager_sees_restricted_activities_in_the_report(client, manager, japan, data):
    client.force_login(manager)
    page = client.get(reverse("reports:report", args=[japan.pk]), {"year": 2025}).content.decode()
    assert "Secret cyber planning" in page


def test_pdf_report_opens_and_contains_the_goals(client, viewer, japan, data):
    client.force_login(viewer)
    response = client.get(reverse("reports:pdf", args=[japan.pk]), {"year": 2025})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for title in ["Cyber Defence", "Maritime Security", "Human Security", "Strategic Objectives"]:
        assert title in text
    assert "Cyber defence staff talks" in text
    assert "Page 1 of" in text


def test_xlsx_workbook_has_a_sheet_per_level_and_the_activities(client, viewer, japan, data):
    client.force_login(viewer)
    response = client.get(reverse("reports:xlsx", args=[japan.pk]), {"year": 2025})
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    assert workbook.sheetnames == [
        "Summary",
        "Strategic objectives",
        "Priority issues",
        "Partnership goals",
        "Activities",
    ]
    goals = list(workbook["Partnership goals"].iter_rows(min_row=2, values_only=True))
    assert len(goals) == 16
    cyber = next(row for row in goals if row[1] == "Cyber Defence")
    assert cyber[3] == 1 and "On track" in cyber
    titles = [row[1] for row in workbook["Activities"].iter_rows(min_row=2, values_only=True)]
    assert titles == ["Cyber defence staff talks", "Maritime table-top exercise"]


def test_report_follows_the_activity_filters(client, viewer, japan, data):
    client.force_login(viewer)
    response = client.get(
        reverse("reports:xlsx", args=[japan.pk]), {"year": 2025, "activity_type": "exercise"}
    )
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    titles = [row[1] for row in workbook["Activities"].iter_rows(min_row=2, values_only=True)]
    assert titles == ["Maritime table-top exercise"]


def test_closed_stocktake_report_reads_the_same_after_activities_change(
    client, manager, japan, data
):
    close_stocktake(data["stocktake"], user=manager)
    client.force_login(manager)
    url = reverse("reports:report", args=[japan.pk])
    before = client.get(url, {"stocktake": data["stocktake"].pk}).context["report"]
    ActivityFactory(programme=japan, goals=[data["goals"][1]], start_date=datetime.date(2025, 7, 7))
    GoalAssessment.objects.filter(goal=data["goals"][1]).exists()
    after = client.get(url, {"stocktake": data["stocktake"].pk}).context["report"]
    assert after.frozen
    assert [s.counts for s in after.goal_sections] == [s.counts for s in before.goal_sections]
    assert after.totals == before.totals
    assert after.goal_sections[0].assessment.rating_label == "On track"


def test_bad_requests_get_clear_answers(client, viewer, japan, data):
    client.force_login(viewer)
    url = reverse("reports:report", args=[japan.pk])
    assert client.get(url, {"year": "twenty"}).status_code == 400
    assert client.get(url, {"status": "bogus"}).status_code == 400
    assert client.get(url, {"stocktake": "abc"}).status_code == 404
    assert client.get(reverse("reports:report", args=[999999])).status_code == 404
    nobody = UserFactory(username="norole")
    client.force_login(nobody)
    assert client.get(url).status_code == 403
    assert client.get(reverse("reports:index")).status_code == 403


def test_the_first_page_of_the_pdf_gives_every_goals_rating_at_a_glance(
    client, viewer, japan, data
):
    """A reader who only reads the first page still sees how each goal was judged."""
    client.force_login(viewer)
    response = client.get(
        reverse("reports:pdf", args=[japan.pk]), {"stocktake": data["stocktake"].pk}
    )
    assert response.status_code == 200
    first_pages = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages[:2]
    )
    glance = first_pages.split("Partnership Goals at a glance", 1)[1].split("Strategic Objectives")[
        0
    ]
    glance = " ".join(glance.split())
    assert "a. Cyber Defence On track" in glance
    assert glance.count("Not assessed") == 15
