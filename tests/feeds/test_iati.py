"""`/api/v1/iati/`: the programme's public activities as IATI 2.03 XML, valid against the
official schema, with nothing internal or restricted in it."""

import datetime

import pytest
from lxml import etree

from activities.models import ActivityStatus, Organisation, Releasability
from tests.api.conftest import token_client
from tests.factories import ActivityFactory, ProgrammeFactory
from tests.feeds.iati_schema import activity_schema

URL = "/api/v1/iati/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(japan):
    goals = {g.order: g for g in japan.partnership_goals.all()}
    jmsdf = Organisation.objects.get(programme=japan, short_name="JMSDF")
    act = Organisation.objects.get(programme=japan, short_name="ACT")
    talks = ActivityFactory(
        programme=japan,
        organisations=[(jmsdf, "lead"), (act, "participant")],
        title="Cyber defence staff talks",
        description="Second round of talks on cyber defence.",
        status=ActivityStatus.COMPLETED,
        start_date=datetime.date(2025, 3, 4),
        end_date=datetime.date(2025, 3, 5),
        location="Tallinn, Estonia",
        goals=[goals[1], goals[2]],
        allies=["EE", "FR"],
        releasability=Releasability.PUBLIC,
    )
    planned = ActivityFactory(
        programme=japan,
        title="Maritime security seminar",
        description="",
        status=ActivityStatus.PLANNED,
        start_date=datetime.date(2026, 10, 1),
        end_date=None,
        location="online",
        goals=[goals[6]],
        releasability=Releasability.PUBLIC,
    )
    ActivityFactory(programme=japan, title="Internal planning", releasability="internal")
    ActivityFactory(
        programme=japan, title="Draft public talks", releasability="public", review_state="draft"
    )
    ActivityFactory(programme=japan, title="Secret cyber planning", releasability="restricted")
    return talks, planned


def iati(client, programme):
    response = client.get(URL, {"programme": programme.pk})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)


def test_the_export_is_valid_iati_2_03(japan, published, manager):
    document = iati(token_client(manager), japan)
    schema = activity_schema()
    assert schema.validate(document), schema.error_log
    assert document.get("version") == "2.03"


def test_only_public_activities_are_published_even_to_a_manager(japan, published, manager):
    body = etree.tostring(iati(token_client(manager), japan), encoding="unicode")
    assert "Cyber defence staff talks" in body and "Maritime security seminar" in body
    assert "Internal planning" not in body
    assert "Draft public talks" not in body
    assert "Secret cyber planning" not in body


def test_an_activity_maps_to_iati_fields(japan, published, viewer):
    talks, planned = published
    document = iati(token_client(viewer), japan)
    (done,) = document.xpath(f"iati-activity[iati-identifier[contains(., '-{talks.pk}')]]")
    assert done.findtext("title/narrative") == "Cyber defence staff talks"
    assert done.findtext("description/narrative") == "Second round of talks on cyber defence."
    assert done.find("activity-status").get("code") == "4"  # closed
    dates = {d.get("type"): d.get("iso-date") for d in done.findall("activity-date")}
    assert dates == {"2": "2025-03-04", "4": "2025-03-05"}  # actual start and end
    assert done.find("recipient-country").get("code") == "EE"
    orgs = [o.findtext("narrative") for o in done.findall("participating-org")]
    assert {"Government of Japan", "Government of Estonia", "Government of France"} <= set(orgs)
    # The organisations that took part, in both languages where they have them.
    jmsdf = done.xpath("participating-org[narrative='Japan Maritime Self-Defense Force']")[0]
    assert (jmsdf.get("role"), jmsdf.get("type")) == ("4", "10")
    assert [n.text for n in jmsdf.findall("narrative")] == [
        "Japan Maritime Self-Defense Force",
        "海上自衛隊",
    ]
    assert "Allied Command Transformation" in orgs
    assert [t.get("code") for t in done.findall("tag")] == ["PG1", "PG2"]
    assert done.find("tag").get("vocabulary") == "99"
    assert done.find("tag").get("vocabulary-uri").endswith(f"/api/v1/goals/?programme={japan.pk}")

    (future,) = document.xpath(f"iati-activity[iati-identifier[contains(., '-{planned.pk}')]]")
    assert future.find("activity-status").get("code") == "1"  # pipeline
    assert {d.get("type") for d in future.findall("activity-date")} == {"1"}  # planned start
    # No description: the title stands in (IATI requires one); "online" is no country.
    assert future.findtext("description/narrative") == "Maritime security seminar"
    assert future.find("recipient-country") is None


def test_each_programme_publishes_its_own(japan, published, viewer):
    other = ProgrammeFactory(partner="Australia", partner_code="AU")
    ActivityFactory(programme=other, title="Australian talks", releasability="public")
    document = iati(token_client(viewer), other)
    assert [a.findtext("title/narrative") for a in document] == ["Australian talks"]
    assert activity_schema().validate(document)


def test_a_programme_with_nothing_public_gets_a_clear_answer(viewer):
    # IATI's schema wants at least one activity: no empty (invalid) document.
    empty = ProgrammeFactory(partner="Australia", partner_code="AU")
    response = token_client(viewer).get(URL, {"programme": empty.pk})
    assert response.status_code == 404
    assert "no public activity" in response.json()["detail"]


def test_a_missing_or_unknown_programme_gets_a_clear_answer(japan, viewer):
    api = token_client(viewer)
    for params in ({}, {"programme": 999999}, {"programme": "x"}):
        response = api.get(URL, params)
        assert response.status_code == 400
        assert "programme" in response.json()


def test_it_needs_a_signed_in_user_with_a_role(client, japan):
    assert client.get(URL, {"programme": japan.pk}).status_code in (401, 403)
