"""Hostile input to the staff pages: always a clear answer (a field error or a 4xx), never a
500, and nothing half-written."""

import pytest
from django.urls import reverse

from activities.models import Activity
from goals.models import PartnershipGoal

pytestmark = pytest.mark.django_db


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
]


@pytest.mark.parametrize(("field", "value"), HOSTILE_FIELDS)
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


@pytest.mark.parametrize(
    "url",
    [
        "/activities/?page=abc",
        "/activities/?page=999999",
        "/activities/?status=bogus",
        "/activities/?goal=abc&start_date_after=yesterday",
        "/activities/?ordering=password",
        "/activities/export.csv?ally=..%2F..",
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
