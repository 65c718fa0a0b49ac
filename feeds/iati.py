"""The programme's public activities in the IATI Activity Standard, version 2.03.

IATI (the International Aid Transparency Initiative) is how development and cooperation
programmes publish what they do; its XML lets aggregators (d-portal, the IATI Datastore)
read the programme's public diplomacy in one format. Only `public` activities are
published, and drafts never. How our fields map to IATI's is documented in docs/api.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from activities.models import Activity, ActivityStatus, Ally, OrganisationKind, Releasability
from goals.models import Programme

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# IATI ActivityStatus codelist: 1 Pipeline/identification, 2 Implementation,
# 3 Finalisation, 4 Closed, 5 Cancelled, 6 Suspended. A postponed activity has not begun:
# it is back in the pipeline.
STATUS_CODES = {
    ActivityStatus.PLANNED: "1",
    ActivityStatus.ONGOING: "2",
    ActivityStatus.COMPLETED: "4",
    ActivityStatus.CANCELLED: "5",
    ActivityStatus.POSTPONED: "1",
}
# IATI ActivityDateType: 1 planned start, 2 actual start, 3 planned end, 4 actual end.
STARTED = {ActivityStatus.ONGOING, ActivityStatus.COMPLETED}
ENDED = {ActivityStatus.COMPLETED}
# IATI OrganisationRole: 2 Accountable, 4 Implementing; OrganisationType: 10 Government,
# 40 Multilateral.
ACCOUNTABLE, IMPLEMENTING = "2", "4"
GOVERNMENT, MULTILATERAL = "10", "40"
# IATI OrganisationType of each kind of organisation (80 Academic, Training and Research;
# 90 Other): ministries and armed forces are their government's; NATO's bodies, agencies and
# centres of excellence are multilateral.
ORGANISATION_TYPES = {
    OrganisationKind.MINISTRY: GOVERNMENT,
    OrganisationKind.ARMED_FORCES: GOVERNMENT,
    OrganisationKind.NATO_BODY: MULTILATERAL,
    OrganisationKind.CENTRE_OF_EXCELLENCE: MULTILATERAL,
    OrganisationKind.AGENCY: MULTILATERAL,
    OrganisationKind.OTHER: "90",
}
# IATI TagVocabulary 99: the reporting organisation's own (the programme's goals).
OWN_VOCABULARY = "99"


def published(programme: Programme) -> QuerySet[Activity]:
    """What the programme publishes: its public activities, never drafts."""
    return (
        Activity.objects.filter(programme=programme, releasability=Releasability.PUBLIC)
        .without_drafts()
        .prefetch_related("goals", "allies", "participations__organisation")
        .order_by("start_date", "id")
    )


def _narratives(parent: ET.Element, texts: Iterable[tuple[str, str]]) -> None:
    for lang, text in texts:
        if text:
            narrative = ET.SubElement(parent, "narrative")
            if lang != "en":
                narrative.set(XML_LANG, lang)
            narrative.text = text


def _bilingual(activity: Activity, field: str) -> list[tuple[str, str]]:
    # Japanese beside English where the record has it (bilingual records, issue #15).
    return [("en", getattr(activity, field)), ("ja", getattr(activity, f"{field}_ja"))]


def _country_codes(programme: Programme) -> dict[str, str]:
    names = {name.casefold(): code for code, name in Ally.objects.values_list("code", "name")}
    if programme.partner_code:
        names[programme.partner.casefold()] = programme.partner_code
    return names


def recipient_country(location: str, countries: dict[str, str]) -> str | None:
    """The country of a location written "Place, Country" (or just "Country"), when the
    country is an Ally or the partner; None otherwise (e.g. "online")."""
    country = location.rsplit(",", 1)[-1].strip().casefold()
    return countries.get(country)


def _dates(activity: Activity) -> list[tuple[str, datetime.date]]:
    start_type = "2" if activity.status in STARTED else "1"
    end = activity.end_date or activity.start_date
    end_type = "4" if activity.status in ENDED else "3"
    dates = [(start_type, activity.start_date)]
    if activity.end_date or activity.status in ENDED:
        dates.append((end_type, end))
    return dates


def _activity(
    parent: ET.Element,
    activity: Activity,
    programme: Programme,
    countries: dict[str, str],
    goals_uri: str,
) -> None:
    org_ref = settings.IATI_REPORTING_ORG_REF
    element = ET.SubElement(
        parent,
        "iati-activity",
        {
            "last-updated-datetime": timezone.localtime(activity.updated_at).isoformat(
                timespec="seconds"
            ),
            XML_LANG: "en",
        },
    )
    ET.SubElement(element, "iati-identifier").text = f"{org_ref}-ITPP-{activity.pk}"
    reporting = ET.SubElement(element, "reporting-org", {"ref": org_ref, "type": MULTILATERAL})
    _narratives(reporting, [("en", settings.IATI_REPORTING_ORG_NAME)])
    _narratives(ET.SubElement(element, "title"), _bilingual(activity, "title"))
    description = ET.SubElement(element, "description", {"type": "1"})
    texts = _bilingual(activity, "description")
    # IATI requires a description; the title stands in for a record without one.
    _narratives(
        description, texts if any(text for _, text in texts) else _bilingual(activity, "title")
    )
    accountable = ET.SubElement(
        element, "participating-org", {"ref": org_ref, "role": ACCOUNTABLE, "type": MULTILATERAL}
    )
    _narratives(accountable, [("en", settings.IATI_REPORTING_ORG_NAME)])
    partner = ET.SubElement(
        element, "participating-org", {"role": IMPLEMENTING, "type": GOVERNMENT}
    )
    _narratives(partner, [("en", f"Government of {programme.partner}")])
    # The bodies that took part, each in the role IATI has for doing the work.
    participations = sorted(activity.participations.all(), key=lambda p: p.organisation.name)
    for participation in participations:
        organisation = participation.organisation
        org = ET.SubElement(
            element,
            "participating-org",
            {"role": IMPLEMENTING, "type": ORGANISATION_TYPES[organisation.kind]},
        )
        _narratives(org, [("en", organisation.name), ("ja", organisation.name_ja)])
    for ally in activity.allies.all():
        org = ET.SubElement(
            element, "participating-org", {"role": IMPLEMENTING, "type": GOVERNMENT}
        )
        _narratives(org, [("en", f"Government of {ally.name}")])
    ET.SubElement(element, "activity-status", {"code": STATUS_CODES[activity.status]})
    for date_type, day in _dates(activity):
        ET.SubElement(element, "activity-date", {"type": date_type, "iso-date": day.isoformat()})
    country = recipient_country(activity.location, countries)
    if country:
        ET.SubElement(element, "recipient-country", {"code": country})
    for goal in sorted(activity.goals.all(), key=lambda g: g.order):
        tag = ET.SubElement(
            element,
            "tag",
            {
                "vocabulary": OWN_VOCABULARY,
                "vocabulary-uri": goals_uri,
                "code": f"PG{goal.order}",
            },
        )
        _narratives(tag, [("en", goal.title), ("ja", goal.title_ja)])


def iati_activities(
    programme: Programme, *, goals_uri: str, now: datetime.datetime | None = None
) -> bytes | None:
    """The programme's published activities as an `iati-activities` document (UTF-8), or
    None when it has none (IATI's schema wants at least one). `goals_uri` describes the goal
    vocabulary of the tags (the API's list of the programme's goals)."""
    root = ET.Element(
        "iati-activities",
        {
            "version": VERSION,
            "generated-datetime": (now or timezone.now()).isoformat(timespec="seconds"),
        },
    )
    countries = _country_codes(programme)
    for activity in published(programme):
        _activity(root, activity, programme, countries, goals_uri)
    if not len(root):
        return None
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
