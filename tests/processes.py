"""Settings are read once per process, so tests of what an environment variable does run
Django in a fresh interpreter."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_django(code: str, *, drop: Iterable[str] = (), **env: str) -> subprocess.CompletedProcess:
    """Run `code` after `django.setup()` with the project's settings, in this environment
    less every `DJANGO_` variable and the names in `drop`, plus `env` (a fresh secret key
    unless `env` gives one)."""
    dropped = set(drop)
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in dropped
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            **environment,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            **env,
            "DJANGO_SETTINGS_MODULE": "itpp.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
