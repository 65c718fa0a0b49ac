"""Attachments added to and removed from an activity, as entries of its change log."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from attachments.models import Attachment

ACTIONS = {"+": "attachment added", "-": "attachment removed"}


def attachment_events(activity_id: int) -> list[dict[str, Any]]:
    """Entries in the shape of `activities.history.readable_change_log()`'s, newest first."""
    records = (
        Attachment.history.filter(activity_id=activity_id, history_type__in=ACTIONS)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    entries = []
    for record in records:
        name = record.filename if not record.title else f"{record.title} ({record.filename})"
        before, after = (None, name) if record.history_type == "+" else (name, None)
        user = record.history_user
        entries.append(
            {
                "at": record.history_date,
                "user": user.get_username() if user else None,
                "channel": record.history_channel or "system",
                "action": ACTIONS[record.history_type],
                "changes": {"attachments": {"old": before, "new": after}},
                "lines": [(gettext("Attachment"), before or "—", after or "—")],
                "history_id": None,
            }
        )
    return entries
