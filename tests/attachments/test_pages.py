"""Attachments on the activity page (without JavaScript), in its change log, and in the
PDF report."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from attachments import services
from attachments.models import Attachment
from goals.models import StockTake
from tests.attachments.conftest import EXE, PDF, png_bytes, upload
from tests.factories import GoalAssessmentFactory, StockTakeFactory, UserFactory

pytestmark = pytest.mark.django_db


def add_url(activity) -> str:
    return reverse("attachments:add_to_activity", args=[activity.pk])


def test_an_editor_attaches_a_file_from_the_activity_page(client, editor, activity):
    client.force_login(editor)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert f'action="{add_url(activity)}"' in page and 'enctype="multipart/form-data"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    response = client.post(add_url(activity), {"file": upload("minutes.pdf", PDF), "title": ""})
    assert response.status_code == 302
    assert response["Location"].endswith(f"{activity.get_absolute_url()}#attachments")
    attachment = Attachment.objects.get()
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "“minutes.pdf” was attached." in page
    assert f'href="{attachment.get_download_url()}"' in page
    assert f'action="{reverse("attachments:delete", args=[attachment.pk])}"' in page


def test_the_upload_needs_the_csrf_token(editor, activity):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(add_url(activity), {"file": upload("minutes.pdf", PDF)})
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_a_refused_file_is_told_on_the_page_and_not_stored(client, editor, activity):
    client.force_login(editor)
    response = client.post(add_url(activity), {"file": upload("agenda.pdf", EXE)}, follow=True)
    page = response.content.decode()
    assert "application/x-msdownload" in page and "whatever its name says" in page
    assert not Attachment.objects.exists()


def test_a_viewer_sees_attachments_without_upload_or_remove(client, viewer, editor, activity):
    attachment = services.add_attachment(
        user=editor, parent=activity, upload=upload("photo.png", png_bytes()), title="Photo"
    )
    client.force_login(viewer)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "Photo" in page and attachment.get_download_url() in page
    assert add_url(activity) not in page
    assert reverse("attachments:delete", args=[attachment.pk]) not in page
    assert client.post(add_url(activity), {"file": upload("x.pdf", PDF)}).status_code == 403
    delete = reverse("attachments:delete", args=[attachment.pk])
    assert client.post(delete).status_code == 403
    download = client.get(attachment.get_download_url())
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == 'attachment; filename="photo.png"'


@pytest.mark.parametrize("role", ["Viewers", "Editors"])
def test_page_doors_walk_finds_no_restricted_attachment(client, role, manager, restricted):
    attachment = services.add_attachment(
        user=manager, parent=restricted, upload=upload("secret-plan.pdf", PDF)
    )
    client.force_login(UserFactory(roles=[role]))
    assert client.get(attachment.get_download_url()).status_code == 404
    delete = reverse("attachments:delete", args=[attachment.pk])
    assert client.post(delete).status_code == 404
    response = client.post(add_url(restricted), {"file": upload("x.pdf", PDF)})
    assert response.status_code == 404
    listing = client.get(reverse("activities:list")).content.decode()
    assert "secret-plan.pdf" not in listing and "Secret cyber planning" not in listing


def test_an_editor_removes_their_own_attachment_from_the_page(client, editor, activity):
    attachment = services.add_attachment(user=editor, parent=activity, upload=upload("a.pdf", PDF))
    client.force_login(editor)
    response = client.post(reverse("attachments:delete", args=[attachment.pk]), follow=True)
    assert "“a.pdf” was removed." in response.content.decode()
    assert not Attachment.objects.exists()


def test_adding_and_removing_are_in_the_activitys_change_log(client, editor, manager, activity):
    client.force_login(editor)
    client.post(add_url(activity), {"file": upload("agenda.pdf", PDF), "title": "Agenda"})
    attachment = Attachment.objects.get()
    client.force_login(manager)
    client.post(reverse("attachments:delete", args=[attachment.pk]))
    page = client.get(activity.get_absolute_url()).content.decode()
    log = page.split('id="history-h"', 1)[1]
    added = log.index("Attachment added")
    removed = log.index("Attachment removed")
    assert removed < added  # newest first
    assert log.count("Agenda (agenda.pdf)") == 2
    assert "by editor" in log[added:] and "by manager" in log[removed:added]


def test_the_pdf_report_lists_each_activitys_attachments_by_name(
    client, viewer, editor, japan, activity
):
    services.add_attachment(user=editor, parent=activity, upload=upload("minutes-tokyo.pdf", PDF))
    services.add_attachment(
        user=editor, parent=activity, upload=upload("group-photo.png", png_bytes())
    )
    client.force_login(viewer)
    response = client.get(reverse("reports:pdf", args=[japan.pk]), {"year": 2024})
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "minutes-tokyo.pdf" in text and "group-photo.png" in text


def test_assessment_attachments_are_for_programme_managers_while_the_stocktake_is_open(
    japan, manager, editor
):
    from tests.api.conftest import token_client

    stocktake = StockTakeFactory(programme=japan)
    assessment = GoalAssessmentFactory(stocktake=stocktake, goal=japan.partnership_goals.first())
    url = reverse("api:assessment-attachment-list", args=[assessment.pk])
    sent = {"file": upload("evidence.pdf", PDF)}
    assert token_client(editor).post(url, sent, format="multipart").status_code == 403
    response = token_client(manager).post(
        url, {"file": upload("evidence.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 201
    assert token_client(editor).get(url).json()[0]["filename"] == "evidence.pdf"
    StockTake.objects.filter(pk=stocktake.pk).update(status="closed")  # history-safe
    response = token_client(manager).post(
        url, {"file": upload("late.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 400 and "closed" in response.json()["file"][0]


def test_programme_managers_attach_evidence_to_a_goal_on_the_stocktake_page(
    client, japan, manager, viewer, django_assert_max_num_queries
):
    stocktake = StockTakeFactory(programme=japan)
    goals = list(japan.partnership_goals.order_by("order")[:3])
    assessments = [GoalAssessmentFactory(stocktake=stocktake, goal=goal) for goal in goals]
    page_url = reverse("goals:stocktake", args=[stocktake.pk])
    add = reverse("attachments:add_to_assessment", args=[assessments[0].pk])
    client.force_login(manager)
    assert f'action="{add}"' in client.get(page_url).content.decode()
    response = client.post(add, {"file": upload("evidence.pdf", PDF), "title": "Survey"})
    assert response["Location"] == f"{page_url}#goal-{goals[0].pk}"
    for assessment in assessments[1:]:
        services.add_attachment(user=manager, parent=assessment, upload=upload("x.txt", b"x"))
    with django_assert_max_num_queries(40):
        page = client.get(page_url).content.decode()
    attachment = Attachment.objects.get(filename="evidence.pdf")
    assert "Survey" in page and attachment.get_download_url() in page
    client.force_login(viewer)
    page = client.get(page_url).content.decode()
    assert attachment.get_download_url() in page and add not in page
    assert client.post(add, {"file": upload("y.pdf", PDF)}).status_code == 403
    assert client.get(attachment.get_download_url()).status_code == 200


def test_an_upload_over_the_limit_is_refused_while_it_is_read(client, editor, activity, settings):
    settings.ATTACHMENT_MAX_SIZE = 4096
    client.force_login(editor)
    response = client.post(
        add_url(activity), {"file": upload("big.txt", b"a" * 50_000)}, follow=True
    )
    assert "attachments may be at most 4096 bytes" in response.content.decode()
    assert not Attachment.objects.exists()
