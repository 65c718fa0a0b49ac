"""Clients of the API, authenticated as a consumer would be: with a token."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    """The throttles count in the cache, which outlives a test; every test starts afresh."""
    cache.clear()
    yield
    cache.clear()


def token_client(user) -> APIClient:
    _, key = AuthToken.objects.create(user=user, expiry=timedelta(days=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api_as(db) -> Callable[[str | None], APIClient]:
    """api_as("Editors") is a token client of a new user with that role; api_as(None) has
    no role; api_as("superuser") is a superuser."""

    def make(role: str | None) -> APIClient:
        if role == "superuser":
            user = UserFactory(is_superuser=True, is_staff=True)
        else:
            user = UserFactory(roles=[role] if role else None)
        return token_client(user)

    return make


@pytest.fixture
def goal(japan):
    return japan.partnership_goals.get(order=1)


@pytest.fixture
def valid(goal) -> dict:
    """A minimal valid activity, as a client would send it."""
    return {
        "title": "Cyber defence table-top exercise",
        "activity_type": "exercise",
        "start_date": "2025-03-04",
        "goals": [goal.pk],
    }


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def viewer_api(viewer) -> APIClient:
    return token_client(viewer)


@pytest.fixture
def editor_api(editor) -> APIClient:
    return token_client(editor)


@pytest.fixture
def manager_api(manager) -> APIClient:
    return token_client(manager)
