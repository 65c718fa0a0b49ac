"""Change logs in words people read: field labels, names instead of ids."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from activities.models import Activity, Ally
from goals.models import PartnershipGoal, PriorityIssue, Programme, StrategicObjective
from itpp.history import change_log

# Field -> the model whose rows its ids name.
NAMED = {
    "goals": PartnershipGoal,
    "objectives": StrategicObjective,
    "allies": Ally,
    "programme": Programme,
    "priority_issue": PriorityIssue,
}


def _labels(entries: list[dict[str, Any]]) -> dict[str, dict[Any, str]]:
    """One query per related model, whatever the number of entries."""
    wanted: dict[str, set] = {name: set() for name in NAMED}
    for entry in entries:
        for name, change in entry["changes"].items():
            if name in NAMED:
                for value in (change["old"], change["new"]):
                    if isinstance(value, list):
                        wanted[name].update(value)
                    elif value is not None:
                        wanted[name].add(value)
    return {
        name: {obj.pk: str(obj) for obj in NAMED[name].objects.filter(pk__in=ids)}
        for name, ids in wanted.items()
        if ids
    }


def _show(model, name: str, value: Any, labels: dict[str, dict[Any, str]]) -> str:
    if value in (None, "", []):
        return "—"
    field = model._meta.get_field(name)
    if name in NAMED:
        names = labels.get(name, {})
        values = value if isinstance(value, list) else [value]
        return ", ".join(names.get(v, f"#{v} (deleted)") for v in values)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, str) and field.get_internal_type() == "DateField":
        return date.fromisoformat(value).strftime("%d %b %Y")
    return str(value)


def readable_change_log(history: QuerySet, model=Activity) -> list[dict[str, Any]]:
    """`itpp.history.change_log()` with each change as (label, old, new) text; `model` is
    the tracked model (Activity, or a framework model such as PartnershipGoal)."""
    entries = change_log(history)
    labels = _labels(entries)
    for entry in entries:
        entry["lines"] = [
            (
                str(model._meta.get_field(name).verbose_name).capitalize(),
                _show(model, name, change["old"], labels),
                _show(model, name, change["new"], labels),
            )
            for name, change in entry["changes"].items()
        ]
    return entries
