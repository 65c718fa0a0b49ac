"""Configuration: refuses to start without a secret, and passes Django's deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.processes import run_django

ROOT = Path(__file__).resolve().parents[1]


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_django("", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr  # one line, no traceback
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_deploy_check_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "itpp.example.org",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
