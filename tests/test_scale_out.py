"""Two web instances and a worker behave as one application (issue 13).

Two gunicorn instances of the app on two ports and one Celery worker, all against the test
database and a Redis database number of their own (SCALE_OUT_REDIS_DB, 12 by default,
flushed before and after), with tasks sent to the worker (CELERY_TASK_ALWAYS_EAGER=false).
Nothing is shared between the instances but PostgreSQL, Redis and DJANGO_SECRET_KEY, as on
separate machines. The subprocesses see only committed rows, hence a transactional test;
its serialized rollback restores the seeded framework for the tests after it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import requests
from knox.models import AuthToken

from goals.models import PartnershipGoal, StockTake
from tests.factories import UserFactory, running_programme
from tests.gunicorn_server import celery_worker, current_database_url, gunicorn, stop

PASSWORD = "a-long-test-passphrase"
ANON_LIMIT = 4
# Short, so that a stopped worker reads as stale within seconds.
HEARTBEAT_INTERVAL = 0.5
STALE_AFTER = 3


def scale_out_redis_url() -> str:
    """The test run's Redis server, in a database number of this test's own."""
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit(parts._replace(path=f"/{os.environ.get('SCALE_OUT_REDIS_DB', '12')}"))


def wait_for(what: str, check: Callable[[], Any], timeout: float = 60) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds. A wait
    for something that happens in another process, not a timed assertion."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


@dataclass
class Cluster:
    a: str  # base URLs of the two instances
    b: str
    worker: Any  # the worker's process
    redis_url: str


@pytest.fixture
def cluster(tmp_path) -> Iterator[Cluster]:
    redis_url = scale_out_redis_url()
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    env = {
        "DATABASE_URL": current_database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # One key for all: a session or a signed value made by one instance is read by the
        # other (docs/scaling.md).
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_COOKIES": "false",  # plain HTTP on loopback
        "DJANGO_API_RATE_ANON": f"{ANON_LIMIT}/min",
        "DJANGO_WORKER_HEARTBEAT_INTERVAL": str(HEARTBEAT_INTERVAL),
        "DJANGO_WORKER_HEARTBEAT_STALE_AFTER": str(STALE_AFTER),
        "DJANGO_LOG_LEVEL": "WARNING",
        # One files directory for both instances and the worker (as a shared volume would
        # be), the test's own, so the report files it makes go with it.
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    try:
        with contextlib.ExitStack() as stack:
            worker = stack.enter_context(celery_worker(tmp_path / "worker.log", **env))
            a = stack.enter_context(gunicorn(tmp_path / "web-a.log", **env))
            b = stack.enter_context(gunicorn(tmp_path / "web-b.log", **env))
            yield Cluster(f"http://127.0.0.1:{a}", f"http://127.0.0.1:{b}", worker, redis_url)
    finally:
        store.flushdb()
        store.close()


def healthz(base: str) -> dict:
    response = requests.get(f"{base}/healthz/", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def log_in(base: str, username: str) -> requests.Session:
    """A browser's login on the instance at `base`: the form, its CSRF token, the POST."""
    session = requests.Session()
    form = session.get(f"{base}/accounts/login/", timeout=10)
    assert form.status_code == 200
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text
    return session


def api(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}", "Accept": "application/json"}


# --- report jobs ---------------------------------------------------------------------------
# `POST /api/v1/reports/` → 202 with the job's URL; `GET` on it → status, progress, download.


def request_report_job(base: str, token: str, programme: int, fmt: str) -> str:
    """Ask the instance at `base` for a report (`fmt`: pdf or xlsx); the job's URL."""
    response = requests.post(
        f"{base}/api/v1/reports/",
        json={"programme": programme, "format": fmt},
        headers=api(token),
        timeout=30,
    )
    assert response.status_code == 202, response.text
    assert response.headers["Location"].endswith(urlsplit(response.json()["url"]).path)
    return urlsplit(response.json()["url"]).path


def fetch_report_job(base: str, token: str, job: str) -> dict:
    """The job's state read from the instance at `base`: status, progress, download."""
    response = requests.get(f"{base}{job}", headers=api(token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def check_report_job(cluster: Cluster, token: str, programme: int) -> None:
    """A report job requested on one instance is done by the worker and downloadable from
    the other."""
    for fmt in ("pdf", "xlsx"):
        job = request_report_job(cluster.a, token, programme, fmt)
        state = wait_for(
            f"the {fmt} report job",
            lambda job=job: (
                (s := fetch_report_job(cluster.b, token, job))["status"] in ("done", "failed") and s
            ),
            timeout=180,
        )
        assert state["status"] == "done", state
        assert state["progress"] == 100
        download = requests.get(
            f"{cluster.b}{urlsplit(state['download']).path}", headers=api(token), timeout=60
        )
        assert download.status_code == 200
        assert download.content[:4] == (b"%PDF" if fmt == "pdf" else b"PK\x03\x04")


# --- the test ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_instances_and_a_worker_behave_as_one(cluster, settings):
    # Password hashes the instances can check (the suite's fast hasher is not in theirs).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    programme = running_programme()
    manager = UserFactory(username="scale-manager", roles=["Programme managers"])
    editor = UserFactory(username="scale-editor", roles=["Editors"])
    token = AuthToken.objects.create(user=editor)[1]
    year = programme.start_year
    stocktake = StockTake.objects.create(
        programme=programme,
        title="Scale-out review",
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
    )

    # The worker is up: its heartbeat, in the shared cache, is read by both instances.
    wait_for("the worker's heartbeat", lambda: healthz(cluster.a)["worker"] == "ok")
    assert healthz(cluster.b)["worker"] == "ok"

    # A login on one instance is valid on the other; without it, the other sends to login.
    session = log_in(cluster.a, manager.username)
    home = session.get(f"{cluster.b}/", allow_redirects=False, timeout=10)
    assert home.status_code == 200
    assert manager.username in home.text
    stranger = requests.get(f"{cluster.b}/", allow_redirects=False, timeout=10)
    assert stranger.status_code == 302 and "login" in stranger.headers["Location"]

    # A burst split across both is throttled at the configured limit, not twice it.
    answers = [
        requests.get(f"{base}/api/v1/programmes/", timeout=10).status_code
        for base in [cluster.a, cluster.b] * ANON_LIMIT
    ]
    assert answers == [401] * ANON_LIMIT + [429] * ANON_LIMIT

    # A write on one shows at once in progress read from the other.
    def total(base: str) -> int:
        response = requests.get(
            f"{base}/api/v1/progress/?programme={programme.pk}", headers=api(token), timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()["totals"]["activities"]["total"]

    before = total(cluster.b)
    goal = PartnershipGoal.objects.filter(programme=programme).order_by("order").first()
    created = requests.post(
        f"{cluster.a}/api/v1/activities/",
        json={
            "title": "Scale-out exercise",
            "activity_type": "exercise",
            "start_date": f"{year}-03-04",
            "goals": [goal.pk],
        },
        headers=api(token),
        timeout=30,
    )
    assert created.status_code == 201, created.text
    assert total(cluster.b) == before + 1

    # A stock-take closed on one instance is closed by the worker (goals/tasks.py), and
    # read as closed on the other.
    page = f"/stocktakes/{stocktake.pk}/"
    closing = session.post(
        f"{cluster.b}{page}close/",
        headers={"X-CSRFToken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert closing.status_code == 302, closing.text
    wait_for(
        "the worker to close the stock-take",
        lambda: StockTake.objects.get(pk=stocktake.pk).is_closed,
    )
    closed = StockTake.objects.get(pk=stocktake.pk)
    assert closed.closed_by == manager
    assert closed.snapshot["all"]["totals"]["total"] == before + 1
    assert "Closed on" in session.get(f"{cluster.a}{page}", timeout=30).text

    check_report_job(cluster, token, programme.pk)

    # The worker stops: both instances say its heartbeat is stale, and still answer 200.
    stop(cluster.worker)
    wait_for("a stale heartbeat", lambda: healthz(cluster.b)["worker"] == "stale", timeout=30)
    assert healthz(cluster.a) == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "worker": "stale",
    }
