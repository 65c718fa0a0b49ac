"""Helpers of the framework's pages. The pages that show counts (the dashboard, the goal
list and a goal's page) are in progress.views; the stock-take pages in stocktake_views."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from goals.models import (
    NO_PROGRAMME,
    PartnershipGoal,
    Programme,
    StockTake,
    StockTakeStatus,
)


def chosen_programme(request: HttpRequest, programmes: list[Programme]) -> Programme:
    """`?programme=<id>` when it names one, else the current cycle."""
    programme = Programme.objects.chosen(request.GET.get("programme", ""), programmes)
    if programme is None:
        raise Http404(gettext(NO_PROGRAMME))
    return programme


def goal_assessments(goal: PartnershipGoal) -> dict[str, Any]:
    """The goal's assessments, latest stock-take first, and its programme's open stock-take
    (where it can be rated now), if any."""
    assessments = list(
        goal.assessments.select_related("stocktake", "assessed_by").order_by(
            "-stocktake__period_end", "-stocktake_id"
        )
    )
    open_stocktake = StockTake.objects.filter(
        programme=goal.programme_id, status=StockTakeStatus.OPEN
    ).first()
    return {
        "assessments": assessments,
        "open_stocktake": open_stocktake,
        "rated_in_open": any(
            a.stocktake_id == getattr(open_stocktake, "pk", None) for a in assessments
        ),
    }
