"""Backing up and restoring the database with PostgreSQL's own tools (pg_dump, pg_restore).

A custom-format dump holds the schema and all data (activities, their history, users),
so a restore into an empty database gives back exactly what was dumped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import environ
from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

BACKUP_MODE = 0o600  # read and written by the owner only


def database_settings(database_url: str | None = None) -> dict[str, Any]:
    if database_url:
        return environ.Env.db_url_config(database_url)
    return settings.DATABASES["default"]


def _connection(database: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    if "postgresql" not in database["ENGINE"]:
        raise CommandError(
            "Backups use pg_dump and need PostgreSQL; the quick start's SQLite file can "
            "simply be copied (db.sqlite3)."
        )
    args = ["--dbname", str(database["NAME"])]
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])  # not on the command line: ps shows it
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def default_backup_path(directory: Path) -> Path:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return directory / f"itpp-{stamp}.dump"


def backup(target: Path, database_url: str | None = None) -> Path:
    args, env = _connection(database_settings(database_url))
    # A dump holds every restricted activity and every password hash: only the owner may
    # read it (0600), from the first byte written, whatever the umask.
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BACKUP_MODE))
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), *args]
    result = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, check=False, umask=0o077
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
    # Only a complete dump gets the final name, so a scheduled job never leaves a
    # truncated file that looks like a good backup.
    partial.chmod(BACKUP_MODE)
    partial.rename(target)
    return target


def restore(source: Path, database_url: str | None = None) -> None:
    if not source.is_file():
        raise CommandError(f"No backup file at {source}.")
    args, env = _connection(database_settings(database_url))
    command = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        *args,
        str(source),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
