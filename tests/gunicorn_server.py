"""A real gunicorn, started with the project's gunicorn.conf.py against the test database,
for the tests of what happens at the network edge and across workers."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def current_database_url() -> str:
    """The test database, for processes of their own (needs database access)."""
    params = connection.get_connection_params()
    return "postgres://{user}@{host}:{port}/{name}".format(
        user=params.get("user", "postgres"),
        host=params.get("host", "127.0.0.1"),
        port=params.get("port", 5432),
        name=connection.settings_dict["NAME"],
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(
    port: int, path: str, headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    """One request on a connection of its own, as separate clients would make them."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Connection": "close", **(headers or {})})
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


def clean_environment() -> dict[str, str]:
    """This environment less the test run's DJANGO_* and REDIS_URL, for a process of the app."""
    return {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}


@contextmanager
def gunicorn(log: Path, **env: str) -> Iterator[int]:
    """Serve the app with the project's gunicorn.conf.py on a free loopback port; yields the
    port. `env` adds to a clean environment (no DJANGO_* or REDIS_URL of the test run)."""
    port = free_port()
    environment = clean_environment()
    environment.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_SSL_REDIRECT="false",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
    )
    environment.update(env)
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "itpp.wsgi"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "/healthz/").status == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not start: " + log.read_text()
            time.sleep(0.2)
        yield port
    finally:
        stop(server)


@contextmanager
def celery_worker(log: Path, **env: str) -> Iterator[subprocess.Popen]:
    """A Celery worker of the app (`celery -A itpp worker`, one pool process), in a clean
    environment plus `env` (which must name the broker); yields the process, stopped (warm
    shutdown, then killed) on leaving if the test has not stopped it."""
    environment = {**clean_environment(), "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), **env}
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "itpp",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"test-{secrets.token_hex(4)}@%h",
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield worker
    finally:
        stop(worker)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn's and Celery's graceful stop), then SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
