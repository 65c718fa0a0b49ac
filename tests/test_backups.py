"""A backup restored into a fresh database gives back everything: activities, their links
and their history."""

import os
import stat

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from goals.models import PartnershipGoal
from itpp.history import history_batch
from tests.factories import ActivityFactory

TABLES = [
    "goals_programme",
    "goals_partnershipgoal",
    "activities_activity",
    "activities_activity_goals",
    "activities_activity_allies",
    "activities_historicalactivity",
    "activities_historicalactivity_goals",
    "auth_group_permissions",
]


def table_rows(dsn: dict, table: str) -> list[tuple]:
    with psycopg2.connect(**dsn) as conn, conn.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608  (fixed table names)
        return cursor.fetchall()


@pytest.fixture
def scratch_database():
    """An empty database beside the test database, dropped afterwards."""
    params = connection.get_connection_params()
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = {k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}

    def run(*statements: str) -> None:
        conn = psycopg2.connect(dbname="postgres", **admin)
        conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        conn.close()

    run(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    yield {"dbname": name, **admin}
    run(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_restores_into_a_fresh_database_unchanged(tmp_path, japan, scratch_database):
    goals = list(PartnershipGoal.objects.filter(programme=japan)[:2])
    with history_batch("system"):
        activity = ActivityFactory(programme=japan, goals=goals, allies=["FR", "US"])
        activity.title = "Renamed after creation"
        activity.save()
    assert activity.history.count() >= 2

    dump = tmp_path / "itpp.dump"
    call_command("backup_database", file=dump)
    assert dump.stat().st_size > 0

    params = connection.get_connection_params()
    source = {"dbname": connection.settings_dict["NAME"]} | {
        k: v for k, v in params.items() if k in {"host", "port", "user", "password"}
    }
    target = scratch_database
    url = "postgres://{user}@{host}:{port}/{dbname}".format(
        user=target.get("user", "postgres"),
        host=target.get("host", "127.0.0.1"),
        port=target.get("port", 5432),
        dbname=target["dbname"],
    )
    call_command("restore_database", str(dump), database_url=url, noinput=True)

    for table in TABLES:
        rows = table_rows(source, table)
        assert rows, f"{table} is empty: the comparison would prove nothing"
        assert table_rows(target, table) == rows, table


@pytest.mark.django_db
def test_restore_refuses_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore_database", str(tmp_path / "nope.dump"), noinput=True)


@pytest.mark.django_db
def test_a_backup_is_readable_by_its_owner_only(tmp_path):
    old_umask = os.umask(0o022)  # the usual one, which would make files world-readable
    try:
        dump = tmp_path / "backups" / "itpp.dump"
        call_command("backup_database", file=dump)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert stat.S_IMODE(dump.parent.stat().st_mode) == 0o700  # a directory it made
