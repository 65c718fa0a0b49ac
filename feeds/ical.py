"""The iCalendar document of a set of activities (RFC 5545), made with `icalendar`."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from icalendar import Calendar, Event

from activities.models import Activity, ActivityStatus, Releasability

PRODID = "-//ITPP Tracker//Activity calendar//EN"
CALENDAR_NAME = "ITPP activities (planned and ongoing)"
FEED_STATUSES = (ActivityStatus.PLANNED, ActivityStatus.ONGOING)
# Calendar applications that honour it poll hourly; the feed is cheap to make.
REFRESH_INTERVAL = datetime.timedelta(hours=1)
# RFC 5545's access classification: calendar applications that share a calendar with
# others show a PRIVATE or CONFIDENTIAL event's time but not its details.
EVENT_CLASS = {
    Releasability.PUBLIC: "PUBLIC",
    Releasability.INTERNAL: "PRIVATE",
    Releasability.RESTRICTED: "CONFIDENTIAL",
}


def feed_activities(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """The planned and ongoing ones (never a draft), with what an event shows, in a fixed
    number of queries."""
    return (
        activities.without_drafts()
        .filter(status__in=FEED_STATUSES)
        .prefetch_related("goals", "allies")
        .order_by("start_date", "id")
    )


def event_uid(activity: Activity) -> str:
    # Stable across edits, so a calendar updates the event rather than adding another.
    return f"activity-{activity.pk}@itpp-tracker"


def event_description(activity: Activity, url: str) -> str:
    lines = [
        f"Type: {activity.get_activity_type_display()}",
        f"Status: {activity.get_status_display()}",
        f"Releasability: {activity.get_releasability_display()}",
    ]
    if activity.lead_organisation:
        lines.append(f"Lead: {activity.lead_organisation}")
    goals = list(activity.goals.all())
    if goals:
        lines.append("Partnership Goals:")
        lines.extend(f"- {goal}" for goal in goals)
    allies = list(activity.allies.all())
    if allies:
        lines.append("Allies: " + ", ".join(ally.name for ally in allies))
    lines.append(f"Details: {url}")
    return "\n".join(lines)


def activity_event(activity: Activity, url: str) -> Event:
    """An all-day event: activities have dates, not times; DTEND is exclusive."""
    event = Event()
    event.add("uid", event_uid(activity))
    event.add("summary", activity.title)
    event.add("dtstart", activity.start_date)
    event.add("dtend", (activity.end_date or activity.start_date) + datetime.timedelta(days=1))
    if activity.location:
        event.add("location", activity.location)
    event.add("description", event_description(activity, url))
    event.add("url", url)
    event.add("dtstamp", activity.updated_at)
    event.add("last-modified", activity.updated_at)
    # Goes up at every save, so clients know which copy of the event is newer.
    event.add("sequence", activity.version)
    event.add("class", EVENT_CLASS[activity.releasability])
    event.add("transp", "TRANSPARENT")  # informative: does not block the reader's time
    return event


def activity_calendar(activities: Iterable[Activity], url_for: Callable[[Activity], str]) -> bytes:
    """The VCALENDAR with one VEVENT per activity; `url_for` gives each one's page."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # Outlook's name for the same
    for activity in activities:
        calendar.add_component(activity_event(activity, url_for(activity)))
    return calendar.to_ical()
