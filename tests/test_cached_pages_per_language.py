"""Pages and answers kept in the shared cache are kept once per interface language: a reader
never gets a page rendered in another reader's language (#15)."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from progress import cache as progress_cache
from progress.query import query_for
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_public_page_cached_in_english_is_rendered_anew_for_a_french_reader(
    client, japan, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    ActivityFactory(programme=japan, title="Port visit", releasability="public")
    url = reverse("public:programme", args=[japan.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en-gb">' in english
    assert '<html lang="fr">' in french
    # And the English page is still the one kept for English readers.
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert '<html lang="en-gb">' in again


def test_a_rendered_fragment_of_counts_is_kept_once_per_language(japan, manager):
    query = query_for({}, user=manager, programme=japan)
    keys = {}
    for language in ("en-gb", "fr", "ja"):
        with translation.override(language):
            keys[language] = progress_cache.fragment_key(query, "dashboard", "links")
    assert all(keys.values())
    assert len(set(keys.values())) == 3


def test_the_progress_api_answer_is_kept_once_per_language(client, japan, manager):
    client.force_login(manager)
    url = f"/api/v1/progress/?programme={japan.pk}"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB").status_code == 200
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="fr").status_code == 200
    version = progress_cache.data_version()
    query = query_for({"programme": str(japan.pk)}, user=manager, programme=japan)
    kept = [
        name
        for name in ("api:en-gb", "api:fr")
        if cache.get(progress_cache.entry_key(query, name, version)) is not None
    ]
    assert kept == ["api:en-gb", "api:fr"]
