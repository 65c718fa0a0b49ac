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
from goals.models import StockTakeStatus

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


@register.inclusion_tag("attachments/_assessment.html", takes_context=True)
def assessment_attachments(context: template.Context, stocktake, assessment) -> dict[str, Any]:
    """A goal's assessment attachments on the stock-take page (nothing for a goal not yet
    rated). The first call reads the attachments of all the stock-take's assessments at
    once, rated goals or not, so the page takes the same queries however many are rated."""
    user = context["request"].user
    cache = context.render_context.setdefault("assessment_attachments", {})
    if stocktake.pk not in cache:
        found: dict[int, list[Attachment]] = {}
        rows = (
            Attachment.objects.visible_to(user)
            .filter(assessment__stocktake_id=stocktake.pk)
            .select_related("uploaded_by")
        )
        for item in rows:
            found.setdefault(item.assessment_id, []).append(item)
        cache[stocktake.pk] = found
    if assessment is None:
        return {"assessment": None}
    attachments = cache[stocktake.pk].get(assessment.pk, [])
    # As the page read it: the service checks the stored row again on every write.
    is_open = stocktake.status != StockTakeStatus.CLOSED
    for item in attachments:
        item.assessment = assessment
    return {
        "assessment": assessment,
        "attachments": [(item, is_open and may_delete(user, item)) for item in attachments],
        "may_add": is_open and may_add(user, assessment),
        "csrf_token": context.get("csrf_token"),
        "max_size": content.size_text(content.max_size()),
    }
