"""gunicorn (with the project's gunicorn.conf.py) refuses an over-long request line with
its own HTML 414 before the application sees it; the schema documents that answer (and
413 for a body over the limit) on every operation, so clients and fuzzers meet no
undocumented status."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_URL = "/api/v1/schema/?format=json"
OPERATIONS = ("get", "post", "put", "patch", "delete")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn_url():
    port = free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "x" * 50),
        "DJANGO_DEBUG": "false",
    }
    # The project's own configuration file, read from the working directory.
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "itpp.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.parametrize("path", ["/api/v1/allies/", "/api/v1/goals/", "/api/v1/priority-issues/"])
def test_gunicorn_answers_an_over_long_request_line_with_an_html_414(gunicorn_url, path):
    response = requests.get(f"{gunicorn_url}{path}?search={'x' * 4200}", timeout=10)
    assert response.status_code == 414
    assert response.headers["Content-Type"].startswith("text/html")


def test_every_operation_documents_414_431_and_413(editor_api):
    schema = editor_api.get(SCHEMA_URL).json()
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in OPERATIONS
    ]
    assert len(operations) >= 15
    for path, method, operation in operations:
        responses = operation["responses"]
        for code in ("414", "431"):
            assert set(responses[code]["content"]) == {"text/html"}, (method, path, code)
        assert set(responses["413"]["content"]) == {"application/json"}, (method, path)
