"""Reports, exports and lists carry their marking (issue 11, finding 9).

Every activity row says its releasability; a report says in its header (the PDF on every
page) the most restrictive releasability it holds; and `?releasability=public` makes the
version that may go to the partner, its counts included.
"""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from activities.models import Activity
from goals.models import PartnershipGoal, StockTake
from goals.services import close_stocktake
from reports.marking import frozen_releasability, highest_of, highest_releasability
from tests.factories import ActivityFactory, running_programme

pytestmark = pytest.mark.django_db

RESTRICTED_LINE = "RESTRICTED · Restricted (only those allowed to see restricted activities)"
INTERNAL_LINE = "INTERNAL · Internal (all roles)"
PUBLIC_LINE = "PUBLIC · Public (may appear in public diplomacy material)"
PUBLIC_TITLES = ["Public cyber conference", "Public maritime port visit"]
INTERNAL_TITLE = "Internal staff talks"
RESTRICTED_TITLE = "Restricted planning meeting"
YEAR = {"year": 2025}


@pytest.fixture
def goals(japan):
    return {g.order: g for g in PartnershipGoal.objects.filter(programme=japan)}


@pytest.fixture
def activities(japan, goals):
    """Two public activities, one internal and one restricted in 2025, all under goal 1,
    and enough more internal ones under other goals that the PDF runs over several pages."""
    made = [
        ActivityFactory(
            programme=japan,
            title=PUBLIC_TITLES[0],
            goals=[goals[1]],
            releasability="public",
            status="completed",
            start_date=datetime.date(2025, 2, 1),
        ),
        ActivityFactory(
            programme=japan,
            title=PUBLIC_TITLES[1],
            goals=[goals[1], goals[6]],
            releasability="public",
            status="planned",
            start_date=datetime.date(2025, 10, 1),
        ),
        ActivityFactory(
            programme=japan,
            title=INTERNAL_TITLE,
            goals=[goals[1]],
            releasability="internal",
            start_date=datetime.date(2025, 3, 1),
        ),
        ActivityFactory(
            programme=japan,
            title=RESTRICTED_TITLE,
            goals=[goals[1]],
            releasability="restricted",
            start_date=datetime.date(2025, 4, 1),
        ),
    ]
    for order in range(2, 17):
        ActivityFactory(
            programme=japan,
            title=f"Internal seminar {order}",
            goals=[goals[order]],
            releasability="internal",
            start_date=datetime.date(2025, 5, order),
        )
    return made


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return [
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(response.content)).pages
    ]


def workbook(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.getvalue()))


# The PDF: its marking on every page.


def test_pdf_for_a_programme_manager_is_marked_restricted_on_every_page(
    client, manager, japan, activities
):
    client.force_login(manager)
    pages = pdf_pages(client.get(reverse("reports:pdf", args=[japan.pk]), YEAR))
    assert len(pages) > 2
    for number, text in enumerate(pages, 1):
        assert RESTRICTED_LINE in text, f"page {number} is not marked"
    assert RESTRICTED_TITLE in " ".join(pages)


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_pdf_for_a_viewer_is_marked_internal_on_every_page_and_holds_nothing_restricted(
    client, request, japan, activities, role
):
    client.force_login(request.getfixturevalue(role))
    pages = pdf_pages(client.get(reverse("reports:pdf", args=[japan.pk]), YEAR))
    assert len(pages) > 2
    for number, text in enumerate(pages, 1):
        assert INTERNAL_LINE in text, f"page {number} is not marked"
    everything = " ".join(pages)
    assert "RESTRICTED" not in everything and RESTRICTED_TITLE not in everything


def test_pdf_activity_rows_say_their_releasability(client, manager, japan, activities):
    client.force_login(manager)
    text = " ".join(pdf_pages(client.get(reverse("reports:pdf", args=[japan.pk]), YEAR)))
    assert re.search(rf"{RESTRICTED_TITLE} .*? Restricted", text)
    assert re.search(rf"{PUBLIC_TITLES[0]} .*? Public", text)


def test_public_pdf_is_marked_public_on_every_page_and_holds_only_public_activities(
    client, manager, japan, activities
):
    client.force_login(manager)
    response = client.get(
        reverse("reports:pdf", args=[japan.pk]), {**YEAR, "releasability": "public"}
    )
    pages = pdf_pages(response)
    for number, text in enumerate(pages, 1):
        assert PUBLIC_LINE in text, f"page {number} is not marked"
    everything = " ".join(pages)
    assert all(title in everything for title in PUBLIC_TITLES)
    assert INTERNAL_TITLE not in everything and "Internal seminar" not in everything
    assert RESTRICTED_TITLE not in everything and "INTERNAL" not in everything
    assert "may be shared with the partner" in everything


# The workbook: its first row, every sheet's printed header, and a column per activity.


@pytest.mark.parametrize(
    ("role", "word", "line"),
    [("manager", "RESTRICTED", RESTRICTED_LINE), ("viewer", "INTERNAL", INTERNAL_LINE)],
)
def test_xlsx_is_marked_in_its_first_row_and_every_sheets_header(
    client, request, japan, activities, role, word, line
):
    client.force_login(request.getfixturevalue(role))
    book = workbook(client.get(reverse("reports:xlsx", args=[japan.pk]), YEAR))
    summary = book["Summary"]
    assert summary["A1"].value == "Marking"
    assert summary["B1"].value.startswith(f"{word}: {line.split(' · ')[1]}.")
    for sheet in book.worksheets:
        assert sheet.oddHeader.center.text == word, sheet.title
        assert sheet.oddFooter.center.text == word, sheet.title
    assert book.properties.category == word


def test_xlsx_activity_rows_say_their_releasability(client, manager, japan, activities):
    client.force_login(manager)
    sheet = workbook(client.get(reverse("reports:xlsx", args=[japan.pk]), YEAR))["Activities"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("Releasability")
    rows = {row[1]: row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[RESTRICTED_TITLE] == "Restricted"
    assert rows[INTERNAL_TITLE] == "Internal"
    assert rows[PUBLIC_TITLES[0]] == "Public"
    assert all(rows.values())


def test_public_xlsx_holds_only_public_activities_and_counts_only_them(
    client, manager, japan, goals, activities
):
    client.force_login(manager)
    book = workbook(
        client.get(reverse("reports:xlsx", args=[japan.pk]), {**YEAR, "releasability": "public"})
    )
    assert book["Summary"]["B1"].value.startswith("PUBLIC: ")
    for sheet in book.worksheets:
        cells = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
        assert INTERNAL_TITLE not in cells and RESTRICTED_TITLE not in cells, sheet.title
        assert "Internal seminar" not in cells and "RESTRICTED" not in cells, sheet.title
    titles = [row[1] for row in book["Activities"].iter_rows(min_row=2, values_only=True)]
    assert titles == PUBLIC_TITLES
    counts = {
        row[1]: row[3] for row in book["Partnership goals"].iter_rows(min_row=2, values_only=True)
    }
    assert counts[goals[1].title] == 2 and counts[goals[6].title] == 1
    assert sum(counts.values()) == 3
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert summary["Activities"] == 2


# The page: the marking at the top, and the counts of the public version.


def test_report_page_says_its_marking_at_the_top(client, manager, viewer, japan, activities):
    url = reverse("reports:report", args=[japan.pk])
    client.force_login(manager)
    page = client.get(url, YEAR).content.decode()
    marking = page.index('aria-label="Marking"')
    assert marking < page.index("<h1") and marking < page.index("Download PDF")
    assert "<strong>RESTRICTED</strong> · Restricted (only those allowed" in page
    client.force_login(viewer)
    page = client.get(url, YEAR).content.decode()
    assert "<strong>INTERNAL</strong> · Internal (all roles)" in page
    assert "RESTRICTED" not in page


def test_a_report_with_only_public_activities_is_marked_public(client, viewer, japan, goals):
    ActivityFactory(
        programme=japan,
        goals=[goals[1]],
        releasability="public",
        start_date=datetime.date(2025, 1, 9),
    )
    client.force_login(viewer)
    page = client.get(reverse("reports:report", args=[japan.pk]), YEAR).content.decode()
    assert "<strong>PUBLIC</strong> · Public (may appear in public diplomacy material)" in page
    assert "It contains only public activities." in page


def test_public_report_counts_only_public_activities(client, manager, japan, goals, activities):
    client.force_login(manager)
    url = reverse("reports:report", args=[japan.pk])
    response = client.get(url, {**YEAR, "releasability": "public"})
    page = response.content.decode()
    assert INTERNAL_TITLE not in page and RESTRICTED_TITLE not in page
    assert "Internal seminar" not in page
    report = response.context["report"]
    public = Activity.objects.filter(programme=japan, releasability="public", start_date__year=2025)
    assert report.totals["total"] == public.count() == 2
    assert report.totals["completed"] == 1 and report.totals["planned"] == 1
    expected = {goal.pk: public.filter(goals=goal).count() for goal in goals.values()}
    assert {s.goal.pk: s.counts["total"] for s in report.goal_sections} == expected
    assert sum(i["activities"]["total"] for i in report.issues) == 3  # one activity in two issues
    assert report.public_only and report.marking.releasability == "public"
    # The same report without the filter counts everything the manager may see.
    assert client.get(url, YEAR).context["report"].totals["total"] == 19


def test_report_page_offers_the_public_version(client, viewer, japan, activities):
    client.force_login(viewer)
    url = reverse("reports:report", args=[japan.pk])
    page = client.get(url, {**YEAR, "status": "planned"}).content.decode()
    assert 'href="?year=2025&amp;status=planned&amp;releasability=public"' in page
    page = client.get(url, {**YEAR, "releasability": "public"}).content.decode()
    assert "Public activities only (to share with the partner)" not in page
    assert f'action="/reports/{japan.pk}/files/?year=2025&amp;releasability=public"' in page


# Closed stock-takes: frozen counts of the public activities, or a clear refusal.


@pytest.fixture
def closed(japan, manager, activities):
    stocktake = StockTake.objects.create(
        programme=japan,
        title="2025 annual review",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    return close_stocktake(stocktake, user=manager)


def test_closed_stocktake_report_for_the_partner_reads_the_frozen_public_counts(
    client, manager, japan, goals, closed
):
    client.force_login(manager)
    url = reverse("reports:report", args=[japan.pk])
    query = {"stocktake": closed.pk, "releasability": "public"}
    before = client.get(url, query).context["report"]
    ActivityFactory(
        programme=japan,
        goals=[goals[1]],
        releasability="public",
        start_date=datetime.date(2025, 6, 6),
    )
    response = client.get(url, query)
    report = response.context["report"]
    assert report.frozen and report.totals == before.totals and report.totals["total"] == 2
    assert next(s for s in report.goal_sections if s.goal == goals[1]).counts["total"] == 2
    assert report.marking.releasability == "public"
    page = response.content.decode()
    assert INTERNAL_TITLE not in page and RESTRICTED_TITLE not in page


def test_closed_stocktake_report_is_marked_by_what_its_frozen_counts_hold(
    client, manager, viewer, japan, closed
):
    url = reverse("reports:report", args=[japan.pk])
    client.force_login(manager)
    assert client.get(url, {"stocktake": closed.pk}).context["report"].marking.word == "RESTRICTED"
    client.force_login(viewer)
    assert client.get(url, {"stocktake": closed.pk}).context["report"].marking.word == "INTERNAL"


def test_closed_stocktake_without_public_counts_refuses_the_public_version_clearly(
    client, manager, japan, closed
):
    del closed.snapshot["public"]  # as closed before the public counts were kept
    StockTake.objects.filter(pk=closed.pk).update(snapshot=closed.snapshot)
    client.force_login(manager)
    for name in ("report", "pdf", "xlsx"):
        response = client.get(
            reverse(f"reports:{name}", args=[japan.pk]),
            {"stocktake": closed.pk, "releasability": "public"},
        )
        assert response.status_code == 400
        assert "cannot be limited to public activities" in response.content.decode()
    page = client.get(reverse("reports:report", args=[japan.pk]), {"stocktake": closed.pk})
    assert "Public activities only" not in page.content.decode()


def test_closed_stocktake_refuses_a_releasability_its_counts_were_not_frozen_for(
    client, manager, viewer, japan, closed
):
    url = reverse("reports:report", args=[japan.pk])
    client.force_login(manager)
    response = client.get(url, {"stocktake": closed.pk, "releasability": "internal"})
    assert response.status_code == 400
    assert "leave releasability out or choose public" in response.content.decode()
    # What a viewer may see in full is what the viewer's frozen counts hold: no refusal.
    client.force_login(viewer)
    response = client.get(url, {"stocktake": closed.pk, "releasability": ["public", "internal"]})
    assert response.status_code == 200 and response.context["report"].totals["total"] == 18


# The exports: the same filter gives the partner's version.


@pytest.mark.parametrize(
    "url", [reverse("activities:export"), "/api/v1/activities/?format=csv"], ids=["page", "api"]
)
def test_exports_with_releasability_public_hold_only_public_activities(
    client, manager, activities, url
):
    client.force_login(manager)
    joiner = "&" if "?" in url else "?"
    response = client.get(f"{url}{joiner}releasability=public")
    assert response.status_code == 200
    body = b"".join(response.streaming_content if response.streaming else [response.content])
    text = body.decode("utf-8-sig")
    assert all(title in text for title in PUBLIC_TITLES)
    assert INTERNAL_TITLE not in text and RESTRICTED_TITLE not in text
    assert "Internal seminar" not in text


# The dashboard: a badge on every row of its activity lists.


def dashboard_list(page: str, heading: str) -> str:
    return page.split(f'id="{heading}"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_dashboard_lists_show_a_releasability_badge_on_every_row(client, request, role):
    # Coming up, in a programme whose years hold today (the seeded one ends in 2026).
    programme = running_programme(goals=1)
    soon = timezone.localdate() + datetime.timedelta(days=3)
    for releasability in ("public", "internal", "restricted"):
        ActivityFactory(
            programme=programme,
            title=f"Upcoming {releasability} event",
            goals=[programme.partnership_goals.get()],
            releasability=releasability,
            status="planned",
            start_date=soon,
        )
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("progress:dashboard"), {"programme": programme.pk}).content.decode()
    shown = ["public", "internal"] + (["restricted"] if role == "manager" else [])
    for heading in ("upcoming-heading", "recent-heading"):
        rows = dashboard_list(page, heading).split('<li class="list-group-item">')[1:]
        assert len(rows) == len(shown), heading
        for row in rows:
            title = re.search(r"Upcoming (\w+) event", row).group(1)
            assert (
                f'title="{dict(Activity._meta.get_field("releasability").choices)[title]}"' in row
            )
            assert f">{title.capitalize()}</span>" in row
    assert ("Upcoming restricted event" in page) == (role == "manager")


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_goal_page_activity_list_shows_a_releasability_badge_on_every_row(
    client, request, japan, goals, activities, role
):
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("progress:goal_detail", args=[goals[1].pk])).content.decode()
    body = page.split('<table class="table table-hover activities', 1)[1].split("</tbody>", 1)[0]
    rows = body.split("<tr>")[2:]  # after the header row
    shown = {"public": 2, "internal": 1, "restricted": 1 if role == "manager" else 0}
    assert len(rows) == sum(shown.values())
    for releasability, count in shown.items():
        assert body.count(f">{releasability.capitalize()}</span>") == count
    assert (RESTRICTED_TITLE in page) == (role == "manager")


# The one function every format uses.


def test_frozen_counts_are_marked_by_the_views_they_hold():
    def snapshot(all_, unrestricted, public=None):
        views = {"all": all_, "unrestricted": unrestricted, "public": public}
        return {k: {"totals": {"total": v}} for k, v in views.items() if v is not None}

    assert frozen_releasability(snapshot(3, 2, 1), "all") == "restricted"
    assert frozen_releasability(snapshot(3, 2, 1), "unrestricted") == "internal"
    assert frozen_releasability(snapshot(3, 2, 1), "public") == "public"
    assert frozen_releasability(snapshot(2, 2, 2), "all") == "public"
    assert frozen_releasability(snapshot(0, 0, 0), "unrestricted") == "public"
    # Closed before the public counts were kept: public and internal cannot be told apart.
    assert frozen_releasability(snapshot(2, 2), "all") == "internal"


def test_highest_releasability_is_the_most_restrictive_present(japan, goals):
    assert highest_releasability(Activity.objects.none()) == "public"
    ActivityFactory(programme=japan, goals=[goals[1]], releasability="public")
    assert highest_releasability(Activity.objects.all()) == "public"
    ActivityFactory(programme=japan, goals=[goals[1]], releasability="internal")
    assert highest_releasability(Activity.objects.all()) == "internal"
    ActivityFactory(programme=japan, goals=[goals[1]], releasability="restricted")
    assert highest_releasability(Activity.objects.all()) == "restricted"
    assert highest_releasability(Activity.objects.exclude(releasability="restricted")) == "internal"
    assert highest_of(["internal", "public", "restricted", "public"]) == "restricted"
