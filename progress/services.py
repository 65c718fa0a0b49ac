"""The stock-take snapshot: the counts frozen when a stock-take closes.

StockTake lives in goals, which cannot import progress; goals.services.close_stocktake()
sends `stocktake_closing` under the stock-take's lock and this receiver adds the counts,
for the stock-take's programme and period, once per view (goals.services.SNAPSHOT_VIEWS),
with the filters they were taken with, so a report can say so.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.dispatch import receiver

from activities.querysets import PUBLIC, visibility
from goals.models import StockTake
from goals.services import SNAPSHOT_VIEWS
from goals.signals import stocktake_closing
from progress.query import build_query
from progress.querysets import count_progress

# Who reads each view: whoever is cleared for restricted activities, everyone else (the
# gate's own condition for a reader without the permission), and the partner (public only).
VIEW_VISIBILITY: dict[str, Q | None] = {
    "all": None,
    "unrestricted": visibility(AnonymousUser()),
    "public": Q(releasability=PUBLIC),
}


def snapshot_view(sees_restricted: bool) -> str:
    """The view of a closed stock-take's counts that a reader reads."""
    return "all" if sees_restricted else "unrestricted"


def snapshot_filters(stocktake: StockTake) -> dict[str, str]:
    """The activity filters a stock-take's counts are taken with."""
    return {
        "programme": str(stocktake.programme_id),
        "period_start": stocktake.period_start.isoformat(),
        "period_end": stocktake.period_end.isoformat(),
    }


def frozen_counts(stocktake: StockTake) -> dict[str, Any]:
    """The counts to freeze: per view, as the progress API returns them."""
    filters = snapshot_filters(stocktake)
    counts: dict[str, Any] = {"filters": filters}
    for view in SNAPSHOT_VIEWS:
        query = build_query(filters, programme=stocktake.programme, visible=VIEW_VISIBILITY[view])
        # From the database, not the cache: frozen counts are a record.
        counts[view] = count_progress(query).as_dict()
    return counts


@receiver(stocktake_closing, dispatch_uid="progress.freeze_counts")
def freeze_counts(
    sender: type[StockTake], *, stocktake: StockTake, snapshot: dict[str, Any], **kwargs: Any
) -> None:
    snapshot.update(frozen_counts(stocktake))
