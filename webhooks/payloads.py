"""What a delivery carries: the resource as the API shows it to the webhook's owner.

Read when the event is raised (after the write commits), through the same gate as the
API (`Activity.objects.visible_to(owner)`); every attempt of the worker checks again that
the owner may still see it, so a record restricted (or deleted from their sight) in the
meantime is withheld rather than sent.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import serializers

from activities.api.serializers import ActivitySerializer
from activities.models import Activity
from activities.querysets import deleted_activities
from goals.api.serializers import GoalAssessmentSerializer
from goals.models import StockTake
from webhooks.models import Delivery, Event

# Owning a webhook is a permission of its own (Programme managers): an owner who loses it
# (left the role, or deactivated) is sent nothing more.
OWN_WEBHOOKS = "webhooks.view_webhook"
VIEW_STOCKTAKES = "goals.view_stocktake"


class StockTakeEventSerializer(serializers.ModelSerializer):
    """A closed stock-take: its period, who closed it, and its goal assessments as the
    assessments API shows them (its frozen counts are read from the stock-take's report)."""

    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    assessments = GoalAssessmentSerializer(many=True, read_only=True)

    class Meta:
        model = StockTake
        fields = [
            "id",
            "programme",
            "title",
            "period_start",
            "period_end",
            "status",
            "closed_at",
            "closed_by",
            "assessments",
        ]


def may_see(delivery: Delivery) -> bool:
    """Whether the webhook's owner may see the delivery's resource now."""
    owner = delivery.webhook.owner
    if not (owner.is_active and owner.has_perm(OWN_WEBHOOKS)):
        return False
    if delivery.event == Event.STOCKTAKE_CLOSED:
        return (
            owner.has_perm(VIEW_STOCKTAKES)
            and StockTake.objects.filter(pk=delivery.object_id).exists()
        )
    if delivery.event == Event.ACTIVITY_DELETED:
        # The rule of the API's deleted activities: a once-restricted past stays hidden.
        return deleted_activities(owner).filter(id=delivery.object_id).exists()
    return Activity.objects.visible_to(owner).filter(pk=delivery.object_id).exists()


def data(delivery: Delivery) -> dict[str, Any] | None:
    """The resource as the API shows it to the owner; None if it is gone from their sight."""
    owner = delivery.webhook.owner
    if delivery.event == Event.STOCKTAKE_CLOSED:
        stocktake = (
            StockTake.objects.select_related("closed_by")
            .prefetch_related("assessments__assessed_by", "assessments__stocktake")
            .filter(pk=delivery.object_id)
            .first()
        )
        return None if stocktake is None else StockTakeEventSerializer(stocktake).data
    if delivery.event == Event.ACTIVITY_DELETED:
        # What the API still shows of a deleted activity: its id (and programme).
        return {"id": delivery.object_id, "programme": delivery.webhook.programme_id}
    activity = (
        Activity.objects.visible_to(owner).with_related().filter(pk=delivery.object_id).first()
    )
    # The serializer as the API runs it, for a request of the owner's (fields that depend on
    # who asks, such as what they may do next, read `request.user`).
    context = {"request": SimpleNamespace(user=owner)}
    return None if activity is None else ActivitySerializer(activity, context=context).data


def body(delivery: Delivery, resource: dict[str, Any]) -> str:
    """The JSON document POSTed, exactly as signed."""
    return json.dumps(
        {
            "event": delivery.event,
            "occurred_at": delivery.occurred_at,
            "programme": delivery.webhook.programme_id,
            "data": resource,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
