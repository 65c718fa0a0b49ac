"""Shared fixtures. The data migrations load the NATO–Japan framework, the Allies and the
role groups into the test database, so tests can use them as they are."""

import contextlib
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from goals.models import Programme
from tests.factories import UserFactory


def pytest_configure(config: pytest.Config) -> None:
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        pytest.exit(
            "Static files are not collected: run `make test`, or "
            "`DJANGO_DEBUG=false python manage.py collectstatic` first.",
            returncode=2,
        )


@pytest.fixture(autouse=True, scope="session")
def _only_postgresql(django_db_setup, django_db_blocker) -> None:
    """The tests prove behaviour on PostgreSQL, the production database; never SQLite."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.exit(
                f"The tests need PostgreSQL, but DATABASE_URL points at {connection.vendor}.",
                returncode=2,
            )


@pytest.fixture
def japan(db) -> Programme:
    """The NATO–Japan ITPP 2023–2026, as loaded by the data migration."""
    return Programme.objects.get(partner="Japan", start_year=2023)


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer", roles=["Viewers"])


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", roles=["Editors"])


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", roles=["Programme managers"])


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _uploads_outside_the_repository(settings, tmp_path_factory) -> None:
    # Attachments a test stores (the API fuzzing included) go to a temporary folder.
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2's deliberate slowness costs ~0.3 s per test user; it proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_progress_cache() -> None:
    """Each test counts afresh: a new data version, so no cached count outlives the data it
    was counted from (a transactional test's flush sends no signal)."""
    from progress.cache import forget_version

    # Tests that run without the cache do not need it.
    with contextlib.suppress(Exception):
        forget_version()


@pytest.fixture(autouse=True)
def _the_default_language():
    """Each test starts in the default language. A request activates its language in the
    thread (LocaleMiddleware), and nothing resets it until the next request; without this, a
    test after a Japanese request would read Japanese messages outside a request."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
