"""The admin is one more door: it reads through `visible_to()` and writes through
activities.services, like the pages and the API (issue 11, findings 2 and 4)."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from activities.models import Activity
from activities.services import create_activity, delete_activity
from goals.models import PartnershipGoal, StrategicObjective
from itpp.history import change_log
from tests.activities.test_admin import activity_form_data
from tests.api.conftest import token_client
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Zebra-Seven covert consultation"


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    # The API calls below count against the throttles, which live in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_viewer(db):
    return UserFactory(username="staffviewer", is_staff=True, roles=["Viewers"])


@pytest.fixture
def staff_editor(db):
    return UserFactory(username="staffeditor", is_staff=True, roles=["Editors"])


@pytest.fixture
def staff_manager(db):
    return UserFactory(username="staffmanager", is_staff=True, roles=["Programme managers"])


@pytest.fixture
def goal(japan) -> PartnershipGoal:
    return PartnershipGoal.objects.get(programme=japan, order=1)


@pytest.fixture
def objective(japan) -> StrategicObjective:
    return StrategicObjective.objects.filter(programme=japan).order_by("number").first()


@pytest.fixture
def internal(japan, goal, objective):
    return ActivityFactory(
        programme=japan,
        title="Routine staff talks",
        goals=[goal],
        objectives=[objective],
        start_date=datetime.date(2024, 3, 1),
        status="completed",
    )


@pytest.fixture
def secret(japan, goal, objective):
    # The only activity of 2023: that year must not be offered to those who may not see it.
    return ActivityFactory(
        programme=japan,
        title=SECRET,
        description="Nobody without clearance reads this.",
        goals=[goal],
        objectives=[objective],
        releasability="restricted",
        start_date=datetime.date(2023, 6, 1),
        status="completed",
    )


@pytest.fixture
def draft(japan, goal, objective):
    # Seen by Editors, counted for no one.
    return ActivityFactory(
        programme=japan,
        title="Draft staff talks",
        goals=[goal],
        objectives=[objective],
        start_date=datetime.date(2024, 5, 1),
        review_state="draft",
    )


def staff_users(staff_viewer, staff_editor):
    return [staff_viewer, staff_editor]


# --- Finding 2: reads -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["Viewers", "Editors"])
def test_goal_change_page_lists_only_the_activities_the_staff_user_may_see(
    client, role, goal, internal, secret
):
    client.force_login(UserFactory(is_staff=True, roles=[role]))
    response = client.get(reverse("admin:goals_partnershipgoal_change", args=[goal.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert internal.title in page
    assert SECRET not in page
    assert reverse("admin:activities_activity_change", args=[secret.pk]) not in page
    assert "1 activity</a>" in page  # the total under the list counts what is listed


def test_a_manager_sees_the_restricted_activity_under_the_goal(
    client, staff_manager, goal, internal, secret
):
    client.force_login(staff_manager)
    page = client.get(reverse("admin:goals_partnershipgoal_change", args=[goal.pk]))
    assert SECRET in page.content.decode()
    assert "2 activities</a>" in page.content.decode()


def changelist_counts(client, url_name: str) -> dict[int, int]:
    """Object id -> the activity count shown in its changelist row."""
    page = client.get(reverse(url_name)).content.decode()
    counts = {}
    for object_id, count in re.findall(r"__id__exact=(\d+)\">(\d+) activit", page):
        counts[int(object_id)] = int(count)
    return counts


@pytest.mark.parametrize("role", ["Viewers", "Editors", "Programme managers"])
def test_goal_and_objective_changelist_counts_equal_the_progress_api(
    client, role, japan, goal, objective, internal, secret, draft
):
    user = UserFactory(is_staff=True, roles=[role])
    client.force_login(user)
    progress = token_client(user).get(f"/api/v1/progress/?programme={japan.pk}").json()
    goals = changelist_counts(client, "admin:goals_partnershipgoal_changelist")
    objectives = changelist_counts(client, "admin:goals_strategicobjective_changelist")
    assert goals == {row["id"]: row["activities"]["total"] for row in progress["goals"]}
    assert objectives == {row["id"]: row["activities"]["total"] for row in progress["objectives"]}
    expected = 2 if role == "Programme managers" else 1
    assert goals[goal.pk] == objectives[objective.pk] == expected


def test_goal_changelist_sorts_by_the_count_the_user_sees(
    client, staff_editor, japan, goal, internal, secret
):
    client.force_login(staff_editor)
    url = reverse("admin:goals_partnershipgoal_changelist")
    column = client.get(url).context["cl"].list_display.index("activity_count")
    response = client.get(url, {"o": f"-{column}"})  # by the activity count, descending
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows[0] == goal
    assert rows[0].activities_total == 1


def year_choices(client) -> list[str]:
    response = client.get(reverse("admin:activities_activity_changelist"))
    year_filter = next(f for f in response.context["cl"].filter_specs if f.title == "year")
    return [choice["display"] for choice in year_filter.choices(response.context["cl"])]


def test_year_filter_offers_only_years_holding_activities_the_user_may_see(
    client, staff_editor, staff_manager, internal, secret
):
    client.force_login(staff_editor)
    assert "2023" not in year_choices(client)
    assert "2024" in year_choices(client)
    client.force_login(staff_manager)
    assert {"2023", "2024"} <= set(year_choices(client))


def test_releasability_filter_offers_restricted_only_to_those_who_may_see_it(
    client, staff_editor, staff_manager, internal
):
    url = reverse("admin:activities_activity_changelist")
    client.force_login(staff_editor)
    assert "releasability__exact=restricted" not in client.get(url).content.decode()
    client.force_login(staff_manager)
    assert "releasability__exact=restricted" in client.get(url).content.decode()


# --- Finding 4: writes ------------------------------------------------------------------


def admin_edit_data(activity: Activity, **changes) -> dict:
    goal_ids = list(activity.goals.values_list("pk", flat=True))
    data = activity_form_data(
        activity.programme,
        title=activity.title,
        activity_type=activity.activity_type,
        status=activity.status,
        releasability=activity.releasability,
        start_date=activity.start_date.isoformat(),
        end_date="",
        goals=goal_ids,
        objectives=list(activity.objectives.values_list("pk", flat=True)),
        allies=[],
        participants="",
        women_participants="",
        location=activity.location,
        version=activity.version,
    )
    data.update(changes)
    return data


def test_the_admin_change_form_carries_the_version_it_was_opened_with(
    client, staff_editor, internal
):
    client.force_login(staff_editor)
    response = client.get(reverse("admin:activities_activity_change", args=[internal.pk]))
    page = response.content.decode()
    assert re.search(r'<input type="hidden" name="version" value="1"', page)


def test_admin_save_moves_the_version_on_so_an_old_etag_gets_412(client, staff_editor, internal):
    api = token_client(staff_editor)
    etag = api.get(f"/api/v1/activities/{internal.pk}/")["ETag"]
    client.force_login(staff_editor)
    response = client.post(
        reverse("admin:activities_activity_change", args=[internal.pk]),
        admin_edit_data(internal, title="Corrected in the admin"),
    )
    assert response.status_code == 302
    internal.refresh_from_db()
    assert (internal.title, internal.version) == ("Corrected in the admin", 2)
    response = api.patch(
        f"/api/v1/activities/{internal.pk}/", {"title": "Lost?"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    internal.refresh_from_db()
    assert internal.title == "Corrected in the admin"


def test_admin_save_is_one_change_log_entry_through_the_admin_channel(
    client, staff_editor, internal
):
    client.force_login(staff_editor)
    client.post(
        reverse("admin:activities_activity_change", args=[internal.pk]),
        admin_edit_data(internal, title="Renamed", allies=["FR"]),
    )
    latest = change_log(internal.history.all())[0]
    assert latest["channel"] == "admin"
    assert latest["user"] == "staffeditor"
    assert set(latest["changes"]) == {"title", "allies"}


def test_a_stale_admin_save_is_refused_with_a_clear_message_and_keeps_the_input(
    client, staff_editor, manager, internal
):
    client.force_login(staff_editor)
    opened = admin_edit_data(internal, title="The admin's title")  # carries version 1
    api = token_client(manager)
    api.patch(f"/api/v1/activities/{internal.pk}/", {"title": "The API's title"}, format="json")
    response = client.post(reverse("admin:activities_activity_change", args=[internal.pk]), opened)
    assert response.status_code == 200
    form = response.context["adminform"].form
    message = " ".join(form.non_field_errors())
    assert "manager" in message and "since you opened it" in message
    assert "Title" in message
    page = response.content.decode()
    assert "The admin&#x27;s title" in page  # the user's input is kept
    internal.refresh_from_db()
    assert (internal.title, internal.version) == ("The API's title", 2)
    # Saving again is a conscious choice over the version now shown.
    assert form.data["version"] == 2
    again = client.post(
        reverse("admin:activities_activity_change", args=[internal.pk]),
        {**opened, "version": 2},
    )
    assert again.status_code == 302
    internal.refresh_from_db()
    assert (internal.title, internal.version) == ("The admin's title", 3)


@pytest.mark.parametrize("version", [None, "", "abc", "0", str(2**31)])
def test_an_admin_save_without_a_valid_version_is_refused(client, staff_editor, internal, version):
    client.force_login(staff_editor)
    data = admin_edit_data(internal, title="No version", version=version)
    if version is None:
        del data["version"]
    response = client.post(reverse("admin:activities_activity_change", args=[internal.pk]), data)
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.non_field_errors())
    assert "without the version" in message  # beside the form: the field itself is hidden
    internal.refresh_from_db()
    assert internal.title == "Routine staff talks"


def test_admin_add_goes_through_the_service_as_one_admin_entry(client, staff_editor, japan):
    client.force_login(staff_editor)
    response = client.post(reverse("admin:activities_activity_add"), activity_form_data(japan))
    assert response.status_code == 302
    activity = Activity.objects.get(title="Table-top exercise on cyber incident response")
    assert activity.version == 1 and activity.created_by == staff_editor
    log = change_log(activity.history.all())
    assert [(e["action"], e["channel"]) for e in log] == [("created", "admin")]
    assert set(log[0]["changes"]) >= {"title", "goals", "allies"}


def test_a_staff_editor_cannot_restrict_an_activity_in_the_admin(
    client, staff_editor, japan, internal
):
    client.force_login(staff_editor)
    response = client.post(
        reverse("admin:activities_activity_add"),
        activity_form_data(japan, releasability="restricted"),
    )
    assert "releasability" in response.context["adminform"].form.errors
    response = client.post(
        reverse("admin:activities_activity_change", args=[internal.pk]),
        admin_edit_data(internal, releasability="restricted"),
    )
    assert "releasability" in response.context["adminform"].form.errors
    assert not Activity.objects.filter(releasability="restricted").exists()


def test_a_staff_editor_cannot_change_or_delete_a_restricted_activity(client, staff_editor, secret):
    client.force_login(staff_editor)
    url = reverse("admin:activities_activity_change", args=[secret.pk])
    response = client.post(url, admin_edit_data(secret, releasability="internal"))
    assert response.status_code == 302 and response.url == reverse("admin:index")
    response = client.post(
        reverse("admin:activities_activity_changelist"),
        {"action": "delete_selected", "_selected_action": [secret.pk], "post": "yes"},
    )
    secret.refresh_from_db()
    assert (secret.title, secret.releasability, secret.version) == (SECRET, "restricted", 1)


def test_admin_delete_goes_through_the_service(client, staff_manager, internal, japan):
    other = ActivityFactory(programme=japan, title="Second one")
    client.force_login(staff_manager)
    client.post(
        reverse("admin:activities_activity_delete", args=[internal.pk]),
        {"post": "yes", "version": 1},
    )
    client.post(
        reverse("admin:activities_activity_changelist"),
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    assert not Activity.objects.filter(pk__in=[internal.pk, other.pk]).exists()
    for deleted in (internal, other):
        entry = change_log(Activity.history.filter(id=deleted.pk))[0]
        assert (entry["action"], entry["channel"], entry["user"]) == (
            "deleted",
            "admin",
            "staffmanager",
        )


def test_the_admin_delete_page_carries_the_version_and_refuses_a_stale_delete(
    client, staff_manager, manager, internal
):
    url = reverse("admin:activities_activity_delete", args=[internal.pk])
    client.force_login(staff_manager)
    assert '<input type="hidden" name="version" value="1">' in client.get(url).content.decode()
    token_client(manager).patch(
        f"/api/v1/activities/{internal.pk}/", {"title": "Meanwhile"}, format="json"
    )
    response = client.post(url, {"post": "yes", "version": 1}, follow=True)
    page = response.content.decode()
    assert "since you opened it: manager (api)" in page and "Nothing was deleted" in page
    assert '<input type="hidden" name="version" value="2">' in page  # confirm again
    assert Activity.objects.filter(pk=internal.pk).exists()
    response = client.post(url, {"post": "yes"}, follow=True)
    assert "without the version" in response.content.decode()
    assert Activity.objects.filter(pk=internal.pk).exists()
    client.post(url, {"post": "yes", "version": 2})
    assert not Activity.objects.filter(pk=internal.pk).exists()


def test_a_stale_revert_from_the_admin_history_is_refused(client, staff_editor, manager, internal):
    first = internal.history.earliest("history_date")
    client.force_login(staff_editor)
    url = reverse("admin:activities_activity_simple_history", args=[internal.pk, first.history_id])
    form = client.get(url).context["adminform"].form
    assert form["version"].value() == 1  # the current version, not the historical one
    token_client(manager).patch(
        f"/api/v1/activities/{internal.pk}/", {"title": "Meanwhile"}, format="json"
    )
    response = client.post(url, admin_edit_data(internal, version=1))
    assert response.status_code == 200
    internal.refresh_from_db()
    assert internal.title == "Meanwhile"


# --- Roles ------------------------------------------------------------------------------


def test_a_staff_viewer_cannot_revert_an_activity_from_its_history(client, staff_viewer, internal):
    first = internal.history.earliest("history_date")
    client.force_login(staff_viewer)
    url = reverse("admin:activities_activity_simple_history", args=[internal.pk, first.history_id])
    response = client.post(url, admin_edit_data(internal, title="Reverted by a viewer"))
    assert response.status_code == 403
    internal.refresh_from_db()
    assert (internal.title, internal.version) == ("Routine staff talks", 1)


def test_a_staff_viewer_cannot_revert_a_goal_from_its_history(client, staff_viewer, goal):
    from tests.factories import PartnershipGoalFactory  # noqa: F401 (goal from the seed)

    first = goal.history.earliest("history_date")
    client.force_login(staff_viewer)
    url = reverse("admin:goals_partnershipgoal_simple_history", args=[goal.pk, first.history_id])
    data = {
        "programme": goal.programme_id,
        "priority_issue": goal.priority_issue_id,
        "order": goal.order,
        "title": "Reverted by a viewer",
        "statement": goal.statement,
    }
    response = client.post(url, data)
    assert response.status_code == 403
    goal.refresh_from_db()
    assert goal.title != "Reverted by a viewer"


def test_a_staff_editor_cannot_restore_a_deleted_activity_in_the_admin(
    client, staff_editor, manager, internal
):
    activity_id, data = internal.pk, admin_edit_data(internal, version="")
    delete_activity(activity=internal, user=manager)
    version = Activity.history.filter(id=activity_id).exclude(history_type="-").latest("history_id")
    client.force_login(staff_editor)
    url = reverse(
        "admin:activities_activity_simple_history", args=[activity_id, version.history_id]
    )
    assert client.post(url, data).status_code == 403
    assert not Activity.objects.filter(pk=activity_id).exists()


def test_a_manager_restores_a_deleted_activity_in_the_admin_as_one_entry(
    client, staff_manager, manager, japan, goal
):
    activity = create_activity(
        user=manager,
        data={
            "title": "Brought back",
            "activity_type": "visit",
            "start_date": datetime.date(2024, 5, 1),
            "goals": [goal],
        },
    )
    activity_id = activity.pk
    data = admin_edit_data(activity, version="", title="Brought back, corrected")
    delete_activity(activity=activity, user=manager)
    version = Activity.history.filter(id=activity_id).exclude(history_type="-").latest("history_id")
    client.force_login(staff_manager)
    url = reverse(
        "admin:activities_activity_simple_history", args=[activity_id, version.history_id]
    )
    form = client.get(url).context["adminform"].form
    assert "version" not in form.fields  # nothing to be stale against: it is deleted
    assert client.post(url, data).status_code == 302
    restored = Activity.objects.get(pk=activity_id)
    assert restored.title == "Brought back, corrected"
    assert list(restored.goals.all()) == [goal]
    assert restored.version > version.version
    latest = change_log(Activity.history.filter(id=activity_id))[0]
    assert (latest["action"], latest["channel"], latest["user"]) == (
        "restored",
        "admin",
        "staffmanager",
    )


def test_a_staff_viewer_is_offered_no_admin_action(rf, staff_viewer, internal):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = staff_viewer
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_view_permission(request):  # else the changelist is refused
            assert not model_admin.get_actions(request), model._meta.label


def test_a_staff_viewer_cannot_close_a_stocktake_with_the_admin_action(client, staff_viewer, japan):
    from goals.models import StockTake

    stocktake = StockTake.objects.create(
        programme=japan,
        title="2025 annual review",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    client.force_login(staff_viewer)
    client.post(
        reverse("admin:goals_stocktake_changelist"),
        {"action": "close_selected", "_selected_action": [stocktake.pk]},
    )
    stocktake.refresh_from_db()
    assert not stocktake.is_closed


def test_a_staff_viewer_cannot_write_through_any_admin_form(client, rf, staff_viewer, internal):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = staff_viewer
    client.force_login(staff_viewer)
    history_before = Activity.history.count()
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
            pytest.fail(f"a staff Viewer may write {opts.label}")
        obj = model_admin.get_queryset(request).first()
        if obj is None:
            continue
        url = reverse(f"{prefix}_change", args=[obj.pk])
        assert client.post(url, {}).status_code == 403, opts.label
        record = getattr(obj, "history", None)
        if record is not None and record.exists():
            url = reverse(f"{prefix}_simple_history", args=[obj.pk, record.first().history_id])
            assert client.post(url, {}).status_code == 403, opts.label
    assert Activity.history.count() == history_before


def test_a_programme_delete_page_counts_restricted_activities_without_naming_them(
    client, japan, internal, secret
):
    from django.contrib.auth.models import Group

    # A custom role: a Programme manager's permissions, without seeing restricted ones.
    user = UserFactory(is_staff=True)
    permissions = Group.objects.get(name="Programme managers").permissions
    user.user_permissions.set(permissions.exclude(codename="view_restricted_activity"))
    client.force_login(user)
    response = client.get(reverse("admin:goals_programme_delete", args=[japan.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert internal.title in page  # what keeps it from being deleted, as far as they may know
    assert SECRET not in page
    assert "1 restricted activity" in page


def test_goal_and_objective_changelists_count_in_a_fixed_number_of_queries(
    client, staff_editor, japan, goal, objective
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff_editor)

    def queries(url_name: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(url_name)).status_code == 200
        return len(captured)

    urls = ["admin:goals_partnershipgoal_changelist", "admin:goals_strategicobjective_changelist"]
    ActivityFactory(programme=japan, goals=[goal], objectives=[objective])
    before = [queries(url) for url in urls]
    for _ in range(5):
        ActivityFactory(programme=japan, goals=[goal], objectives=[objective])
    ActivityFactory(programme=japan, goals=[goal], releasability="restricted")
    assert [queries(url) for url in urls] == before
