"""Every write that can change a count bumps the progress cache's data version.

Model signals, not calls in the services, so that every door is covered: the pages and the
API (services), the admin, the spreadsheet import, a restore of a deleted activity, a
change of the framework, an assessment. The version moves when the writing transaction
commits (progress.cache.note_write). Bulk writes, which send no model signals (the demo
data, a restored backup), send `itpp.signals.bulk_write` instead.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from activities.models import Activity, Ally
from goals.models import (
    GoalAssessment,
    PartnershipGoal,
    PriorityIssue,
    Programme,
    StockTake,
    StrategicObjective,
)
from itpp.signals import bulk_write
from progress.cache import note_write

# What the counts are made of, and what the pages show beside them (goals' ratings).
COUNTED = (
    Activity,
    Ally,
    Programme,
    StrategicObjective,
    PriorityIssue,
    PartnershipGoal,
    StockTake,
    GoalAssessment,
)
# Links change through their managers (add, remove, set, clear: m2m_changed), and go with
# their activity, goal or Ally (whose deletion is counted above). No model signal on the
# link tables themselves: one would stop Django deleting them in one statement.
LINKS = (Activity.goals.through, Activity.objectives.through, Activity.allies.through)


def counted_data_changed(sender: Any, **kwargs: Any) -> None:
    note_write()


def links_changed(sender: Any, *, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        note_write()


def connect() -> None:
    for model in COUNTED:
        uid = f"progress.cache.{model._meta.label_lower}"
        post_save.connect(counted_data_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(counted_data_changed, sender=model, dispatch_uid=f"{uid}.delete")
    for through in LINKS:
        m2m_changed.connect(
            links_changed, sender=through, dispatch_uid=f"progress.cache.{through.__name__}"
        )
    bulk_write.connect(counted_data_changed, dispatch_uid="progress.cache.bulk_write")
