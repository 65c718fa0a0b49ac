"""The activity page's attachments panel: `{% load attachments %}{% attachments_panel activity %}`.

A template tag, so the activity page shows the panel without activities importing this
app (which sits above it)."""

from __future__ import annotations

from typing import Any

from django import template

from attachments import content
from attachments.forms import AttachmentForm
from attachments.models import Attachment
from attachments.rules import may_add, may_delete

register = template.Library()


@register.inclusion_tag("attachments/_panel.html", takes_context=True)
def attachments_panel(context: template.Context, activity) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    attachments = list(
        Attachment.objects.visible_to(user).filter(activity=activity).select_related("uploaded_by")
    )
    for item in attachments:
        item.activity = activity  # known already: no query per attachment for the rules
    return {
        "activity": activity,
        "attachments": [(item, may_delete(user, item)) for item in attachments],
        "may_add": may_add(user, activity),
        "form": AttachmentForm(),
        "csrf_token": context.get("csrf_token"),
        "max_size": content.size_text(content.max_size()),
    }
