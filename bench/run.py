"""ITPP Tracker benchmark: measures the app against PostgreSQL's own floor.

Run with `make bench` (100,000 activities) or `make bench SIZES="100000 1000000"`.
For each size it prepares a database of generated activities, starts gunicorn as configured
for production (gunicorn.conf.py: two workers of four threads) on loopback, and measures,
interleaving the compared requests and taking medians so that the machine's noise cancels:

- the activity list (100 rows, filtered and ordered) over the API ÷ a hand-written query
  that returns the same page as JSON with its count;
- the progress endpoint ÷ the GROUP BY queries it needs; the dashboard ÷ the aggregates it
  shows; both cold (the servers' shared cache emptied before each timed request, so that a
  progress cache cannot answer; `--warm` adds them repeated on servers with the progress
  cache on);
- the CSV export's rows per second ÷ those of PostgreSQL's COPY of the same cells,
  alternated.

Every floor is the fastest SQL found for the same result, in bench/floors/ (see its
README), and everything is measured as a Viewer, whose reads carry the visibility condition.
- a deep page ÷ the first page; the first page at the largest size ÷ at the smallest, with
  page numbers (the default) and with cursors (`pagination=cursor`);
- the CSV export of everything: rows per second and the serving worker's peak memory;
- the dashboard and the activity list page: server time and queries per page;
- load from wrk at several concurrency levels: throughput, p50/p95/p99 and errors.

It prints a table and writes bench/results/latest.json (and a timestamped copy).
This is a measurement tool, not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
SEED = 1
LIST_QUERY = "status=completed&ordering=-start_date&page_size=100"
FIRST_PAGE_QUERY = "ordering=-start_date&page_size=100"
CURSOR_QUERY = f"pagination=cursor&{FIRST_PAGE_QUERY}"
TARGETS = {
    "list_ratio": 2.0,
    "progress_ratio": 1.5,
    "scale_ratio": 1.5,
    "deep_page_ratio": 1.5,
    "cursor_deep_page_ratio": 1.5,
    "cursor_scale_ratio": 1.5,
    "csv_memory_ratio": 1.2,
    "dashboard_ratio": 1.5,
}
# At most, in milliseconds: a warm progress or dashboard request (the progress cache on).
WARM_MS = 50.0
# At least: the CSV export's rows per second as a share of PostgreSQL's COPY of the same.
MINIMUMS = {"csv_copy_share": 0.3}
# Who the bench is: a Viewer, the most common user, whose every read carries the
# visibility condition (restricted activities left out); the floors are written for one.
BENCH_USER = "bench-viewer"
BENCH_ROLE = "Viewers"


# --------------------------------------------------------------------------- setup


def database_url(base: str, size: int) -> str:
    """The database of one size: `<name>_<size>` when BENCH_DATABASE_URL names a bench
    database (e.g. itpp_bench_run: itpp_bench_run_100000), so that two people benchmarking
    on one server keep apart; else itpp_bench_<size>."""
    parts = urlsplit(base)
    name = parts.path.lstrip("/")
    prefix = name if "bench" in name else "itpp_bench"
    return urlunsplit(parts._replace(path=f"/{prefix}_{size}"))


def connect(url: str):
    return psycopg2.connect(url)


def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with closing(psycopg2.connect(admin)) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')


def django_env(url: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="itpp.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secret,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_LOG_LEVEL="WARNING",
        # Fair-use throttling would turn the load runs into 429s: measure the app, not it.
        DJANGO_API_RATE_USER="1000000/min",
        DJANGO_API_RATE_EXPORT="1000/min",
        # The ratios are of cold requests: the progress cache would answer repeats from the
        # shared cache (its warm figures: `--warm`, on servers of their own, or
        # bench/progress_cache.py).
        PROGRESS_CACHE_SECONDS="0",
        # A shared cache of the bench's own, which it empties before each cold call (see
        # `cache_clearer`): the database cache of the bench database, or BENCH_REDIS_URL
        # (a Redis database number nobody else uses: it is flushed).
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", ""),
    )
    return env


CACHE_TABLE = "itpp_cache"  # itpp/settings.py's database cache, created by migrate


def cache_clearer(env: dict[str, str]) -> Callable[[], None]:
    """Empty the servers' shared cache, so that the next progress or dashboard request is
    cold (the progress cache, where there is one, holds nothing)."""
    if env["REDIS_URL"]:
        import redis

        client = redis.Redis.from_url(env["REDIS_URL"])
        return lambda: client.flushdb()
    conn = connect(env["DATABASE_URL"])
    conn.autocommit = True

    def clear() -> None:
        with conn.cursor() as cursor:
            cursor.execute(f"DELETE FROM {CACHE_TABLE}")

    return clear


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


SETUP_SNIPPET = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from goals.models import Programme
user, _ = get_user_model().objects.get_or_create(username="{user}")
user.groups.set([Group.objects.get(name="{role}")])
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
programme = Programme.objects.order_by("pk").first()
print(json.dumps({"session": session.session_key, "programme": programme.pk}))
"""

QUERY_COUNT_SNIPPET = """
import json
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
client.force_login(get_user_model().objects.get(username="{user}"))
counts = {}
for name, url in [("dashboard", "/"), ("activity list", "/activities/?page_size=100")]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    counts[name] = {"status": status, "queries": len(queries)}
print(json.dumps(counts))
"""

# The cursor the API would give after the rows before the last page, made by the app's own
# encoder (walking there page by page would take ten thousand requests at 1,000,000).
DEEP_CURSOR_SNIPPET = """
from activities.api.views import CURSOR_ORDERINGS
from activities.models import Activity
from itpp.api.pagination import PageOrCursorPagination
# What the Viewer sees: neither restricted activities nor drafts (the visibility gate).
visible = Activity.objects.exclude(releasability="restricted").exclude(review_state="draft")
key = visible.order_by("-start_date", "-id").values_list("start_date", "id")[{offset}]
print(PageOrCursorPagination.encode("-start_date", "after", key, CURSOR_ORDERINGS["-start_date"]))
"""


def prepare(url: str, size: int, secret: str) -> dict:
    ensure_database(url)
    env = django_env(url, secret)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    with closing(connect(url)) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM activities_activity a JOIN auth_user u ON u.id = a.created_by_id "
            "WHERE u.username = 'demo-data'"
        )
        present = cursor.fetchone()[0]
    if present != size:
        print(f"  generating {size:,} activities (seed {SEED})…", flush=True)
        manage(env, "generate_demo_data", "--activities", str(size), "--seed", str(SEED), "--clear")
        with closing(connect(url)) as conn:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    snippet = SETUP_SNIPPET.replace("{user}", BENCH_USER).replace("{role}", BENCH_ROLE)
    setup = json.loads(manage(env, "shell", "-c", snippet).strip().splitlines()[-1])
    token = manage(env, "create_api_token", BENCH_USER).strip().splitlines()[-1].strip()
    return {"env": env, "token": token, **setup}


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str]):
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "itpp.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(port, "/healthz/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not come up")
        yield port, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # Slow requests a load run left behind; their figures are already taken.
            process.kill()
            process.wait()


# --------------------------------------------------------------------------- measuring


def request(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


class Cold:
    """A call measured cold: `clear` (not timed) runs before each one."""

    def __init__(self, call: Callable[[], object], clear: Callable[[], None]) -> None:
        self.call, self.clear = call, clear

    def __call__(self) -> object:
        self.clear()
        return self.call()


def interleaved(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median milliseconds of each call, run in turn so that noise hits all alike."""
    for call in calls.values():  # warm connections (and the caches of warm calls)
        call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            if isinstance(call, Cold):
                call.clear()
                samples[name].append(timed(call.call))
            else:
                samples[name].append(timed(call))
    return {name: statistics.median(values) for name, values in samples.items()}


def api(port: int, token: str, path: str) -> Callable[[], bytes]:
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    def call() -> bytes:
        status, body = request(port, path, headers)
        if status != 200:
            raise SystemExit(f"{path} answered {status}: {body[:300]!r}")
        return body

    return call


def page(port: int, session: str, path: str) -> Callable[[], bytes]:
    def call() -> bytes:
        status, body = request(port, path, {"Cookie": f"sessionid={session}"})
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        return body

    return call


def sql(conn, query: str, params: list | None = None) -> Callable[[], object]:
    def call() -> object:
        with conn.cursor() as cursor:
            cursor.execute(query, params or [])
            return cursor.fetchall()

    return call


# The floors: the fastest SQL found for what each request returns (bench/floors/README.md).
FLOORS = ROOT / "bench" / "floors"


# Put before a floor's SQL: the statement then runs without parallel workers (SET LOCAL
# lasts for the implicit transaction of the one query string, as in activities.rows).
SERIAL = "SET LOCAL max_parallel_workers_per_gather = 0; "


def floor(name: str) -> str:
    return (FLOORS / f"{name}.sql").read_text()


# What each shows: the progress API its five aggregates (goals, objectives, priority
# issues, totals, quarters by status); the dashboard the first four and the quarters by type.
LEVELS = ("progress_goals", "progress_objectives", "progress_issues", "progress_totals")
PROGRESS_FLOORS = (*LEVELS, "progress_quarters")
DASHBOARD_FLOORS = (*LEVELS, "dashboard_quarters")


def floors(conn, names: tuple[str, ...], programme: int) -> Callable[[], object]:
    """The named floor queries one after another, as a request would run them."""
    queries = [floor(name) for name in names]

    def call() -> object:
        with conn.cursor() as cursor:
            for query in queries:
                cursor.execute(query, {"programme": programme})
                cursor.fetchall()

    return call


class Discard:
    """A file that keeps nothing but the number of bytes written to it (for COPY)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def copy_floor(url: str) -> Callable[[], None]:
    """PostgreSQL's own export of the export's cells (bench/floors/csv.sql): the floor."""
    conn = connect(url)
    conn.autocommit = True
    query = f"COPY ({floor('csv')}) TO STDOUT WITH CSV HEADER"

    def call() -> None:
        with conn.cursor() as cursor:
            cursor.copy_expert(query, Discard())

    return call


def worker_peak_kib(master: int) -> int:
    """The highest peak resident memory (VmHWM) among the gunicorn workers."""
    peak = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master}$", text, re.M):
            match = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
            if match:
                peak = max(peak, int(match[1]))
    return peak


def measure_csv(env: dict[str, str], token: str, url: str, repeats: int) -> dict:
    """The export of everything over HTTP and the COPY floor, alternated `repeats` times
    (medians), so that the machine's load hits both alike; the workers' peak memory is
    taken over the exports, on a fresh server."""
    bodies: list[bytes] = []

    def export() -> None:
        status, body = request(port, "/api/v1/activities/?format=csv", headers)
        if status != 200:
            raise SystemExit(f"CSV export answered {status}")
        bodies[:] = [body]  # counted after the timing

    headers = {"Authorization": f"Token {token}"}
    copy = copy_floor(url)
    export_seconds, copy_seconds = [], []
    with gunicorn(env) as (port, process):
        api(port, token, "/api/v1/activities/?page_size=1")()
        before = worker_peak_kib(process.pid)
        for _ in range(repeats):
            export_seconds.append(timed(export) / 1000)
            copy_seconds.append(timed(copy) / 1000)
        peak = worker_peak_kib(process.pid)
    # Records, not lines: a description may hold line breaks.
    rows = sum(1 for _ in csv.reader(io.StringIO(bodies[0].decode()))) - 1
    seconds = statistics.median(export_seconds)
    floor_seconds = statistics.median(copy_seconds)
    return {
        "csv": {
            "rows": rows,
            "seconds": round(seconds, 2),
            "all_seconds": [round(value, 2) for value in export_seconds],
            "rows_per_second": round(rows / seconds),
            "worker_peak_mib_before": round(before / 1024, 1),
            "worker_peak_mib": round(peak / 1024, 1),
        },
        "copy": {
            "rows": rows,
            "seconds": round(floor_seconds, 2),
            "all_seconds": [round(value, 2) for value in copy_seconds],
            "rows_per_second": round(rows / floor_seconds),
        },
    }


WRK_SCRIPT = ROOT / "bench" / "percentiles.lua"


def load(port: int, token: str, programme: int, seconds: int) -> list[dict]:
    wrk = shutil.which("wrk")
    if wrk is None:
        return [{"skipped": "wrk is not installed (apt-get install wrk)"}]
    results = []
    for name, path in [
        ("activity list", f"/api/v1/activities/?{LIST_QUERY}"),
        ("progress", f"/api/v1/progress/?programme={programme}"),
    ]:
        for connections in (1, 4, 16):
            output = subprocess.run(  # noqa: S603
                [
                    wrk,
                    "--threads",
                    "1",
                    "--connections",
                    str(connections),
                    "--duration",
                    f"{seconds}s",
                    "--timeout",
                    "30s",
                    "--header",
                    f"Authorization: Token {token}",
                    "--script",
                    str(WRK_SCRIPT),
                    f"http://127.0.0.1:{port}{path}",
                ],
                capture_output=True,
                text=True,
                timeout=seconds + 60,
                check=False,
            ).stdout
            figures = json.loads(output.strip().splitlines()[-1])
            results.append({"endpoint": name, "connections": connections, **figures})
    return results


# --------------------------------------------------------------------------- main


def run_size(
    base_url: str,
    size: int,
    repeats: int,
    load_seconds: int,
    secret: str,
    csv_export: bool = True,
    warm: bool = False,
    csv_repeats: int = 3,
) -> tuple[dict, dict]:
    """The figures of one size, and its set-up (environment and token: not for the
    results file)."""
    url = database_url(base_url, size)
    print(f"\n== {size:,} activities ({url.rsplit('/', 1)[-1]})", flush=True)
    setup = prepare(url, size, secret)
    env, token, programme = setup["env"], setup["token"], setup["programme"]
    with closing(connect(url)) as count_conn, count_conn.cursor() as cursor:
        # The Viewer's rows: restricted ones and drafts are not theirs to page through.
        cursor.execute(
            "SELECT count(*) FROM activities_activity "
            "WHERE releasability <> 'restricted' AND review_state <> 'draft'"
        )
        total = cursor.fetchone()[0]
    last_page = max(1, -(-total // 100))
    deep_cursor = (
        manage(env, "shell", "-c", DEEP_CURSOR_SNIPPET.format(offset=(last_page - 1) * 100 - 1))
        .strip()
        .splitlines()[-1]
    )
    figures: dict = {"size": size}
    clear = cache_clearer(env)
    with gunicorn(env) as (port, _), closing(connect(url)) as conn:
        conn.autocommit = True
        progress_path = f"/api/v1/progress/?programme={programme}"
        dashboard_path = f"/?programme={programme}"
        print("  list and progress…", flush=True)
        medians = interleaved(
            {
                "api_list": api(port, token, f"/api/v1/activities/?{LIST_QUERY}"),
                "sql_list": sql(conn, floor("list")),
                # The same SQL without parallel workers, which on the 2-core machine can be
                # the faster plan (the API counts so); the floor is the faster of the two.
                "sql_list_serial": sql(conn, SERIAL + floor("list")),
                # Cold: the shared cache emptied first, so a progress cache cannot answer.
                "api_progress": Cold(api(port, token, progress_path), clear),
                "sql_progress": floors(conn, PROGRESS_FLOORS, programme),
                "api_first_page": api(port, token, f"/api/v1/activities/?{FIRST_PAGE_QUERY}"),
                "api_deep_page": api(
                    port,
                    token,
                    f"/api/v1/activities/?ordering=-start_date&page_size=100&page={last_page}",
                ),
                "api_cursor_first_page": api(port, token, f"/api/v1/activities/?{CURSOR_QUERY}"),
                "api_cursor_deep_page": api(
                    port, token, f"/api/v1/activities/?{CURSOR_QUERY}&cursor={deep_cursor}"
                ),
            },
            repeats,
        )
        figures["medians_ms"] = {k: round(v, 2) for k, v in medians.items()}
        figures["list_ratio"] = medians["api_list"] / min(
            medians["sql_list"], medians["sql_list_serial"]
        )
        figures["progress_ratio"] = medians["api_progress"] / medians["sql_progress"]
        figures["deep_page_ratio"] = medians["api_deep_page"] / medians["api_first_page"]
        figures["cursor_deep_page_ratio"] = (
            medians["api_cursor_deep_page"] / medians["api_cursor_first_page"]
        )
        print("  pages…", flush=True)
        pages = interleaved(
            {
                "dashboard": Cold(page(port, setup["session"], dashboard_path), clear),
                "sql_dashboard": floors(conn, DASHBOARD_FLOORS, programme),
                "activity list page": page(port, setup["session"], "/activities/"),
            },
            max(5, repeats // 3),
        )
        figures["pages_ms"] = {k: round(v, 1) for k, v in pages.items()}
        figures["dashboard_ratio"] = pages["dashboard"] / pages["sql_dashboard"]
        figures["page_queries"] = json.loads(
            manage(env, "shell", "-c", QUERY_COUNT_SNIPPET.replace("{user}", BENCH_USER))
            .strip()
            .splitlines()[-1]
        )
        print("  load…", flush=True)
        figures["load"] = load(port, token, programme, load_seconds)
    if warm:
        figures["warm_ms"] = measure_warm(env, token, setup["session"], programme, repeats)
    if not csv_export:
        return figures, setup
    print("  CSV export…", flush=True)
    figures.update(measure_csv(env, token, url, csv_repeats))
    figures["csv_copy_share"] = (
        figures["csv"]["rows_per_second"] / figures["copy"]["rows_per_second"]
    )
    return figures, setup


def measure_warm(
    env: dict[str, str], token: str, session: str, programme: int, repeats: int
) -> dict[str, float]:
    """Progress and the dashboard warm: servers of their own with the progress cache on
    (those of the ratios run without it, so that they measure cold requests), the same
    requests repeated, interleaved with a trivial API request for scale (token, throttles,
    one small row). The first call of each fills the shared cache."""
    print("  warm progress and dashboard (progress cache on)…", flush=True)
    with gunicorn({**env, "PROGRESS_CACHE_SECONDS": "600"}) as (port, _):
        medians = interleaved(
            {
                "api_progress": api(port, token, f"/api/v1/progress/?programme={programme}"),
                "dashboard": page(port, session, f"/?programme={programme}"),
                "reference": api(port, token, f"/api/v1/programmes/{programme}/"),
            },
            repeats,
        )
    return {name: round(value, 1) for name, value in medians.items()}


def scale_medians(small: dict, large: dict, repeats: int) -> dict[str, float]:
    """First pages at the smallest and the largest size, from two servers at once, calls
    interleaved: measured minutes apart, the load of the shared machine could move
    between the two and pass for a difference of size."""
    with gunicorn(small["env"]) as (small_port, _), gunicorn(large["env"]) as (large_port, _):
        medians = interleaved(
            {
                f"{name}_{which}": api(port, setup["token"], f"/api/v1/activities/?{query}")
                for name, query in (("page", FIRST_PAGE_QUERY), ("cursor", CURSOR_QUERY))
                for which, port, setup in (
                    ("small", small_port, small),
                    ("large", large_port, large),
                )
            },
            repeats,
        )
    return {name: round(value, 2) for name, value in medians.items()}


def machine() -> dict:
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    # The server's maintenance database: BENCH_DATABASE_URL may name one that does not exist
    # (make bench passes the test database's URL, which only pytest creates).
    parts = urlsplit(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    url = urlunsplit(parts._replace(path="/postgres"))
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu": model[1] if model else platform.processor(),
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": postgres,
    }


DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "—"
    return f"{value:.2f} ({'met' if value <= target else 'MISSED'}, ≤ {target})"


def at_least(value: float, target: float) -> str:
    return f"{value:.2f} ({'met' if value >= target else 'MISSED'}, ≥ {target})"


def line(label: str, value: object) -> None:
    print(f"  {label:<40}{value}")


def report(runs: list[dict], scale_ms: dict[str, float] | None) -> dict:
    summary: dict = {"targets": TARGETS, "minimums": MINIMUMS}
    for run in runs:
        print(f"\n{run['size']:,} activities")
        for key, label in [
            ("list_ratio", "activity list API ÷ SQL floor"),
            ("progress_ratio", "progress API ÷ GROUP BY"),
            ("dashboard_ratio", "dashboard ÷ its aggregates' SQL"),
            ("deep_page_ratio", "deep page ÷ first page"),
            ("cursor_deep_page_ratio", "cursor: deep page ÷ first page"),
        ]:
            line(label, verdict(run[key], TARGETS[key]))
        line("medians (ms)", run["medians_ms"])
        line("pages (ms)", run["pages_ms"])
        if "warm_ms" in run:
            line("warm (ms)", run["warm_ms"])
            warmest = max(run["warm_ms"]["api_progress"], run["warm_ms"]["dashboard"])
            line("warm progress and dashboard (ms)", verdict(warmest, WARM_MS))
        line("queries per page", run["page_queries"])
        if "csv" not in run:
            continue
        csv = run["csv"]
        line(
            "CSV export",
            f"{csv['rows']:,} rows in {csv['seconds']} s = {csv['rows_per_second']:,} rows/s, "
            f"worker peak {csv['worker_peak_mib']} MiB",
        )
        line(
            "COPY of the same",
            f"{run['copy']['rows']:,} rows in {run['copy']['seconds']} s = "
            f"{run['copy']['rows_per_second']:,} rows/s",
        )
        line(
            "CSV export ÷ COPY, rows/s", at_least(run["csv_copy_share"], MINIMUMS["csv_copy_share"])
        )
        for row in run["load"]:
            if "skipped" in row:
                line("load", row["skipped"])
                break
            line(
                f"load {row['endpoint']} c={row['connections']}",
                f"{row['requests_per_second']:.1f} req/s  p50 {row['p50_ms']:.1f}  "
                f"p95 {row['p95_ms']:.1f}  p99 {row['p99_ms']:.1f} ms  errors {row['errors']}",
            )
    if len(runs) > 1:
        small, large = runs[0], runs[-1]
        scale = scale_ms["page_large"] / scale_ms["page_small"]
        memory = (
            large["csv"]["worker_peak_mib"] / small["csv"]["worker_peak_mib"]
            if "csv" in large and "csv" in small
            else None
        )
        cursor_scale = scale_ms["cursor_large"] / scale_ms["cursor_small"]
        summary["scale_medians_ms"] = scale_ms
        summary["scale_ratio"] = scale
        summary["cursor_scale_ratio"] = cursor_scale
        summary["csv_memory_ratio"] = memory
        print()
        line(
            f"first page {large['size']:,} ÷ {small['size']:,}",
            verdict(scale, TARGETS["scale_ratio"]),
        )
        line(
            f"cursor: first page {large['size']:,} ÷ {small['size']:,}",
            verdict(cursor_scale, TARGETS["cursor_scale_ratio"]),
        )
        line("first pages side by side (ms)", scale_ms)
        line("CSV worker peak memory ratio", verdict(memory, TARGETS["csv_memory_ratio"]))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeats", type=int, default=25)
    parser.add_argument("--load-seconds", type=int, default=8)
    parser.add_argument(
        "--no-collectstatic",
        action="store_true",
        help="the static files are collected already (it takes minutes on a busy machine)",
    )
    parser.add_argument(
        "--csv-repeats",
        type=int,
        default=3,
        help="exports of everything, each followed by the COPY floor (medians)",
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="also time progress and the dashboard warm (servers with the progress cache on)",
    )
    parser.add_argument(
        "--no-csv",
        action="store_true",
        help="skip the CSV export and its COPY floor (minutes at 1,000,000 on a busy machine)",
    )
    args = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    secret = secrets.token_urlsafe(50)
    if not args.no_collectstatic:
        manage(
            django_env(database_url(base, args.sizes[0]), secret),
            "collectstatic",
            "--noinput",
            "-v",
            "0",
        )
    measured = [
        run_size(
            base,
            size,
            args.repeats,
            args.load_seconds,
            secret,
            not args.no_csv,
            args.warm,
            args.csv_repeats,
        )
        for size in sorted(args.sizes)
    ]
    runs = [figures for figures, _ in measured]
    scale_ms = None
    if len(measured) > 1:
        print("\n== first pages of the smallest and the largest size, side by side", flush=True)
        # Cheap (first pages only), so more repeats than the rest.
        scale_ms = scale_medians(measured[0][1], measured[-1][1], 3 * args.repeats)
    summary = report(runs, scale_ms)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "runs": runs,
        "summary": summary,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    for name in (f"{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(result, indent=2, default=str))
    print(f"\nWrote {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
