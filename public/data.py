"""What the public progress page shows: the framework, the counts of public activities per
goal, and those activities, through progress's own model (no count of its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from activities.models import Activity
from activities.querysets import visibility
from goals.models import Programme, StrategicObjective
from progress.query import build_query
from progress.querysets import Progress, programme_progress
from progress.services import VIEW_VISIBILITY


def public_visibility() -> Q:
    """Public activities, and only those an anonymous reader could know of at all: the
    progress model's "public" view (the partner's, as the stock-takes keep it) within the
    one gate's condition for a reader without permissions (which keeps out drafts, or
    whatever else the gate keeps from everyone)."""
    anonymous = visibility(AnonymousUser())
    public = VIEW_VISIBILITY["public"]
    return public if anonymous is None else public & anonymous


@dataclass
class PublicProgress:
    programme: Programme
    progress: Progress
    objectives: list[StrategicObjective]
    issues: list[dict[str, Any]]
    activities: list[Activity]


def public_progress(programme: Programme) -> PublicProgress:
    query = build_query({}, programme=programme, visible=public_visibility())
    progress = programme_progress(query)
    by_issue: dict[int, list] = {}
    for row in progress.goals:
        by_issue.setdefault(row.obj.priority_issue_id, []).append(row)
    issues = [
        {"issue": row.obj, "counts": row.counts, "goals": by_issue.get(row.obj.pk, [])}
        for row in progress.priority_issues
    ]
    # Only the public fields are read: no user, no internal note reaches the template.
    activities = list(
        query.activities.only(
            "id",
            "title",
            "title_ja",
            "activity_type",
            "status",
            "start_date",
            "end_date",
            "outcome",
            "outcome_ja",
            "programme_id",
        )
        .prefetch_related("allies")
        .order_by("-start_date", "-id")
    )
    return PublicProgress(
        programme=programme,
        progress=progress,
        objectives=list(StrategicObjective.objects.filter(programme=programme).order_by("number")),
        issues=issues,
        activities=activities,
    )
