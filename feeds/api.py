"""IATI over the API: `GET /api/v1/iati/?programme=<id>`, the programme's public activities
as IATI 2.03 XML."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request

from activities.models import Activity
from feeds.iati import iati_activities
from goals.models import Programme
from itpp.api.views import LoginExemptMixin, ThrottleRefusalsMixin


class IATIQuerySerializer(serializers.Serializer):
    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.all(), help_text="The programme's id."
    )


class IATIView(LoginExemptMixin, ThrottleRefusalsMixin, generics.GenericAPIView):
    """The programme's public activities in the IATI Activity Standard 2.03."""

    # For the permission check: reading it means reading activities.
    queryset = Activity.objects.none()
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[IATIQuerySerializer],
        responses={
            (200, "application/xml"): OpenApiResponse(
                OpenApiTypes.STR,
                description=(
                    "An `iati-activities` document (IATI Activity Standard 2.03): one "
                    "`iati-activity` per public activity of the programme (drafts never)."
                ),
            ),
        },
        description=(
            "The programme's public activities as IATI 2.03 XML, for aggregators of "
            "cooperation data. A missing or unknown programme is a 400 naming `programme`; "
            "a programme without public activities is a 404 (IATI's schema wants at least "
            "one activity)."
        ),
    )
    def get(self, request: Request) -> HttpResponse:
        query = IATIQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        programme = query.validated_data["programme"]
        goals_uri = request.build_absolute_uri(
            f"{reverse('api:goal-list')}?{urlencode({'programme': programme.pk})}"
        )
        document = iati_activities(programme, goals_uri=goals_uri)
        if document is None:
            raise exceptions.NotFound(_("This programme has no public activity to publish yet."))
        response = HttpResponse(document, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="iati-activities-{programme.pk}.xml"'
        return response
