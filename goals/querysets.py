"""Reusable reads of the framework: the current programme, and goals' ratings.

Counts of activities are not here: they belong to `progress` (progress.querysets), which
reads both the framework and the activity log.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:  # the models import this module
    from goals.models import Programme


class ProgrammeQuerySet(models.QuerySet):
    def current(self, today: date | None = None) -> Programme | None:
        """The programme whose cycle includes today, else the latest one (None if none)."""
        year = (today or timezone.localdate()).year
        running = self.filter(start_year__lte=year, end_year__gte=year).order_by("-start_year")
        return running.first() or self.order_by("-start_year", "partner").first()

    def chosen(self, wanted: str, programmes: list[Programme]) -> Programme | None:
        """Among `programmes` (already read for a page's selector), the one that a page's
        `?programme=<id>` names; else the current one (None if there is no programme)."""
        for programme in programmes:
            if str(programme.pk) == wanted:
                return programme
        return self.current()


class StrategicObjectiveQuerySet(models.QuerySet):
    pass


class PriorityIssueQuerySet(models.QuerySet):
    pass


class PartnershipGoalQuerySet(models.QuerySet):
    pass


def _rating(row: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    return {
        "rating": row["rating"],
        "label": labels.get(row["rating"], row["rating"]),
        "stocktake": row["stocktake_id"],
        "stocktake_title": row["stocktake__title"],
        "assessed_on": row["assessed_on"],
    }


def rating_change(latest: str | None, previous: str | None) -> str | None:
    """How a goal's rating moved between two closed stock-takes, on RATING_SCALE."""
    from goals.models import RATING_SCALE

    if latest is None:
        return None
    if previous is None:
        return "new"
    rank = {rating: place for place, rating in enumerate(RATING_SCALE)}
    if rank[latest] == rank[previous]:
        return "unchanged"
    return "improved" if rank[latest] > rank[previous] else "declined"


def goal_ratings(programme: Programme) -> dict[int, dict[str, Any]]:
    """Per goal of the programme: its latest rating, the one before and how it changed,
    and the open stock-take's rating as a draft. One query, whatever the stock-takes.

    Only closed stock-takes give the latest and previous ratings (a closed one is a
    record both sides agreed; an open one may still change): the latest is from the most
    recent closed stock-take that rated the goal, the previous from the closed one
    before it that did. Goals never rated are left out.
    """
    from goals.models import GoalAssessment, Rating, StockTakeStatus

    labels = dict(Rating.choices)
    rows = (
        GoalAssessment.objects.filter(stocktake__programme=programme)
        .values(
            "goal_id",
            "rating",
            "assessed_on",
            "stocktake_id",
            "stocktake__title",
            "stocktake__status",
        )
        .order_by("stocktake__period_end", "stocktake__closed_at", "stocktake_id")
    )
    closed: dict[int, list[dict[str, Any]]] = {}
    drafts: dict[int, dict[str, Any]] = {}
    for row in rows:
        if row["stocktake__status"] == StockTakeStatus.CLOSED:
            closed.setdefault(row["goal_id"], []).append(_rating(row, labels))
        else:
            drafts[row["goal_id"]] = _rating(row, labels)
    ratings = {}
    for goal_id in closed.keys() | drafts.keys():
        history = closed.get(goal_id, [])
        latest = history[-1] if history else None
        previous = history[-2] if len(history) > 1 else None
        ratings[goal_id] = {
            "latest_rating": latest,
            "previous_rating": previous,
            "rating_change": rating_change(
                latest and latest["rating"], previous and previous["rating"]
            ),
            "draft_rating": drafts.get(goal_id),
        }
    return ratings


NO_RATINGS: dict[str, Any] = {
    "latest_rating": None,
    "previous_rating": None,
    "rating_change": None,
    "draft_rating": None,
}
