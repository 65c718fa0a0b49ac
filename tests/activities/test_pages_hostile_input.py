"""Hostile input to the staff pages: always a clear answer (a field error or a 4xx), never a
500, and nothing half-written. Every form is covered: log, edit, delete, the filters and
restore."""

import pytest
from django.urls import reverse

from activities.models import Activity
from activities.services import delete_activity
from goals.models import PartnershipGoal
from tests.api.test_hostile_input import CONTROL
from tests.factories import ActivityFactory, edit_form_data

pytestmark = pytest.mark.django_db
HUGE_ID = "99999999999999999999"


def valid(japan) -> dict:
    return {
        "programme": japan.pk,
        "title": "Hostile input check",
        "activity_type": "training",
        "status": "planned",
        "releasability": "internal",
        "start_date": "2026-03-01",
        "goals": [PartnershipGoal.objects.filter(programme=japan).first().pk],
    }


HOSTILE_FIELDS = [
    ("title", "nul\x00byte"),
    ("location", "\x00"),
    ("description", "a\x00b"),
    ("title", "x" * 10_000),
    ("start_date", "10000-01-01"),
    ("start_date", "0000-01-01"),
    ("start_date", "2025-02-30"),
    ("end_date", "'; DROP TABLE activities_activity; --"),
    ("goals", ["999999999999999999999"]),
    ("goals", ["abc"]),
    ("allies", ["ZZ"]),
    ("participants", "-5"),
    ("participants", "1e309"),
    ("status", "<script>alert(1)</script>"),
    ("releasability", "top-secret"),
    ("releasability", "restricted"),  # not for an Editor, who could not see it afterwards
    ("version", "abc"),
    ("version", "\x00"),
    ("version", "0"),
    ("version", HUGE_ID),
]
# The create form has no version to get wrong: it ignores one.
CREATE_FIELDS = [(field, value) for field, value in HOSTILE_FIELDS if field != "version"]


def state() -> tuple:
    """What a refused request must leave as it was."""
    return (
        Activity.objects.count(),
        Activity.history.count(),
        list(Activity.objects.order_by("pk").values_list("title", "version", "releasability")),
    )


@pytest.fixture
def activity(japan):
    goal = PartnershipGoal.objects.filter(programme=japan).first()
    return ActivityFactory(programme=japan, title="Untouched", goals=[goal])


@pytest.mark.parametrize(("field", "value"), CREATE_FIELDS)
def test_hostile_form_values_get_a_field_error_and_save_nothing(
    client, editor, japan, field, value
):
    client.force_login(editor)
    response = client.post(reverse("activities:create"), {**valid(japan), field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Activity.objects.exists()


def test_injection_strings_are_stored_verbatim_and_shown_as_text(client, editor, japan):
    client.force_login(editor)
    title = "<img src=x onerror=alert(1)> Robert'); DROP TABLE students;-- ‮ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 e\u0301"
    response = client.post(reverse("activities:create"), {**valid(japan), "title": title})
    activity = Activity.objects.get()
    assert response.status_code == 302 and activity.title == title
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize(("field", "value"), HOSTILE_FIELDS)
def test_hostile_edits_get_a_field_error_and_change_nothing(client, editor, activity, field, value):
    before = state()
    client.force_login(editor)
    url = reverse("activities:update", args=[activity.pk])
    response = client.post(url, edit_form_data(activity, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert state() == before


@pytest.mark.parametrize("version", ["", "abc", "\x00", "-1", "0", "1.5", HUGE_ID, "1" * 5000])
def test_a_hostile_delete_confirmation_deletes_nothing(client, manager, activity, version):
    before = state()
    client.force_login(manager)
    response = client.post(reverse("activities:delete", args=[activity.pk]), {"version": version})
    assert response.status_code == 200
    assert "Nothing was deleted" in response.text
    assert state() == before


def test_unknown_and_read_only_fields_are_ignored_on_every_form(
    client, manager, editor, japan, activity
):
    other = ActivityFactory(programme=japan, title="Other")
    smuggled = {
        "id": other.pk,
        "pk": other.pk,
        "created_by": manager.pk,
        "updated_at": "1999-01-01T00:00:00Z",
        "is_superuser": "on",
        "history_user": manager.pk,
        "unknown\x00field": "x",
    }
    client.force_login(editor)
    response = client.post(reverse("activities:create"), {**valid(japan), **smuggled})
    assert response.status_code == 302
    logged = Activity.objects.get(title="Hostile input check")
    assert (logged.created_by, logged.version) == (editor, 1) and logged.pk != other.pk

    # On the edit page, the programme is fixed and the id comes from the URL only.
    edit = edit_form_data(activity, title="Edited", programme=987654, **smuggled)
    assert client.post(reverse("activities:update", args=[activity.pk]), edit).status_code == 302
    activity.refresh_from_db()
    other.refresh_from_db()
    assert (activity.title, activity.programme, activity.updated_by) == ("Edited", japan, editor)
    assert (other.title, other.version) == ("Other", 1)
    assert not editor.is_superuser

    client.force_login(manager)
    url = reverse("activities:delete", args=[other.pk])
    assert (
        client.post(url, {"version": other.version, **smuggled, "id": activity.pk}).status_code
        == 302
    )
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert not Activity.objects.filter(pk=other.pk).exists()


def test_control_characters_are_stored_verbatim_as_over_the_api(client, editor, japan):
    # Only NUL is refused (PostgreSQL cannot store it); other control characters inside a
    # text are kept, exactly as the API keeps them (tests/api/test_hostile_input.py).
    client.force_login(editor)
    text = f"a{CONTROL}z"
    data = {**valid(japan), "title": text, "description": text}
    assert client.post(reverse("activities:create"), data).status_code == 302
    activity = Activity.objects.get()
    assert activity.title == text and activity.description == text


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", f"/activities/{HUGE_ID}/"),
        ("get", f"/activities/{HUGE_ID}/edit/"),
        ("post", f"/activities/{HUGE_ID}/edit/"),
        ("get", f"/activities/{HUGE_ID}/delete/"),
        ("post", f"/activities/{HUGE_ID}/delete/"),
        ("post", f"/activities/deleted/{HUGE_ID}/restore/"),
        ("post", "/activities/deleted/0/restore/"),
        ("post", "/activities/deleted/987654/restore/"),
        ("get", "/activities/deleted/?page=abc"),
        ("get", "/activities/deleted/?page=-1"),
        ("get", f"/activities/deleted/?page={HUGE_ID}"),
    ],
)
def test_out_of_range_ids_and_pages_get_a_4xx(client, manager, activity, method, url):
    before = state()
    client.force_login(manager)
    response = getattr(client, method)(url, {"version": "1"} if method == "post" else {})
    assert 400 <= response.status_code < 500, url
    assert state() == before


def test_restore_ignores_its_body_and_restores_only_the_id_in_the_url(client, manager, japan):
    kept = ActivityFactory(programme=japan, title="Kept deleted")
    kept_id = kept.pk
    delete_activity(activity=kept, user=manager)
    wanted = ActivityFactory(programme=japan, title="Wanted back")
    wanted_id = wanted.pk
    delete_activity(activity=wanted, user=manager)
    client.force_login(manager)
    body = {"id": kept_id, "activity_id": kept_id, "title": "\x00" * 10, "version": HUGE_ID}
    response = client.post(reverse("activities:restore", args=[wanted_id]), body)
    assert response.status_code == 302
    assert Activity.objects.get(pk=wanted_id).title == "Wanted back"
    assert not Activity.objects.filter(pk=kept_id).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/activities/?page=abc",
        "/activities/?page=999999",
        "/activities/?status=bogus",
        "/activities/?goal=abc&start_date_after=yesterday",
        "/activities/?ordering=password",
        "/activities/export.csv?ally=..%2F..",
        "/activities/?releasability=top-secret&releasability=%00",
        "/activities/?releasability=restricted",
        "/activities/export.csv?releasability=%00",
        "/activities/?search=%00",
        "/activities/?search=" + "x" * 10_000,
        "/activities/?search=%27%3B%20DROP%20TABLE%20activities_activity%3B--",
        f"/activities/?goal={HUGE_ID}&priority_issue=-1&objective=%00",
        "/activities/?start_date_after=99999-01-01&start_date_before=0000-00-00",
        "/activities/?updated_after=%00&ally=%01&status=%7F",
        "/activities/?ordering=-id%00&page=-1",
        "/activities/?unknown=1&csrfmiddlewaretoken=x",
        "/?programme=abc",
        "/?programme=999999999999999999999",
        "/goals/?programme=%00",
        "/activities/new/?from=abc",
        "/activities/new/?programme=-1",
        "/reports/1/?year=99999999999999999999",
    ],
)
def test_bad_query_parameters_get_a_clear_answer(client, editor, japan, url):
    client.force_login(editor)
    assert client.get(url).status_code < 500, url
