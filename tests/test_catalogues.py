"""The interface's catalogues (issue 15): French and Japanese are complete, compiled by
`make install` (the tests run after it), up to date with the code, and what the pages show.

Checked with GNU gettext's own tools (installed by scripts/ensure-system-packages), so that a
string added to a page or a message without its translations fails here, not in front of a
Japanese reader."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = ["fr", "ja"]


def tool(name: str) -> str:
    """A GNU gettext program (Debian's `gettext`, which `make install` ensures)."""
    path = shutil.which(name)
    assert path, f"{name} is missing: scripts/ensure-system-packages installs gettext"
    return path


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def entries(path: Path, *flags: str) -> list[str]:
    """The msgids that `msgattrib <flags>` keeps (the header's empty msgid left out)."""
    out = subprocess.run(
        [tool("msgattrib"), *flags, str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [m for m in re.findall(r'^msgid "(.*)"$', out, re.M) if m]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    path = catalogue(language)
    assert entries(path, "--untranslated", "--no-obsolete") == []
    assert entries(path, "--only-fuzzy", "--no-obsolete") == []
    # msgfmt's checks: placeholders and plural forms agree with the English.
    subprocess.run([tool("msgfmt"), "--check", "-o", "/dev/null", str(path)], check=True)


def test_the_catalogues_hold_every_string_the_code_marks(tmp_path):
    """makemessages over a copy of the code finds no string the catalogues lack."""
    source = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(
        source,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "staticfiles",
            "node_modules",
            "media",
            "backups",
            "tests",
            "bench",
            "__pycache__",
            "*.mo",
            "*.sqlite3",
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "fr",
            "--verbosity",
            "0",
            "--ignore",
            ".venv/*",
            "--ignore",
            "staticfiles/*",
        ],
        cwd=copy,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SECRET_KEY": "catalogue-check",
            "DJANGO_SETTINGS_MODULE": "itpp.settings",
        },
    )
    fresh = catalogue("fr").relative_to(source)
    # msgcmp: every msgid of the fresh extraction must be in our catalogue.
    result = subprocess.run(
        [tool("msgcmp"), "--use-untranslated", str(catalogue("fr")), str(copy / fresh)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_the_one_django_reads(language):
    with translation.override(language):
        assert gettext("Partnership Goals") != "Partnership Goals"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en-gb", *TRANSLATED])
def test_a_page_in_each_language(client, viewer, japan, language):
    client.force_login(viewer)
    response = client.get("/", headers={"accept-language": language})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in page
    with translation.override(language):
        words = [gettext(w) for w in ("Dashboard", "Activities", "Partnership Goals")]
    for word in words:
        assert word in page
    if language != "en-gb":
        assert "Partnership Goals" not in words
        assert "Sign out" not in page and gettext("Sign out") in page
