"""The admin, walked as a staff Viewer and a staff Editor, never shows a restricted
activity: not now restricted, not restricted in its past, not deleted while restricted.

Every registered ModelAdmin is walked from the admin site's registry, so a new admin page
cannot be forgotten: index and app pages, changelists (with search, every list filter and
date drill-down they offer), add forms, the change, delete and history pages of every
object (and each historical version's page), and every autocomplete endpoint.
"""

import contextlib
import datetime
from collections.abc import Iterator

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from activities.models import Activity
from activities.services import create_activity, delete_activity, update_activity
from goals.models import PartnershipGoal, StrategicObjective
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRETS = [
    "Zebra-Seven covert consultation",  # restricted now
    "Nobody without clearance reads this",  # its description
    "Okapi-Nine former codename",  # restricted once, internal now under another title
    "Quagga-Three deleted briefing",  # deleted while restricted
]


@pytest.fixture
def secrets(japan, manager):
    goal = PartnershipGoal.objects.get(programme=japan, order=1)
    objective = StrategicObjective.objects.filter(programme=japan).first()
    links = {"goals": [goal], "objectives": [objective]}
    visible = ActivityFactory(
        programme=japan, title="Routine staff talks", start_date=datetime.date(2024, 3, 1), **links
    )
    ActivityFactory(
        programme=japan,
        title=SECRETS[0],
        description=SECRETS[1] + ".",
        releasability="restricted",
        start_date=datetime.date(2023, 6, 1),
        **links,
    )
    common = {"activity_type": "visit", "start_date": datetime.date(2025, 2, 1), **links}
    former = create_activity(
        user=manager, data={"title": SECRETS[2], "releasability": "restricted", **common}
    )
    update_activity(
        activity=former,
        user=manager,
        data={"title": "Published visit", "releasability": "internal"},
    )
    gone = create_activity(
        user=manager, data={"title": SECRETS[3], "releasability": "restricted", **common}
    )
    delete_activity(activity=gone, user=manager)
    return visible


def admin_urls(client: Client) -> Iterator[str]:
    """Every admin page the registry gives, for every object and historical version."""
    yield reverse("admin:index")
    app_labels = {model._meta.app_label for model in admin.site._registry}
    for app_label in sorted(app_labels):
        yield reverse("admin:app_list", args=[app_label])
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        changelist = reverse(f"{prefix}_changelist")
        yield changelist
        for term in ("Zebra", "Nobody", "Okapi", "Quagga", "2023"):
            yield f"{changelist}?q={term}"
        yield from filter_urls(client, changelist)
        for suffix in ("add", "import", "export"):
            with contextlib.suppress(NoReverseMatch):  # import/export: activities only
                yield reverse(f"{prefix}_{suffix}")
        # Every object there is, including those the user may not see (by id).
        for obj in model._default_manager.all():
            for suffix in ("change", "delete", "history"):
                yield reverse(f"{prefix}_{suffix}", args=[obj.pk])
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "model"):
            for record in history.model.objects.all():
                object_id = getattr(record, opts.pk.attname)
                yield reverse(f"{prefix}_simple_history", args=[object_id, record.history_id])
        for field_name in model_admin.autocomplete_fields:
            for term in ("", "Zebra", "a"):
                yield (
                    f"{reverse('admin:autocomplete')}?app_label={opts.app_label}"
                    f"&model_name={opts.model_name}&field_name={field_name}&term={term}"
                )


def filter_urls(client: Client, changelist: str) -> Iterator[str]:
    """The query of every choice every list filter and date drill-down offers the user."""
    response = client.get(changelist)
    if response.status_code != 200 or response.context is None:
        return
    cl = response.context["cl"]
    for spec in cl.filter_specs:
        for choice in spec.choices(cl):
            yield changelist + choice["query_string"]
    for year in ("2023", "2024", "2025"):
        yield f"{changelist}?start_date__year={year}"
        yield f"{changelist}?year={year}"


def page_text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("role", ["Viewers", "Editors"])
def test_no_admin_page_reveals_a_restricted_activity_to_staff(client, role, secrets, japan):
    user = UserFactory(username=f"staff-{role.lower()}", is_staff=True, roles=[role])
    client.force_login(user)
    walked = 0
    seen_visible = False
    for url in sorted(set(admin_urls(client))):
        response = client.get(url)
        assert response.status_code < 500, url
        text = page_text(response)
        for secret in SECRETS:
            assert secret not in text, f"{url} revealed “{secret}” to a staff {role} user"
        seen_visible = seen_visible or secrets.title in text
        walked += 1
    assert walked > 150  # the walk really covers the admin
    assert seen_visible  # and really shows what the user may see


def test_a_staff_manager_sees_them_in_the_admin(client, secrets):
    client.force_login(UserFactory(is_staff=True, roles=["Programme managers"]))
    changelist = client.get(reverse("admin:activities_activity_changelist"))
    assert SECRETS[0] in changelist.content.decode()
    deleted = client.get(reverse("admin:activities_deletedactivity_changelist"))
    assert SECRETS[3] in deleted.content.decode()
    restricted = Activity.objects.get(title=SECRETS[0])
    history = client.get(reverse("admin:activities_activity_history", args=[restricted.pk]))
    assert history.status_code == 200
