"""Webhooks: registered by Programme managers and administrators (`add_webhook`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from itpp.api.views import ModelViewSet
from webhooks.api.serializers import (
    DeliverySerializer,
    RegisteredWebhookSerializer,
    WebhookSerializer,
)
from webhooks.models import Delivery, Webhook


@extend_schema_view(create=extend_schema(responses={201: RegisteredWebhookSerializer}))
class WebhookViewSet(ModelViewSet):
    """Endpoints told of a programme's events (see docs/api.md, Webhooks). Programme
    managers register, read, change and delete their own; administrators everyone's.
    The secret is in the answer to the registration only."""

    serializer_class = WebhookSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Webhook]:
        webhooks = Webhook.objects.select_related("owner").order_by("id")
        user = self.request.user
        return webhooks if user.is_superuser else webhooks.filter(owner=user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = serializer.save()
        return Response(RegisteredWebhookSerializer(webhook).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        """The webhook's deliveries, newest first, each with its attempts."""
        webhook = self.get_object()
        deliveries = Delivery.objects.filter(webhook=webhook).prefetch_related("attempts")
        page = self.paginate_queryset(deliveries.order_by("-created_at", "id"))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)
