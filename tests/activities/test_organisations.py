"""Who takes part: the managed list of organisations per programme, its seed, its rules, and
`/api/v1/organisations/` with its filters."""

import pytest
from django.core.exceptions import ValidationError

from activities.models import NATO, Organisation, OrganisationKind
from tests.api.conftest import token_client
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory

URL = "/api/v1/organisations/"

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["short_name"] or row["name"] for row in response.json()["results"]}


def test_the_japan_programme_is_seeded_with_the_bodies_it_names(japan):
    seeded = {o.short_name or o.name: o for o in japan.organisations.all()}
    assert {"MOFA", "MOD", "JS", "JGSDF", "JMSDF", "JASDF", "Mission of Japan to NATO"} <= set(
        seeded
    )
    assert {"IS", "IMS", "ACO", "ACT", "NDC", "CCDCOE", "STO", "DIANA"} <= set(seeded)
    assert seeded["JMSDF"].name_ja == "海上自衛隊"
    assert seeded["JMSDF"].kind == OrganisationKind.ARMED_FORCES
    assert seeded["ACT"].nation == NATO
    # Japanese names of NATO's bodies are not invented.
    assert seeded["ACT"].name_ja == ""
    assert japan.partner_code == "JP"


def test_a_nation_must_be_an_ally_the_partner_or_nato(japan):
    for nation in ("EE", "JP", NATO):
        OrganisationFactory.build(programme=japan, nation=nation).full_clean()
    with pytest.raises(ValidationError) as refused:
        OrganisationFactory.build(programme=japan, nation="CN").full_clean()
    assert "nation" in refused.value.message_dict
    assert "JP" in refused.value.message_dict["nation"][0]


def test_a_partners_code_is_no_nation_in_another_programme(japan):
    korea = ProgrammeFactory(partner="Republic of Korea", partner_code="KR")
    OrganisationFactory.build(programme=korea, nation="KR").full_clean()
    with pytest.raises(ValidationError) as refused:
        OrganisationFactory.build(programme=korea, nation="JP").full_clean()
    assert "nation" in refused.value.message_dict


def test_a_name_is_unique_within_a_programme_only(japan):
    with pytest.raises(ValidationError) as refused:
        OrganisationFactory.build(programme=japan, name="Joint Staff").full_clean()
    assert "name" in refused.value.message_dict
    other = ProgrammeFactory(partner="Australia", partner_code="AU")
    OrganisationFactory.build(programme=other, name="Joint Staff", nation="AU").full_clean()


def test_the_list_needs_a_signed_in_user(client):
    assert client.get(URL).status_code in (401, 403)


def test_a_viewer_lists_them_with_every_field(japan, viewer):
    response = token_client(viewer).get(URL, {"search": "JMSDF"})
    (row,) = response.json()["results"]
    jmsdf = Organisation.objects.get(short_name="JMSDF")
    assert row == {
        "id": jmsdf.pk,
        "programme": japan.pk,
        "name": "Japan Maritime Self-Defense Force",
        "name_ja": "海上自衛隊",
        "short_name": "JMSDF",
        "nation": "JP",
        "kind": "armed_forces",
    }


def test_filter_by_nation_any_of_several(japan, viewer):
    api = token_client(viewer)
    japanese = names(api.get(URL, {"nation": "JP"}))
    assert japanese == {"MOFA", "MOD", "JS", "JGSDF", "JMSDF", "JASDF", "Mission of Japan to NATO"}
    both = names(api.get(f"{URL}?nation=EE&nation=NATO"))
    assert "CCDCOE" in both and "ACT" in both and "JMSDF" not in both


def test_search_finds_english_japanese_and_short_names(japan, viewer):
    api = token_client(viewer)
    assert names(api.get(URL, {"search": "maritime"})) == {"JMSDF"}
    assert names(api.get(URL, {"search": "海上"})) == {"JMSDF"}
    assert "DIANA" in names(api.get(URL, {"search": "diana"}))
    assert names(api.get(URL, {"search": "defense force air"})) == {"JASDF"}


def test_filter_by_programme_and_kind(japan, viewer):
    other = ProgrammeFactory(partner="Australia", partner_code="AU")
    OrganisationFactory(programme=other, name="Department of Defence", nation="AU")
    api = token_client(viewer)
    assert names(api.get(URL, {"programme": other.pk})) == {"Department of Defence"}
    assert names(api.get(URL, {"programme": japan.pk, "kind": "ministry"})) == {"MOFA", "MOD"}


def test_an_unknown_nation_or_kind_gets_a_clear_answer(japan, viewer):
    response = token_client(viewer).get(URL, {"nation": "XX", "kind": "club"})
    assert response.status_code == 400
    assert set(response.json()) >= {"nation", "kind"}


def test_the_api_cannot_change_them(japan):
    api = token_client(UserFactory(roles=["Programme managers"]))
    body = {"programme": japan.pk, "name": "New", "nation": "JP", "kind": "other"}
    assert api.post(URL, body, format="json").status_code == 405
