"""Writes on the programme framework that touch several rows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from activities.querysets import RESTRICTED
from goals.models import CLOSED_MESSAGE, GoalAssessment, StockTake, StockTakeStatus
from goals.querysets import activity_scope, programme_progress, status_totals


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

    The counts are stored twice, with and without restricted activities, so that a
    reader who may not see restricted activities reads counts that leave them out.
    """
    locked = StockTake.objects.select_for_update().get(pk=stocktake.pk)
    if locked.status == StockTakeStatus.CLOSED:
        raise ValidationError(CLOSED_MESSAGE)
    period = {"start": locked.period_start, "end": locked.period_end}
    views = {"all": None, "unrestricted": ~Q(releasability=RESTRICTED)}
    locked.snapshot = {
        "closed_at": timezone.now().isoformat(),
        "period": {k: v.isoformat() for k, v in period.items()},
        "assessments": assessments_snapshot(locked),
    }
    for view, visible in views.items():
        scope = activity_scope(**period, visible=visible)
        locked.snapshot[view] = {
            **programme_progress(locked.programme, scope),
            "totals": status_totals(locked.programme, scope),
        }
    locked.status = StockTakeStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = user
    locked._closing = True
    locked.save()
    return locked
