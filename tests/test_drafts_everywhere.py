"""A draft is seen only by Editors and Programme managers, and never counted, exported or put
in a feed, whoever asks: every page and endpoint of the URLconf is walked as a Viewer, the
admin as a staff Viewer, and the exports, feeds and reports as an Editor and a Programme
manager, who do see the draft on its page."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.services import create_activity, delete_activity
from feeds.services import reset_calendar_token
from tests.factories import ActivityFactory, UserFactory, running_programme
from tests.test_admin_releasability_everywhere import admin_urls, page_text
from tests.test_releasability_everywhere import urls_for

pytestmark = pytest.mark.django_db

DRAFT = "Ibex-Four unfinished draft"
DELETED_DRAFT = "Lynx-Two discarded draft"


@pytest.fixture
def draft(db, editor):
    # Planned and coming up (so it would show in every "upcoming" list and in the feed), in
    # a programme whose years hold today.
    programme = running_programme(goals=1)
    goal = programme.partnership_goals.get(order=1)
    ActivityFactory(programme=programme, title="Routine staff talks", goals=[goal])
    common = {
        "programme": programme,
        "activity_type": "consultation",
        "status": "planned",
        "start_date": timezone.localdate() + datetime.timedelta(days=10),
        "goals": [goal],
        "review_state": "draft",
    }
    gone = create_activity(user=editor, data={**common, "title": DELETED_DRAFT})
    delete_activity(activity=gone, user=editor)
    return create_activity(user=editor, data={**common, "title": DRAFT})


def body(response) -> str:
    return page_text(response)


def test_no_page_or_endpoint_reveals_a_draft_to_a_viewer(client, viewer, japan, draft):
    client.force_login(viewer)
    values = {"pk": draft.pk, "programme_id": draft.programme_id, "activity_id": draft.pk}
    urls = urls_for(values)
    assert len(urls) > 15
    goal = draft.goals.first().pk
    for url in urls:
        for query in (
            "",
            f"?search=Ibex&goal={goal}&programme={draft.programme_id}&from={draft.pk}",
            f"?review_state=draft&programme={draft.programme_id}",
            f"?format=csv&programme={draft.programme_id}",
        ):
            response = client.get(url + query)
            assert response.status_code < 500, url + query
            text = body(response)
            for title in (DRAFT, DELETED_DRAFT):
                assert title not in text, f"{url}{query} revealed a draft to a Viewer"
    for url in (
        f"/activities/{draft.pk}/",
        f"/activities/{draft.pk}/edit/",
        f"/api/v1/activities/{draft.pk}/",
        f"/api/v1/activities/{draft.pk}/history/",
    ):
        assert client.get(url).status_code in (403, 404), url


@pytest.mark.parametrize("role", ["editor", "manager"])
def test_editors_and_managers_see_a_draft_but_never_export_count_or_feed_it(
    request, client, role, draft
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    programme = draft.programme_id
    assert DRAFT in client.get(draft.get_absolute_url()).content.decode()
    assert DRAFT in client.get(reverse("activities:list")).content.decode()
    assert DRAFT in client.get(f"/api/v1/activities/{draft.pk}/").content.decode()
    assert DELETED_DRAFT in client.get(reverse("activities:deleted")).content.decode()
    exports = [
        reverse("activities:export"),
        f"{reverse('activities:export')}?review_state=draft",
        "/api/v1/activities/?format=csv",
        f"/api/v1/activities/?format=csv&review_state=draft&programme={programme}",
        f"/api/v1/progress/?programme={programme}&format=csv",
        f"/api/v1/progress/?programme={programme}",
        f"{reverse('progress:dashboard')}?programme={programme}",
        f"{reverse('progress:goal_list')}?programme={programme}",
        reverse("reports:report", args=[programme]),
        f"{reverse('feeds:calendar_feed')}?token={reset_calendar_token(user)}",
    ]
    for url in exports:
        response = client.get(url)
        assert response.status_code == 200, url
        assert DRAFT not in body(response), f"{url} exported, counted or fed a draft"
    progress = client.get(f"/api/v1/progress/?programme={programme}").json()
    assert progress["totals"]["activities"]["total"] == 1  # the routine talks alone
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("reports:xlsx", args=[programme])).getvalue())
    )
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    ]
    assert "Routine staff talks" in cells
    assert not any(DRAFT in cell for cell in cells)


def test_the_admin_reveals_no_draft_to_a_staff_viewer_and_exports_none(client, draft):
    viewer = UserFactory(username="staff-viewer", is_staff=True, roles=["Viewers"])
    client.force_login(viewer)
    walked = 0
    for url in sorted(set(admin_urls(client))):
        response = client.get(url)
        assert response.status_code < 500, url
        for title in (DRAFT, DELETED_DRAFT):
            assert title not in page_text(response), f"{url} revealed a draft"
        walked += 1
    assert walked > 100
    staff_editor = UserFactory(username="staff-editor", is_staff=True, roles=["Editors"])
    client.force_login(staff_editor)
    changelist = reverse("admin:activities_activity_changelist")
    assert DRAFT in client.get(changelist).content.decode()
    url = reverse("admin:activities_activity_export")
    form = client.get(url).context["form"]
    csv_choice = next(v for v, label in form.fields["format"].choices if label == "csv")
    columns = {name: "on" for name in form.fields if name.startswith("activityresource_")}
    export = client.post(url, {**columns, "format": csv_choice, "resource": "0"})
    assert export.status_code == 200
    assert "Routine staff talks" in body(export)  # the export really ran
    assert DRAFT not in body(export)
