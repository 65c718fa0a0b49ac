"""Webhooks over the API: the secret appears once, in the answer to the registration."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from goals.models import Programme
from itpp.api.serializers import ValidatedModelSerializer
from webhooks import network
from webhooks.models import Attempt, Delivery, Event, Webhook


class WebhookSerializer(ValidatedModelSerializer):
    url = serializers.URLField(
        max_length=2000,
        help_text=(
            "Where the events are POSTed: http or https, to a public address (unless the "
            "deployment allows a network, see DJANGO_WEBHOOK_ALLOWED_NETWORKS)."
        ),
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices),
        allow_empty=False,
        max_length=len(Event.values),
        help_text="The events to be told of (at least one).",
    )
    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.all(),
        help_text="The programme whose events are sent; cannot be changed afterwards.",
    )
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "programme", "active", "owner", "created_at"]
        read_only_fields = ["created_at"]

    def validate_url(self, value: str) -> str:
        # Resolved now; checked again at every delivery (the DNS answer may change).
        try:
            network.resolve(value)
        except network.URLRefused as refusal:
            raise serializers.ValidationError(str(refusal)) from None
        return value

    def validate_events(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # each once, in the order given

    def validate_programme(self, value: Programme) -> Programme:
        if self.instance is not None and value.pk != self.instance.programme_id:
            raise serializers.ValidationError(
                _("A webhook's programme cannot be changed: register a new webhook.")
            )
        return value

    def prepare_instance(self, instance: Webhook, attrs: dict[str, Any]) -> None:
        if instance.owner_id is None:
            instance.owner = self.context["request"].user

    def create(self, validated_data: dict[str, Any]) -> Webhook:
        return Webhook.objects.create(owner=self.context["request"].user, **validated_data)


class RegisteredWebhookSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text=(
            "The key of the X-ITPP-Signature HMAC. Shown only in this answer: keep it; "
            "it is never shown again."
        ),
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["number", "attempted_at", "status_code", "error", "duration_ms"]
        extra_kwargs = {
            "status_code": {"help_text": "The receiver's HTTP status; null when none came."},
            "error": {"help_text": "Why no answer came (timeout, refused address…)."},
        }


class DeliverySerializer(serializers.ModelSerializer):
    attempts = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "object_id",
            "occurred_at",
            "status",
            "next_attempt_at",
            "attempts",
        ]
        extra_kwargs = {"id": {"help_text": "The X-ITPP-Delivery header of every attempt."}}
