"""Report files made by the worker (issue 13): the API's 202 and polling, the report page's
"Preparing…" block, who may fetch a file, bad input, progress, retries and the daily purge.

Tasks run in-process here (CELERY_TASK_ALWAYS_EAGER); they are queued on commit, so each
request that queues one runs inside `django_capture_on_commit_callbacks(execute=True)`.
"""

import datetime
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from goals.models import GoalAssessment, PartnershipGoal, StockTake
from goals.services import close_stocktake
from reports.jobs import visibility_fingerprint
from reports.models import ReportJob
from reports.tasks import make_report_file, purge_expired_report_jobs
from tests.api.conftest import token_client
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Zebra-Seven covert consultation"
PUBLIC_TITLE = "Cyber defence staff talks"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Report files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def data(japan):
    goals = {g.order: g for g in PartnershipGoal.objects.filter(programme=japan)}
    ActivityFactory(
        programme=japan,
        title=PUBLIC_TITLE,
        goals=[goals[1]],
        releasability="public",
        start_date=datetime.date(2025, 3, 4),
    )
    ActivityFactory(
        programme=japan,
        title=SECRET,
        goals=[goals[1]],
        releasability="restricted",
        start_date=datetime.date(2025, 5, 5),
    )
    return goals


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def text_of(body: bytes, file_format: str) -> str:
    if file_format == "pdf":
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    book = load_workbook(io.BytesIO(body))
    return " ".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )


def ask(api, capture, **body):
    with capture(execute=True):
        return api.post("/api/v1/reports/", body, format="json")


def made(api, capture, **body) -> dict:
    """The job, after the worker (in-process) made its file."""
    response = ask(api, capture, **body)
    assert response.status_code == 202, response.content
    return api.get(response["Location"]).json()


# The API: 202 with the job's address, polling, the file.


def test_a_report_job_answers_202_with_its_url_and_is_made_by_the_worker(
    viewer, japan, data, django_capture_on_commit_callbacks
):
    api = token_client(viewer)
    response = ask(
        api, django_capture_on_commit_callbacks, programme=japan.pk, format="xlsx", year=2025
    )
    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == body["url"]
    assert re.fullmatch(r"http://testserver/api/v1/reports/[0-9a-f-]{36}/", body["url"])

    job = api.get(body["url"]).json()
    assert job["status"] == "done" and job["progress"] == 100
    assert job["format"] == "xlsx" and job["query"] == "year=2025"
    assert job["download"].endswith("/download/")
    assert datetime.datetime.fromisoformat(job["expires"]) - datetime.datetime.fromisoformat(
        job["created"]
    ) == timedelta(days=1)

    download = api.get(job["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert download["Content-Disposition"] == (
        'attachment; filename="itpp-japan-progress-in-2025.xlsx"'
    )
    text = text_of(content(download), "xlsx")
    assert PUBLIC_TITLE in text
    # The marking, as the synchronous workbook has it: a Viewer's report holds public ones.
    assert "Marking PUBLIC: Public" in text


def test_a_queued_job_has_no_download_until_the_worker_made_it(viewer, japan, data):
    api = token_client(viewer)
    # Not committed, so not yet run: what a client sees while the job waits for a worker.
    response = api.post("/api/v1/reports/", {"programme": japan.pk, "format": "pdf"}, format="json")
    assert response.status_code == 202
    job = api.get(response["Location"]).json()
    assert (job["status"], job["progress"], job["download"]) == ("queued", 0, None)
    assert api.get(f"{response['Location']}download/").status_code == 404

    make_report_file.delay(job["id"])
    job = api.get(response["Location"]).json()
    assert job["status"] == "done" and job["download"]
    pdf = api.get(job["download"], HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert content(pdf).startswith(b"%PDF")


def test_progress_rises_to_100_as_the_worker_goes(viewer, japan, data):
    job = ReportJob.objects.create(
        requester=viewer, programme=japan, format="pdf", visibility=visibility_fingerprint(viewer)
    )
    seen: list[tuple[str, int]] = []

    def record(sender, instance, **kwargs):
        seen.append((instance.status, instance.progress))

    post_save.connect(record, sender=ReportJob)
    try:
        make_report_file.delay(str(job.pk))
    finally:
        post_save.disconnect(record, sender=ReportJob)
    progress = [percent for _, percent in seen]
    assert progress == sorted(progress) and len(set(progress)) >= 5
    # The PDF's own steps move the bar while WeasyPrint works, between data and file.
    assert len({percent for percent in progress if 50 < percent < 90}) >= 2
    assert seen[0] == ("running", progress[0]) and seen[-1] == ("done", 100)


def test_running_a_job_again_keeps_its_one_file(viewer, japan, data, media):
    job = ReportJob.objects.create(
        requester=viewer, programme=japan, format="xlsx", visibility=visibility_fingerprint(viewer)
    )
    make_report_file.delay(str(job.pk))
    job.refresh_from_db()
    first = (job.file.name, job.finished)
    assert stored_files(media) == [media / job.file.name]
    # A redelivered or retried task (acks are late): nothing changes, no second file.
    assert make_report_file.delay(str(job.pk)).get() == "done"
    job.refresh_from_db()
    assert (job.file.name, job.finished) == first
    assert stored_files(media) == [media / job.file.name]


def test_a_job_whose_stocktake_went_away_fails_with_the_reason(viewer, japan, data):
    stocktake = StockTake.objects.create(
        programme=japan,
        title="2025 review",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    job = ReportJob.objects.create(
        requester=viewer,
        programme=japan,
        format="pdf",
        query=f"stocktake={stocktake.pk}",
        visibility=visibility_fingerprint(viewer),
    )
    stocktake.delete()
    make_report_file.delay(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "cannot be made" in job.error and not job.file


# Who may see a job and fetch its file.


def test_a_user_with_less_visibility_gets_404_and_one_with_the_same_gets_the_file(
    manager, viewer, editor, japan, data, django_capture_on_commit_callbacks
):
    manager_job = made(
        token_client(manager), django_capture_on_commit_callbacks, programme=japan.pk, format="pdf"
    )
    viewer_job = made(
        token_client(viewer), django_capture_on_commit_callbacks, programme=japan.pk, format="pdf"
    )
    # A Viewer cannot see restricted activities: the manager's job does not exist for them.
    viewer_api = token_client(viewer)
    assert viewer_api.get(manager_job["url"]).status_code == 404
    assert viewer_api.get(manager_job["download"]).status_code == 404
    # Another Programme manager sees what the requester sees: they may fetch it.
    other_manager = token_client(UserFactory(roles=["Programme managers"]))
    assert other_manager.get(manager_job["url"]).json()["status"] == "done"
    assert SECRET in text_of(content(other_manager.get(manager_job["download"])), "pdf")
    # Another Viewer sees what the Viewer sees: the file is theirs to fetch too.
    other_viewer = token_client(UserFactory(roles=["Viewers"]))
    assert other_viewer.get(viewer_job["download"]).status_code == 200
    # An Editor also sees drafts (the gate's other condition): not the same view, 404.
    assert token_client(editor).get(viewer_job["download"]).status_code == 404
    # The other way round the manager sees more, which is not the same file: 404.
    assert token_client(manager).get(viewer_job["url"]).status_code == 404
    # Without a role, or without a token: nothing.
    assert token_client(UserFactory()).get(viewer_job["url"]).status_code == 403
    assert (
        token_client(UserFactory()).post("/api/v1/reports/", {}, format="json").status_code == 403
    )
    anonymous = token_client(viewer)
    anonymous.credentials()
    assert anonymous.get(viewer_job["url"]).status_code == 401


def test_a_restricted_title_is_never_in_a_viewers_or_editors_job_file(
    viewer, editor, manager, japan, data, client, django_capture_on_commit_callbacks
):
    for user in (viewer, editor, manager):
        for file_format in ("pdf", "xlsx"):
            api = token_client(user)
            job = made(
                api, django_capture_on_commit_callbacks, programme=japan.pk, format=file_format
            )
            text = text_of(content(api.get(job["download"])), file_format)
            assert PUBLIC_TITLE in text
            # The requester's own visibility, never more: the manager's file has it.
            assert (SECRET in text) is (user == manager), (user, file_format)
        # The page's door too.
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            created = client.post(reverse("reports:create_job", args=[japan.pk]), {"format": "pdf"})
        job_url = created["Location"]
        download = client.get(f"{job_url}download/")
        assert (SECRET in text_of(content(download), "pdf")) is (user == manager), user


# Bad input: 400 naming the field, and no job.


JAPAN = "the seeded programme's id"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "pdf"}, "programme"),
        ({"programme": 999999, "format": "pdf"}, "programme"),
        ({"programme": "x", "format": "pdf"}, "programme"),
        ({"programme": JAPAN, "format": "doc"}, "format"),
        ({"programme": JAPAN}, "format"),
        ({"programme": JAPAN, "format": "pdf", "year": "abc"}, "year"),
        ({"programme": JAPAN, "format": "pdf", "year": True}, "year"),
        ({"programme": JAPAN, "format": "pdf", "ally": {"FR": 1}}, "ally"),
        ({"programme": JAPAN, "format": "pdf", "status": ["planned", "nonsense"]}, "status"),
        ({"programme": JAPAN, "format": "pdf", "yaer": 2025}, "yaer"),
        ({"programme": JAPAN, "format": "pdf", "stocktake": 999999}, "stocktake"),
        ({"programme": JAPAN, "format": "pdf", "stocktake": "x"}, "stocktake"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(viewer, japan, body, field):
    body = {name: japan.pk if value == JAPAN else value for name, value in body.items()}
    response = token_client(viewer).post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ReportJob.objects.exists()


def test_a_filter_a_closed_stocktake_cannot_follow_is_a_400(manager, japan, data):
    stocktake = StockTake.objects.create(
        programme=japan,
        title="2025 review",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    GoalAssessment.objects.create(stocktake=stocktake, goal=data[1], rating="on_track")
    close_stocktake(stocktake=stocktake, user=manager)
    api = token_client(manager)
    body = {"programme": japan.pk, "format": "pdf", "stocktake": stocktake.pk}
    refused = api.post("/api/v1/reports/", {**body, "activity_type": "exercise"}, format="json")
    assert refused.status_code == 400
    assert "frozen" in " ".join(refused.json()["activity_type"])
    assert not ReportJob.objects.exists()
    assert api.post("/api/v1/reports/", body, format="json").status_code == 202


# Expiry: 410 after a day, then purged with the file.


def test_expired_jobs_answer_410_and_are_purged_with_their_files(
    viewer, japan, data, media, django_capture_on_commit_callbacks
):
    api = token_client(viewer)
    old = made(api, django_capture_on_commit_callbacks, programme=japan.pk, format="xlsx")
    fresh = made(api, django_capture_on_commit_callbacks, programme=japan.pk, format="xlsx")
    assert len(stored_files(media)) == 2
    ReportJob.objects.filter(pk=old["id"]).update(expires=timezone.now() - timedelta(minutes=1))
    assert api.get(old["url"]).status_code == 410
    assert api.get(old["download"]).status_code == 410

    assert purge_expired_report_jobs.delay().get() == 1
    assert api.get(old["url"]).status_code == 404
    kept = ReportJob.objects.get()
    assert str(kept.pk) == fresh["id"]
    assert stored_files(media) == [media / kept.file.name]
    assert api.get(fresh["download"]).status_code == 200


def test_the_purge_runs_on_celerys_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reports.purge_expired_report_jobs"]
    assert entry["task"] == purge_expired_report_jobs.name
    assert entry["schedule"] <= timedelta(hours=1)


# The report page: the buttons ask for a job; "Preparing…", then the download.


def test_the_report_page_asks_the_worker_and_shows_preparing_then_the_download(
    client, viewer, japan, data, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    page = client.get(reverse("reports:report", args=[japan.pk]), {"year": 2025})
    action = f"/reports/{japan.pk}/files/?year=2025"
    assert f'action="{action}"' in page.content.decode()
    assert f'hx-post="{action}"' in page.content.decode()

    created = client.post(action, {"format": "pdf"})  # not committed: still queued
    assert created.status_code == 303
    job = ReportJob.objects.get()
    assert created["Location"] == f"/reports/files/{job.pk}/"
    assert job.query == "year=2025" and job.requester == viewer

    waiting = client.get(created["Location"]).content.decode()
    assert "Preparing…" in waiting and '<progress class="w-100" max="100" value="0"' in waiting
    # Without JavaScript: a refresh by itself and a button; with it, htmx polls the block.
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in waiting
    assert "Refresh</a>" in waiting
    assert f'hx-get="/reports/files/{job.pk}/" hx-trigger="every 2s"' in waiting
    block = client.get(created["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in block and "<nav" not in block  # the block alone, for htmx
    assert "Preparing…" in block and 'id="report-job"' in block

    make_report_file.delay(str(job.pk))
    done = client.get(created["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done  # the polling stops
    assert f'href="/reports/files/{job.pk}/download/"' in done
    assert "itpp-japan-progress-in-2025.pdf" in done
    full = client.get(created["Location"]).content.decode()
    assert "http-equiv" not in full and "Download itpp-japan-progress-in-2025.pdf" in full

    download = client.get(f"/reports/files/{job.pk}/download/")
    assert download["Content-Disposition"] == (
        'attachment; filename="itpp-japan-progress-in-2025.pdf"'
    )
    assert content(download).startswith(b"%PDF")


def test_the_report_pages_job_refuses_bad_filters_and_hides_others_jobs(
    client, viewer, manager, japan, data, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    refused = client.post(f"/reports/{japan.pk}/files/?year=abc", {"format": "pdf"})
    assert refused.status_code == 400 and "year" in refused.content.decode()
    assert client.post(f"/reports/{japan.pk}/files/", {"format": "doc"}).status_code == 400
    assert not ReportJob.objects.exists()

    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        job_url = client.post(f"/reports/{japan.pk}/files/", {"format": "xlsx"})["Location"]
    client.force_login(viewer)
    assert client.get(job_url).status_code == 404
    assert client.get(f"{job_url}download/").status_code == 404
    ReportJob.objects.update(expires=timezone.now())
    client.force_login(manager)
    assert client.get(job_url).status_code == 410
    assert "expired" in client.get(job_url).content.decode()
    assert client.get(f"{job_url}download/").status_code == 410


def test_the_schema_describes_the_report_jobs(
    editor, japan, data, django_capture_on_commit_callbacks
):
    api = token_client(editor)
    schema = api.get("/api/v1/schema/?format=json").json()
    create = schema["paths"]["/api/v1/reports/"]["post"]
    assert {"202", "400"} <= set(create["responses"])
    assert "Location" in create["responses"]["202"]["headers"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert {"programme", "format", "stocktake", "year", "ally"} <= set(request["properties"])
    job = schema["paths"]["/api/v1/reports/{id}/"]["get"]["responses"]
    assert {"200", "404", "410"} <= set(job)
    download = schema["paths"]["/api/v1/reports/{id}/download/"]["get"]["responses"]["200"]
    assert set(download["content"]) == {"application/pdf", XLSX}
    # A real job's answer has exactly the fields the schema describes, none null but those
    # it allows.
    answer = made(api, django_capture_on_commit_callbacks, programme=japan.pk, format="pdf")
    described = schema["components"]["schemas"]["ReportJob"]
    assert set(answer) == set(described["properties"]) == set(described["required"])
    for name, value in answer.items():
        assert value is not None or described["properties"][name].get("nullable"), name


def test_a_job_past_the_workers_time_limit_fails_and_says_why(viewer, japan, data, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    import reports.tasks

    def too_long(*args, **kwargs):
        raise SoftTimeLimitExceeded()  # what Celery raises in the task at the soft limit

    monkeypatch.setattr(reports.tasks, "write_report_file", too_long)
    job = ReportJob.objects.create(
        requester=viewer, programme=japan, format="pdf", visibility=visibility_fingerprint(viewer)
    )
    make_report_file.delay(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "longer than the worker may spend" in job.error
    assert not job.file
