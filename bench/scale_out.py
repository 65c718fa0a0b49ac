"""Requests per second of the activity list and the progress API with 1 and 2 web instances.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/itpp_bench_run_100000 \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/13 python bench/scale_out.py [--seconds 20]

Each instance is gunicorn as in production (gunicorn.conf.py: WEB_CONCURRENCY workers of
GUNICORN_THREADS threads) on its own loopback port, all against the one database and the one
Redis (the shared cache: throttle counters, sessions' neighbours), as two machines behind a
balancer would be. With two instances the connections are split evenly between them: one wrk
per instance, at the same time, and their requests per second added. The database must hold
the activities already (bench/run.py makes them); this adds an API token for the bench's
Viewer and nothing else. Figures go to docs/scaling.md; this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path

import psycopg2
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BENCH_USER, LIST_QUERY, ROOT, WRK_SCRIPT, django_env, free_port, manage, request

ENDPOINTS = {
    "activity list": f"/api/v1/activities/?{LIST_QUERY}",
    "progress": "/api/v1/progress/?programme={programme}",
}


@contextmanager
def instance(env: dict[str, str]):
    """One web instance: the project's gunicorn.conf.py on a free port, access log off."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "itpp.wsgi"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "/healthz/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("gunicorn did not come up")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(port: int, path: str, token: str, connections: int, seconds: int) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
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
        stdout=subprocess.PIPE,
        text=True,
    )


def load(ports: list[int], path: str, token: str, connections: int, seconds: int) -> dict:
    """`connections` split evenly over the instances, one wrk each, run together."""
    runs = [wrk(port, path, token, connections // len(ports), seconds) for port in ports]
    figures = [json.loads(run.communicate()[0].strip().splitlines()[-1]) for run in runs]
    return {
        "requests_per_second": round(sum(f["requests_per_second"] for f in figures), 1),
        "p50_ms": max(f["p50_ms"] for f in figures),
        "p99_ms": max(f["p99_ms"] for f in figures),
        "errors": sum(f["errors"] for f in figures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--connections", type=int, nargs="+", default=[4, 16])
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    url = os.environ["BENCH_DATABASE_URL"]
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    env = {**django_env(url, os.environ.get("DJANGO_SECRET_KEY", "bench-" + "x" * 50))}
    env.update(REDIS_URL=redis_url, DJANGO_LOG_LEVEL="WARNING", CELERY_TASK_ALWAYS_EAGER="true")
    token = manage(env, "create_api_token", BENCH_USER).strip().splitlines()[-1].strip()
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM activities_activity")
        activities = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM goals_programme")
        programme = cursor.fetchone()[0]
    results = []
    store = redis.Redis.from_url(redis_url)
    try:
        for count in args.instances:
            with ExitStack() as stack:
                ports = [stack.enter_context(instance(env)) for _ in range(count)]
                for name, path in ENDPOINTS.items():
                    path = path.format(programme=programme)
                    load(ports, path, token, max(count, 2), 3)  # warm every worker up
                    for connections in args.connections:
                        figures = load(ports, path, token, connections, args.seconds)
                        row = {
                            "instances": count,
                            "endpoint": name,
                            "connections": connections,
                            # The machine's load while measuring: others may share it.
                            "load_average": round(os.getloadavg()[0], 1),
                        }
                        results.append({**row, **figures})
                        print(json.dumps(results[-1]), flush=True)
    finally:
        store.flushdb()
    print(json.dumps({"activities": activities, "cpus": os.cpu_count(), "results": results}))


if __name__ == "__main__":
    main()
