"""Writes on the programme framework that touch several rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone

from goals.models import (
    CLOSED_MESSAGE,
    GoalAssessment,
    PartnershipGoal,
    Programme,
    StockTake,
    StockTakeStatus,
)
from goals.signals import stocktake_closing

# The views of the frozen counts: with restricted activities, without them, and of public
# activities alone (for the report shared with the partner).
SNAPSHOT_VIEWS = ("all", "unrestricted", "public")


def assessments_snapshot(stocktake: StockTake) -> list[dict[str, Any]]:
    assessments = GoalAssessment.objects.filter(stocktake=stocktake).select_related(
        "goal", "assessed_by"
    )
    return [
        {
            "goal": a.goal_id,
            "goal_title": a.goal.title,
            "rating": a.rating,
            "narrative": a.narrative,
            "next_steps": a.next_steps,
            "assessed_by": a.assessed_by.get_username() if a.assessed_by else None,
            "assessed_on": a.assessed_on.isoformat(),
        }
        for a in assessments.order_by("goal__order")
    ]


@transaction.atomic
def close_stocktake(stocktake: StockTake, *, user: User) -> StockTake:
    """Close a stock-take and freeze what it saw.

    The framework freezes the assessments; the activity counts belong to progress (which
    goals cannot import), so a receiver of `stocktake_closing` adds them, under the same
    lock and in the same transaction. They are stored three times (SNAPSHOT_VIEWS): with and
    without restricted activities, so that a reader who may not see restricted activities
    reads counts that leave them out, and of public activities alone, for the report shared
    with the partner.
    """
    locked = StockTake.objects.select_for_update().get(pk=stocktake.pk)
    if locked.status == StockTakeStatus.CLOSED:
        raise ValidationError(CLOSED_MESSAGE)
    period = {"start": locked.period_start, "end": locked.period_end}
    locked.snapshot = {
        "closed_at": timezone.now().isoformat(),
        "period": {k: v.isoformat() for k, v in period.items()},
        "assessments": assessments_snapshot(locked),
    }
    stocktake_closing.send(sender=StockTake, stocktake=locked, snapshot=locked.snapshot)
    if any(view not in locked.snapshot for view in SNAPSHOT_VIEWS):
        # Never a stock-take closed without its counts: they could not be taken later.
        raise ImproperlyConfigured("The progress app must be installed to close stock-takes.")
    locked.status = StockTakeStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = user
    locked._closing = True
    locked.save()
    return locked


def open_stocktake(
    *, programme: Programme, title: str, period_start: date, period_end: date
) -> StockTake:
    """Open a new stock-take; the caller has validated it (one open per programme)."""
    stocktake = StockTake(
        programme=programme, title=title, period_start=period_start, period_end=period_end
    )
    stocktake.save()
    return stocktake


def lock_open_stocktakes(*ids: int | None) -> None:
    """Lock the stock-takes' rows, as `close_stocktake()` does, and refuse if one is closed.

    So an assessment written while someone closes its stock-take either makes it into
    the snapshot or is refused, never lands after it.
    """
    statuses = (
        StockTake.objects.select_for_update()
        .filter(pk__in={pk for pk in ids if pk is not None})
        .order_by("pk")
        .values_list("status", flat=True)
    )
    if StockTakeStatus.CLOSED in list(statuses):
        raise ValidationError(CLOSED_MESSAGE)


def _write_assessment(assessment: GoalAssessment, user: User, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(assessment, name, value)
    assessment.assessed_by = user
    assessment.save()


@transaction.atomic
def rate_goal(
    *, stocktake: StockTake, goal: PartnershipGoal, user: User, data: dict[str, Any]
) -> GoalAssessment:
    """Write a goal's assessment in a stock-take: the one it has, changed, or a new one.

    Looked up under the lock, so two people rating the same goal at once change one
    assessment rather than making two.
    """
    lock_open_stocktakes(stocktake.pk)
    assessment = GoalAssessment.objects.filter(stocktake=stocktake, goal=goal).first()
    if assessment is None:
        assessment = GoalAssessment(stocktake=stocktake, goal=goal)
    # Whoever rates it last answers for it, so the page's "who and when" is theirs.
    _write_assessment(assessment, user, {**data, "assessed_on": timezone.localdate()})
    return assessment


@transaction.atomic
def save_assessment(
    *, assessment: GoalAssessment, user: User, data: dict[str, Any]
) -> GoalAssessment:
    """Create or change one assessment as given (the API): `data`, validated by the
    caller, may move it to another goal or stock-take; both must be open."""
    stored = GoalAssessment.objects.filter(pk=assessment.pk).values_list("stocktake", flat=True)
    target = data.get("stocktake")
    lock_open_stocktakes(
        assessment.stocktake_id, target.pk if target else None, *(stored if assessment.pk else [])
    )
    _write_assessment(assessment, user, data)
    return assessment


@transaction.atomic
def delete_assessment(assessment: GoalAssessment) -> None:
    lock_open_stocktakes(assessment.stocktake_id)
    assessment.delete()
