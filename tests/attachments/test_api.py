"""Attachments over the API: upload checks (type from content, size), the listing, the
authorised download and its headers, who may remove what."""

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from activities.models import Activity
from attachments.models import Attachment
from tests.api.conftest import token_client
from tests.attachments.conftest import EXE, PDF, docx_bytes, png_bytes, upload
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(activity: Activity) -> str:
    return reverse("api:activity-attachment-list", args=[activity.pk])


def post(client, activity, name, data, **extra):
    return client.post(url(activity), {"file": upload(name, data), **extra}, format="multipart")


def test_an_editor_uploads_a_pdf_and_gets_its_description(editor, activity, media_root):
    response = post(token_client(editor), activity, "agenda.pdf", PDF, title="Agenda")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "id",
        "title",
        "filename",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "download",
    }
    assert body["title"] == "Agenda" and body["filename"] == "agenda.pdf"
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    assert body["uploaded_by"] == "editor"
    assert body["download"].endswith(f"/api/v1/attachments/{body['id']}/download/")
    stored = Attachment.objects.get(pk=body["id"]).file.name
    # A random name in the store: nothing of what the client called it.
    assert "agenda" not in stored and stored.startswith("attachments/")
    assert (media_root / stored).read_bytes() == PDF
    listed = token_client(editor).get(url(activity)).json()
    assert [item["id"] for item in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("photo.png", png_bytes(), "image/png"),
        (
            "minutes.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("notes.txt", "Kurze Notiz: Übung in Tokio\n".encode(), "text/plain"),
        ("participants.csv", b"name,country\nAiko,JP\n", "text/csv"),
        # The name does not decide: a PNG called .pdf is stored as the PNG it is.
        ("scan.pdf", png_bytes(), "image/png"),
    ],
)
def test_the_type_is_decided_from_the_content(editor, activity, name, data, content_type):
    response = post(token_client(editor), activity, name, data)
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == content_type


def test_an_executable_renamed_agenda_pdf_is_refused_with_415(editor, activity, media_root):
    response = post(token_client(editor), activity, "agenda.pdf", EXE)
    assert response.status_code == 415
    detail = response.json()["detail"]
    assert "agenda.pdf" in detail and "application/x-msdownload" in detail
    assert "whatever its name says" in detail and "PDF" in detail
    assert not Attachment.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_binary_content_without_a_known_signature_is_refused(editor, activity):
    response = post(token_client(editor), activity, "data.txt", b"\x00\x01\x02binary\xff" * 10)
    assert response.status_code == 415
    assert "could not be recognised" in response.json()["detail"]


def test_a_file_over_the_limit_is_refused_with_413(editor, activity, settings):
    settings.ATTACHMENT_MAX_SIZE = 1024
    response = post(token_client(editor), activity, "big.txt", b"a" * 1025)
    assert response.status_code == 413
    assert "at most 1024 bytes" in response.json()["detail"]
    assert not Attachment.objects.exists()
    assert post(token_client(editor), activity, "fits.txt", b"a" * 1024).status_code == 201


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(
    editor, activity, settings
):
    settings.ATTACHMENT_MAX_SIZE = 1024
    client = token_client(editor)
    response = client.post(
        url(activity),
        {"file": upload("big.txt", b"a" * 200_000)},
        format="multipart",
    )
    assert response.status_code == 413
    assert not Attachment.objects.exists()


def test_an_empty_file_or_none_is_a_400_naming_the_field(editor, activity):
    assert post(token_client(editor), activity, "empty.txt", b"").json() == {
        "file": ["The file is empty."]
    }
    response = token_client(editor).post(url(activity), {"title": "x"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_download_sends_the_file_under_its_name_with_safe_headers(editor, activity):
    client = token_client(editor)
    name = 'Agenda "final"; Tōkyō.pdf'
    created = post(client, activity, name, PDF).json()
    response = client.get(created["download"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # The name is quoted (RFC 5987 for what is not plain ASCII), never raw in the header.
    assert "filename*=utf-8''Agenda%20%22final%22%3B%20T%C5%8Dky%C5%8D.pdf" in disposition
    assert "\n" not in disposition


@pytest.mark.parametrize("role", ["Viewers", "Editors"])
def test_a_restricted_activity_and_its_attachments_are_404_without_the_permission(
    role, manager, restricted
):
    created = post(token_client(manager), restricted, "plan.pdf", PDF, title="Secret plan")
    assert created.status_code == 201
    attachment_id = created.json()["id"]
    client = token_client(UserFactory(roles=[role]))
    assert client.get(url(restricted)).status_code == 404
    assert client.get(created.json()["download"]).status_code == 404
    detail = reverse("api:activity-attachment-detail", args=[restricted.pk, attachment_id])
    assert client.get(detail).status_code == 404
    assert client.delete(detail).status_code == 404
    # A Viewer may upload nowhere (403 before any lookup); an Editor finds no such activity.
    assert post(client, restricted, "more.pdf", PDF).status_code == (
        404 if role == "Editors" else 403
    )
    assert Attachment.objects.count() == 1
    # The manager, who may see it, downloads it.
    assert token_client(manager).get(created.json()["download"]).status_code == 200


def test_a_viewer_reads_and_downloads_but_cannot_upload(viewer, editor, activity):
    created = post(token_client(editor), activity, "agenda.pdf", PDF).json()
    client = token_client(viewer)
    assert [a["id"] for a in client.get(url(activity)).json()] == [created["id"]]
    assert client.get(created["download"]).status_code == 200
    assert post(client, activity, "mine.pdf", PDF).status_code == 403


def test_an_attachment_is_only_found_under_its_own_activity(editor, japan, activity):
    created = post(token_client(editor), activity, "agenda.pdf", PDF).json()
    other = ActivityFactory(programme=japan)
    detail = reverse("api:activity-attachment-detail", args=[other.pk, created["id"]])
    assert token_client(editor).get(detail).status_code == 404


def test_editors_remove_their_own_and_programme_managers_any(
    editor, manager, activity, media_root, django_capture_on_commit_callbacks
):
    own = post(token_client(editor), activity, "own.pdf", PDF).json()
    others = post(token_client(manager), activity, "managers.pdf", PDF).json()
    other_editor = token_client(UserFactory(roles=["Editors"]))

    def detail(item):
        return reverse("api:activity-attachment-detail", args=[activity.pk, item["id"]])

    assert other_editor.delete(detail(own)).status_code == 403
    assert token_client(editor).delete(detail(others)).status_code == 403
    stored = Attachment.objects.get(pk=own["id"]).file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert token_client(editor).delete(detail(own)).status_code == 204
    assert not (media_root / stored).exists()
    assert token_client(manager).delete(detail(others)).status_code == 204
    assert not Attachment.objects.exists()
    assert token_client(manager).get(own["download"]).status_code == 404


def test_a_viewer_cannot_remove_an_attachment(viewer, editor, activity):
    created = post(token_client(editor), activity, "agenda.pdf", PDF).json()
    detail = reverse("api:activity-attachment-detail", args=[activity.pk, created["id"]])
    assert token_client(viewer).delete(detail).status_code == 403
    assert Attachment.objects.filter(pk=created["id"]).exists()


def test_a_deleted_activitys_attachments_are_hidden_and_come_back_with_a_restore(manager, activity):
    from activities.services import delete_activity, restore_activity

    created = post(token_client(manager), activity, "agenda.pdf", PDF).json()
    activity_id = activity.pk
    delete_activity(activity=activity, user=manager)
    assert token_client(manager).get(created["download"]).status_code == 404
    restore_activity(activity_id=activity_id, user=manager)
    assert token_client(manager).get(created["download"]).status_code == 200


def test_storage_is_the_configured_attachments_store(editor, activity, media_root):
    created = post(token_client(editor), activity, "agenda.pdf", PDF).json()
    stored = Attachment.objects.get(pk=created["id"]).file
    assert stored.storage is storages["attachments"]
    assert storages["attachments"].exists(stored.name)


def test_listing_takes_a_fixed_number_of_queries(editor, activity, django_assert_max_num_queries):
    client = token_client(editor)
    for number in range(5):
        post(client, activity, f"file-{number}.txt", b"notes")
    with django_assert_max_num_queries(8):
        response = client.get(url(activity))
    assert len(response.json()) == 5


def test_the_upload_handler_stops_reading_past_the_limit(editor, activity, settings):
    from django.test import RequestFactory

    from attachments import content
    from attachments.uploads import limit_uploads

    settings.ATTACHMENT_MAX_SIZE = 4096
    request = RequestFactory().post("/", {"file": upload("big.txt", b"a" * 50_000)})
    limit_uploads(request)
    with pytest.raises(content.FileTooLarge):
        request.FILES  # noqa: B018  (reading the body is what is tested)


def test_adding_and_removing_are_in_the_apis_history_of_the_activity(editor, activity):
    api = token_client(editor)
    attachment = post(api, activity, "agenda.pdf", PDF, title="Agenda").json()
    api.delete(f"{url(activity)}{attachment['id']}/")
    history = api.get(f"/api/v1/activities/{activity.pk}/history/").json()
    changes = [
        entry["changes"]["attachments"] for entry in history if "attachments" in entry["changes"]
    ]
    # Newest first: removed, then added, by the editor.
    assert changes == [
        {"old": "Agenda (agenda.pdf)", "new": None},
        {"old": None, "new": "Agenda (agenda.pdf)"},
    ]
    assert {entry["user"] for entry in history if "attachments" in entry["changes"]} == {"editor"}
