"""The public progress page: anyone reads it without signing in, and it shows public
activities only, no user, in the shared cache, rate-limited, under a strict CSP."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from goals.models import Programme
from progress import cache as progress_cache
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def logged(japan):
    author = UserFactory(username="aiko.internal", first_name="Aiko", last_name="Tanaka")
    goal = japan.partnership_goals.get(order=1)
    common = {"programme": japan, "goals": [goal], "created_by": author, "updated_by": author}
    return {
        "public": [
            ActivityFactory(
                title="Port visit in Yokosuka",
                releasability="public",
                outcome="Joint statement published.",
                allies=["FR", "DE"],
                activity_type="visit",
                **common,
            ),
            ActivityFactory(title="Public cyber conference", releasability="public", **common),
        ],
        "internal": ActivityFactory(
            title="Internal staff talks", releasability="internal", **common
        ),
        "restricted": ActivityFactory(
            title="Secret cyber planning", releasability="restricted", **common
        ),
        "goal": goal,
    }


def get(client, *args, **extra):
    return client.get(
        reverse("public:index" if not args else "public:programme", args=args), **extra
    )


def test_anyone_reads_the_public_activities_and_nothing_else(client, japan, logged):
    response = get(client)
    assert response.status_code == 200
    page = response.content.decode()
    assert str(japan) in page
    assert "Port visit in Yokosuka" in page and "Public cyber conference" in page
    assert "Joint statement published." in page and "France, Germany" in page
    assert "Visit" in page
    assert logged["goal"].title in page
    for hidden in ("Internal staff talks", "Secret cyber planning"):
        assert hidden not in page
    # No user names, no internal fields.
    for name in ("aiko.internal", "Aiko", "Tanaka", "Internal (all roles)", "Restricted"):
        assert name not in page
    assert get(client, japan.pk).content.decode() == page


@pytest.mark.parametrize("role", ["Viewers", "Editors", "Programme managers"])
def test_signed_in_readers_see_the_same_public_page(client, role, logged):
    client.force_login(UserFactory(username="someone.signed.in", roles=[role]))
    page = get(client).content.decode()
    assert "Secret cyber planning" not in page and "Internal staff talks" not in page
    assert "someone.signed.in" not in page


def test_progress_per_goal_counts_only_public_activities(client, logged):
    page = get(client).content.decode()
    assert "2 public activities: 2 completed, 0 ongoing, 0 planned." in page
    row = page.split(logged["goal"].title, 1)[1].split("</tr>", 1)[0]
    assert '<td class="text-end">2</td>' in row


def test_a_programme_with_the_page_switched_off_is_not_found(client, japan, logged):
    Programme.objects.filter(pk=japan.pk).update(public_page=False)  # history-safe
    assert get(client, japan.pk).status_code == 404
    # The seeded programme is the only one: /public/ has none to show.
    assert get(client).status_code == 404


def test_switching_the_page_off_takes_effect_while_it_is_cached(client, japan, logged):
    assert get(client, japan.pk).status_code == 200
    japan.public_page = False
    japan.save()
    assert get(client, japan.pk).status_code == 404


def test_an_unknown_programme_is_not_found(client, logged):
    assert get(client, 999999).status_code == 404


def test_the_page_is_cached_in_the_shared_cache_until_the_data_changes(
    client, japan, logged, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    first = get(client, japan.pk)
    assert first["Cache-Control"] == "public, max-age=300"
    # Kept: until the write commits, the page is not rendered again.
    ActivityFactory(programme=japan, title="Newly public exchange", releasability="public")
    assert "Newly public exchange" not in get(client, japan.pk).content.decode()
    # Its commit bumps the progress data version (as tests/progress/test_cache.py shows),
    # which the page is kept under: it shows at once, not at the end of the lifetime.
    progress_cache.bump_version()
    assert "Newly public exchange" in get(client, japan.pk).content.decode()


def test_requests_are_limited_per_client_address(japan, logged, settings):
    settings.PUBLIC_PAGE_RATE = "3/min"
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert [get(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = get(client)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "Too many requests" in refused.content.decode()
    assert get(Client(REMOTE_ADDR="203.0.113.8")).status_code == 200


def test_behind_a_proxy_the_address_comes_from_x_forwarded_for(japan, logged, settings):
    settings.PUBLIC_PAGE_RATE = "2/min"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    one = {"HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    assert [get(proxy, **one).status_code for _ in range(2)] == [200, 200]
    assert get(proxy, **one).status_code == 429
    assert get(proxy, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_the_page_has_its_own_strict_content_security_policy(client, logged):
    response = get(client)
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "form-action 'none'" in policy
    assert "frame-ancestors 'none'" in policy and "script-src" not in policy
    assert "<script" not in response.content.decode()


def test_only_reading_methods_are_allowed(client, logged):
    assert client.post(reverse("public:index")).status_code in (403, 405)


def test_the_staff_menu_links_to_the_public_page(client, viewer):
    client.force_login(viewer)
    page = client.get(reverse("activities:list")).content.decode()
    assert f'href="{reverse("public:index")}"' in page


def test_the_page_takes_a_fixed_number_of_queries_and_one_when_cached(
    client, japan, logged, django_assert_max_num_queries
):
    for number in range(20):
        ActivityFactory(
            programme=japan, title=f"Public {number}", releasability="public", allies=["IT"]
        )
    with django_assert_max_num_queries(15):  # the progress model takes seven
        assert get(client, japan.pk).status_code == 200
    # The programme and its switch, within the request's savepoint: the page is cached.
    with django_assert_max_num_queries(3):
        assert get(client, japan.pk).status_code == 200
