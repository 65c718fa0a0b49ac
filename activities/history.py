"""Change logs in words people read: field labels, names instead of ids."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.models import Activity, Ally, Organisation, ParticipantRole
from activities.querysets import restricted_visibility, visibility
from goals.models import PartnershipGoal, PriorityIssue, Programme, StrategicObjective
from itpp.history import change_log, plain_value, snapshot

# Field -> the model whose rows its ids name.
NAMED = {
    "goals": PartnershipGoal,
    "objectives": StrategicObjective,
    "allies": Ally,
    "organisations": Organisation,  # links {"organisation": id, "role": ...}
    "programme": Programme,
    "priority_issue": PriorityIssue,
}

Changes = dict[str, dict[str, Any]]  # {field: {"old": value, "new": value}}, as change_log()'s

# Events of other apps in an activity's change log (attachments added and removed), each a
# function of the activity's id returning entries shaped as readable_change_log()'s. The
# apps above activities register them in their AppConfig.ready(): activities imports none.
EVENT_SOURCES: list[Callable[[int], list[dict[str, Any]]]] = []


def _labels(all_changes: Iterable[Changes]) -> dict[str, dict[Any, str]]:
    """One query per related model, whatever the number of changes."""
    wanted: dict[str, set] = {name: set() for name in NAMED}
    for changes in all_changes:
        for name, change in changes.items():
            if name in NAMED:
                for value in (change["old"], change["new"]):
                    if isinstance(value, list):
                        wanted[name].update(_linked_id(item) for item in value)
                    elif value is not None:
                        wanted[name].add(value)
    return {
        name: {obj.pk: str(obj) for obj in NAMED[name].objects.filter(pk__in=ids)}
        for name, ids in wanted.items()
        if ids
    }


def _linked_id(value: Any) -> Any:
    # A link with a role is {"organisation": id, "role": ...}; others are plain ids.
    return value["organisation"] if isinstance(value, dict) else value


def _shown_link(value: Any, names: dict[Any, str]) -> str:
    name = names.get(_linked_id(value), _("#%(id)s (deleted)") % {"id": _linked_id(value)})
    if isinstance(value, dict) and "role" in value:
        role = dict(ParticipantRole.choices).get(value["role"], value["role"])
        return f"{name} ({str(role).lower()})"
    return name


def _show(model: type[Model], name: str, value: Any, labels: dict[str, dict[Any, str]]) -> str:
    if value in (None, "", []):
        return "—"
    field = model._meta.get_field(name)
    if name in NAMED:
        names = labels.get(name, {})
        values = value if isinstance(value, list) else [value]
        return ", ".join(_shown_link(v, names) for v in values)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, str) and field.get_internal_type() == "DateField":
        return date_format(date.fromisoformat(value), "DATE_FORMAT")
    return str(value)


def _lines(
    model: type[Model], changes: Changes, labels: dict[str, dict[Any, str]]
) -> list[tuple[str, str, str]]:
    return [
        (
            str(model._meta.get_field(name).verbose_name).capitalize(),
            _show(model, name, change["old"], labels),
            _show(model, name, change["new"], labels),
        )
        for name, change in changes.items()
    ]


def readable_changes(changes: Changes, model: type[Model] = Activity) -> list[tuple[str, str, str]]:
    """Each change as (label, old, new) text."""
    return _lines(model, changes, _labels([changes]))


def readable_change_log(history: QuerySet, model: type[Model] = Activity) -> list[dict[str, Any]]:
    """`itpp.history.change_log()` with each change as (label, old, new) text; `model` is
    the tracked model (Activity, or a framework model such as PartnershipGoal)."""
    entries = change_log(history)
    labels = _labels(entry["changes"] for entry in entries)
    for entry in entries:
        entry["lines"] = _lines(model, entry["changes"], labels)
    return entries


def activity_change_log(activity: Activity) -> list[dict[str, Any]]:
    """An activity's readable change log with the registered apps' events, newest first."""
    entries = readable_change_log(activity.history.all())
    for source in EVENT_SOURCES:
        entries.extend(source(activity.pk))
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries


def past_withheld_from(user: User | AnonymousUser, activity_id: int) -> bool:
    """Whether `user` may not read the change log of an activity: some version of it (or
    the live row) is one they may not see, so its past held content not for them.

    The one rule for every door that shows an activity's past: the API's history (404),
    the detail page's change log and the edit and delete conflict messages (withheld).
    """
    gate = visibility(user)
    if gate is None:
        return False
    # A restricted past is withheld whole. A past as a draft is not: once submitted, its
    # drafting is part of the record. But a record that is (or was deleted as) a draft
    # is withheld from whoever cannot see drafts.
    restricted = restricted_visibility(user)
    history = Activity.history.filter(id=activity_id)
    last = history.order_by("-history_id")[:1]
    return (
        (restricted is not None and history.exclude(restricted).exists())
        or Activity.history.filter(history_id__in=last).exclude(gate).exists()
        or Activity.objects.filter(pk=activity_id).exclude(gate).exists()
    )


def changes_since(
    activity_id: int,
    version: int | None,
    proposed: dict[str, Any],
    *,
    user: User | AnonymousUser,
) -> dict:
    """What others saved over `version` of an activity, set against what a writer
    proposes (model field values, links as objects), for telling them of a conflict.

    `saves` are the readable change-log entries since that version (who, when, through
    what, and what each changed);
    `lines` are (label, now, yours) in words, for each field someone else changed whose
    value now differs from the proposed one. When that version is not in the history
    (an unknown number), every field that differs is listed, with the last save.
    When the activity's past is withheld from `user` (see `past_withheld_from`), `saves`
    is empty and `withheld` true; `lines` still compare today's values (which they see)
    with theirs.
    """
    withheld = past_withheld_from(user, activity_id)
    records = Activity.history.filter(id=activity_id)
    base = records.filter(version=version).order_by("-history_id").first() if version else None
    current = records.order_by("-history_id").first()
    if withheld:
        saves = []
    else:
        saves = readable_change_log(records)
        saves = [e for e in saves if e["history_id"] > base.history_id] if base else saves[:1]
    now = snapshot(current) if current else {}
    before = snapshot(base) if base else None
    conflicts = {
        name: {"old": now[name], "new": plain_value(value)}
        for name, value in proposed.items()
        if name in now
        and now[name] != plain_value(value)
        and (before is None or before.get(name) != now[name])
    }
    return {"saves": saves, "lines": readable_changes(conflicts), "withheld": withheld}
