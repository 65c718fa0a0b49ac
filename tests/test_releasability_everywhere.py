"""A user without `view_restricted_activity` never learns a restricted activity exists: every
page and endpoint of the URLconf is walked, so a new page cannot be forgotten."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from tests.factories import ActivityFactory, running_programme

pytestmark = pytest.mark.django_db

SECRET = "Zebra-Seven covert consultation"
SKIPPED_PREFIXES = ("admin/", "accounts/logout", "static/")


def routes(resolver=None, prefix: str = ""):
    """(route with converters) for every path() in the URLconf."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if isinstance(entry.pattern, RoutePattern):
                yield from routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
            yield prefix + str(entry.pattern), entry.pattern.converters


def urls_for(values: dict[str, int]) -> list[str]:
    found = []
    for route, converters in routes():
        if route.startswith(SKIPPED_PREFIXES):
            continue
        url = route
        for name, converter in converters.items():
            kind = type(converter).__name__.replace("Converter", "").lower()
            placeholder = f"<{kind}:{name}>" if f"<{kind}:{name}>" in url else f"<{name}>"
            url = url.replace(placeholder, str(values.get(name, values["pk"])))
        found.append("/" + url)
    return sorted(set(found))


@pytest.fixture
def secret(db):
    # Planned and coming up (so it would show in every "upcoming" list), in a programme whose
    # years hold today: the seeded 2023–2026 one cannot hold a future date for ever.
    programme = running_programme(goals=1)
    goal = programme.partnership_goals.get(order=1)
    ActivityFactory(programme=programme, title="Routine staff talks", goals=[goal])
    return ActivityFactory(
        programme=programme,
        title=SECRET,
        goals=[goal],
        releasability="restricted",
        status="planned",
        start_date=timezone.localdate() + datetime.timedelta(days=10),
    )


def test_no_page_or_endpoint_reveals_a_restricted_activity_to_an_editor(
    client, editor, japan, secret
):
    client.force_login(editor)
    walk_finds_no_secret(client, secret)
    for url in [
        f"/activities/{secret.pk}/",
        f"/activities/{secret.pk}/edit/",
        f"/api/v1/activities/{secret.pk}/",
    ]:
        assert client.get(url).status_code == 404, url


def test_no_page_or_endpoint_reveals_a_restricted_activity_to_a_viewer(
    client, viewer, japan, secret
):
    client.force_login(viewer)
    walk_finds_no_secret(client, secret)
    for url in [f"/activities/{secret.pk}/", f"/api/v1/activities/{secret.pk}/"]:
        assert client.get(url).status_code == 404, url


def walk_finds_no_secret(client, secret) -> None:
    """Every URL of the URLconf, plain and with filters pointing at the secret."""
    values = {"pk": secret.pk, "programme_id": secret.programme_id, "activity_id": secret.pk}
    urls = urls_for(values)
    assert len(urls) > 15  # the walk really covers the site
    for url in urls:
        for query in (
            "",
            f"?search=Zebra&goal={secret.goals.first().pk}&year={secret.start_date.year}"
            f"&from={secret.pk}&programme={secret.programme_id}",
        ):
            response = client.get(url + query)
            assert response.status_code < 500, url
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert SECRET.encode() not in body, f"{url}{query} revealed the restricted activity"


def test_a_programme_manager_sees_it(client, manager, japan, secret):
    client.force_login(manager)
    for url in [
        "/",
        "/activities/",
        f"/activities/{secret.pk}/",
        f"/api/v1/activities/{secret.pk}/",
    ]:
        response = client.get(url)
        assert SECRET in response.content.decode(), url
