"""Change history: who changed what, when, and through which door.

django-simple-history writes a historical row on every save, delete and many-to-many
change of a tracked model. This module adds two columns to those rows and turns them
into a readable change log:

- `history_channel`: `admin`, `import`, `page`, `api`, or `system` (shell, commands,
  migrations), taken from the request being served;
- `history_batch`: one id per request (or per `history_batch()` block), because one
  logical save produces several rows (the row itself, then each many-to-many change);
  the change log merges them into one entry.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

# Fields that record the record itself; their changes are not news to a reader.
# review_changed_at is the time of a review entry, which the entry itself says.
BOOKKEEPING_FIELDS = {
    "id",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "version",
    "review_changed_at",
}

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}

_channel: ContextVar[str | None] = ContextVar("history_channel", default=None)
_batch: ContextVar[uuid.UUID | None] = ContextVar("history_batch", default=None)


class ChangeContext(models.Model):
    """Extra columns on every historical table."""

    history_channel = models.CharField(max_length=10, blank=True, default="")
    history_batch = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


def tracked(**kwargs: Any) -> HistoricalRecords:
    """HistoricalRecords with the project's extra columns."""
    return HistoricalRecords(bases=[ChangeContext], **kwargs)


@contextlib.contextmanager
def history_batch(channel: str | None = None) -> Iterator[uuid.UUID]:
    """Groups the history rows written inside the block into one change-log entry.

    Services wrap each logical write in it; commands and scripts may also name the
    channel. Without a channel, it comes from the request being served (or `system`).
    Inside another block, the rows join the outer entry and its channel (a door that makes
    one change of several service calls, such as the admin restoring a version with
    corrections, or the import around each row's service call).
    """
    outer = _batch.get()
    if outer is not None and channel is None:
        yield outer
        return
    channel_token = _channel.set(channel)
    batch_token = _batch.set(uuid.uuid4())
    try:
        yield _batch.get()
    finally:
        _channel.reset(channel_token)
        _batch.reset(batch_token)


def channel_for_path(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "import" if "/import/" in path or "/process_import/" in path else "admin"
    return "page"


@receiver(pre_create_historical_record)
def stamp_change_context(sender, history_instance, **kwargs) -> None:
    if not isinstance(history_instance, ChangeContext):
        return
    request = getattr(HistoricalRecords.context, "request", None)
    if _batch.get() is not None:
        history_instance.history_channel = _channel.get() or (
            channel_for_path(request.path) if request is not None else "system"
        )
        history_instance.history_batch = _batch.get()
    elif request is not None:
        history_instance.history_channel = channel_for_path(request.path)
        if not hasattr(request, "_history_batch"):
            request._history_batch = uuid.uuid4()
        history_instance.history_batch = request._history_batch
    else:
        history_instance.history_channel = "system"
        history_instance.history_batch = None


def plain_value(value: Any) -> Any:
    """A value as the change log holds it: objects as ids, lists of them as sorted ids,
    dates as ISO text; so that a form's or a service's values compare with a snapshot."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | models.QuerySet):
        return sorted(plain_value(item) for item in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _m2m_accessors(history_model: type[models.Model]) -> dict[str, str]:
    """Field name -> reverse accessor of its historical link rows (prefetchable, unlike
    the descriptor simple-history puts under the field's own name)."""
    accessors = {}
    for field in history_model._history_m2m_fields:
        for relation in history_model._meta.related_objects:
            if getattr(relation.related_model, "instance_type", None) is field.remote_field.through:
                accessors[field.name] = relation.get_accessor_name()
    return accessors


def _link_ids(record: models.Model, field: models.ManyToManyField, accessor: str) -> list[Any]:
    """Sorted ids; for a link with its own columns (an organisation's role in an activity),
    sorted `{<target>: id, <column>: value}`, so that a change of role is a change too."""
    target = field.m2m_reverse_field_name()
    through = field.remote_field.through
    extra = [f.name for f in through._meta.concrete_fields if not (f.is_relation or f.primary_key)]
    rows = getattr(record, accessor).all()
    if not extra:
        return sorted(getattr(row, f"{target}_id") for row in rows)
    return sorted(
        (
            {target: getattr(row, f"{target}_id"), **{name: getattr(row, name) for name in extra}}
            for row in rows
        ),
        key=lambda link: link[target],
    )


def snapshot(record: models.Model) -> dict[str, Any]:
    """A record's values by field name: foreign keys as ids, many-to-many as sorted ids."""
    values: dict[str, Any] = {}
    for field in record.tracked_fields:
        if field.name in BOOKKEEPING_FIELDS:
            continue
        values[field.name] = plain_value(getattr(record, field.attname))
    accessors = _m2m_accessors(type(record))
    for field in record._history_m2m_fields:
        values[field.name] = _link_ids(record, field, accessors[field.name])
    return values


def _batches(records: list[models.Model]) -> Iterator[list[models.Model]]:
    group: list[models.Model] = []
    for record in records:
        if group and (
            record.history_batch is None or record.history_batch != group[-1].history_batch
        ):
            yield group
            group = []
        group.append(record)
    if group:
        yield group


def change_log(history: models.QuerySet) -> list[dict[str, Any]]:
    """The readable change log of one object, newest first.

    `history` is the object's historical rows (e.g. `activity.history.all()`, or the
    historical model filtered by the object's id when the object was deleted). Each entry
    is `{"at", "user", "channel", "action", "changes": {field: {"old", "new"}}}`.
    """
    records = list(
        history.select_related("history_user")
        .prefetch_related(*_m2m_accessors(history.model).values())
        .order_by("history_date", "history_id")
    )
    entries: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    deleted = False
    for group in _batches(records):
        first, last = group[0], group[-1]
        if last.history_type == "-":
            action, changes, deleted = "deleted", {}, True
        else:
            current = snapshot(last)
            if first.history_type == "+":
                action = "restored" if deleted else "created"
            else:
                action = "changed"
            # A restore is compared with the version that was deleted.
            before = None if action == "created" else previous
            changes = {
                name: {"old": None if before is None else before.get(name), "new": value}
                for name, value in current.items()
                if (before is None and value not in (None, "", []))
                or (before is not None and before.get(name) != value)
            }
            previous, deleted = current, False
        if action == "changed" and not changes:
            continue  # a save that changed nothing a reader cares about
        user = last.history_user
        entries.append(
            {
                "at": last.history_date,
                "user": user.get_username() if user else None,
                "channel": last.history_channel or "system",
                "action": action,
                "changes": changes,
                "history_id": last.history_id,
            }
        )
    entries.reverse()
    return entries


def restorable_version(history: models.QuerySet) -> models.Model | None:
    """The last version of a deleted object that still had its links (the deletion row
    itself is written after the many-to-many rows are gone)."""
    return history.exclude(history_type="-").order_by("-history_date", "-history_id").first()


def m2m_ids(record: models.Model) -> dict[str, Iterable[Any]]:
    """A historical record's many-to-many values, by field name, as ids."""
    accessors = _m2m_accessors(type(record))
    return {
        field.name: _link_ids(record, field, accessors[field.name])
        for field in record._history_m2m_fields
    }
