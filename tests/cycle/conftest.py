"""Fixtures of the programme cycle's tests: a programme whose years hold today (the
follow-ups and the attention lists are about dates relative to today), and mail."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.factories import running_programme


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    """The API's throttles count in the shared cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def programme(db):
    return running_programme(goals=3)


@pytest.fixture
def mail(settings, mailoutbox):
    """Mail configured (DJANGO_EMAIL_URL), delivered to Django's locmem outbox."""
    settings.EMAIL_CONFIGURED = True
    settings.SITE_URL = "https://itpp.example.org"
    return mailoutbox


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)
