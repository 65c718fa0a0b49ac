"""Who took part, over the API: `organisations` as [{"organisation": id, "role": ...}], read
and written on create, PUT and PATCH; 400 naming `organisations` for what is not allowed."""

import pytest

from activities.models import ActivityOrganisation
from tests.factories import ActivityFactory, OrganisationFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/activities/"


@pytest.fixture
def bodies(japan):
    return {o.short_name: o for o in japan.organisations.exclude(short_name="")}


def roles(activity) -> dict[str, str]:
    return dict(
        ActivityOrganisation.objects.filter(activity=activity).values_list(
            "organisation__short_name", "role"
        )
    )


def test_create_read_put_and_patch_the_participants(editor_api, valid, bodies):
    body = {
        **valid,
        "organisations": [
            {"organisation": bodies["JMSDF"].pk, "role": "lead"},
            {"organisation": bodies["ACT"].pk, "role": "participant"},
        ],
    }
    created = editor_api.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    # Ordered by the organisation's name: Allied Command Transformation, then the JMSDF.
    assert data["organisations"] == [
        {"organisation": bodies["ACT"].pk, "role": "participant"},
        {"organisation": bodies["JMSDF"].pk, "role": "lead"},
    ]
    url = f"{URL}{data['id']}/"
    assert editor_api.get(url).json()["organisations"] == data["organisations"]
    listed = editor_api.get(URL, {"search": valid["title"]}).json()["results"]
    assert listed[0]["organisations"] == data["organisations"]

    patched = editor_api.patch(
        url,
        {"organisations": [{"organisation": bodies["JMSDF"].pk, "role": "co-host"}]},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    assert roles(data["id"]) == {"JMSDF": "co-host"}

    # A PATCH without them leaves them as they are.
    editor_api.patch(url, {"location": "Brussels"}, format="json")
    assert roles(data["id"]) == {"JMSDF": "co-host"}

    full = editor_api.get(url).json()
    full["organisations"] = [{"organisation": bodies["ACO"].pk, "role": "observer"}]
    put = editor_api.put(url, full, format="json")
    assert put.status_code == 200, put.json()
    assert roles(data["id"]) == {"ACO": "observer"}

    emptied = editor_api.patch(url, {"organisations": []}, format="json")
    assert emptied.status_code == 200
    assert roles(data["id"]) == {}


@pytest.mark.parametrize(
    "participants",
    [
        "unknown",
        "other_programme",
        "bad_role",
        "duplicate",
    ],
)
def test_what_cannot_be_a_participant_is_a_400_naming_organisations(
    editor_api, valid, bodies, participants
):
    other = ProgrammeFactory(partner="Australia", partner_code="AU")
    foreign = OrganisationFactory(programme=other, nation="AU")
    jmsdf = bodies["JMSDF"].pk
    sent = {
        "unknown": [{"organisation": 999999, "role": "lead"}],
        "other_programme": [{"organisation": foreign.pk, "role": "lead"}],
        "bad_role": [{"organisation": jmsdf, "role": "boss"}],
        "duplicate": [
            {"organisation": jmsdf, "role": "lead"},
            {"organisation": jmsdf, "role": "observer"},
        ],
    }[participants]
    response = editor_api.post(URL, {**valid, "organisations": sent}, format="json")
    assert response.status_code == 400
    assert "organisations" in response.json()
    assert not ActivityOrganisation.objects.exists()

    activity = ActivityFactory(programme=bodies["JMSDF"].programme)
    response = editor_api.patch(f"{URL}{activity.pk}/", {"organisations": sent}, format="json")
    assert response.status_code == 400
    assert "organisations" in response.json()
    assert not ActivityOrganisation.objects.exists()


def test_the_history_shows_the_participants_and_their_roles(editor_api, valid, bodies):
    body = {**valid, "organisations": [{"organisation": bodies["JMSDF"].pk, "role": "lead"}]}
    activity_id = editor_api.post(URL, body, format="json").json()["id"]
    editor_api.patch(
        f"{URL}{activity_id}/",
        {"organisations": [{"organisation": bodies["JMSDF"].pk, "role": "observer"}]},
        format="json",
    )
    history = editor_api.get(f"{URL}{activity_id}/history/").json()
    entries = history["results"] if isinstance(history, dict) else history
    changed = entries[0]["changes"]["organisations"]
    assert changed == {
        "old": [{"organisation": bodies["JMSDF"].pk, "role": "lead"}],
        "new": [{"organisation": bodies["JMSDF"].pk, "role": "observer"}],
    }
