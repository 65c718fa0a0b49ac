"""The activity log over the API, as JSON pages or as one streamed CSV file."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from activities.api.serializers import ActivitySerializer, AllySerializer
from activities.filters import ActivityFilterSet
from activities.models import Activity, Ally
from itpp.api.views import ModelViewSet, ReadOnlyModelViewSet

# Rows fetched (with their links) per round trip while streaming CSV: memory stays
# bounded however many activities match.
CSV_CHUNK_SIZE = 2000
# Spreadsheets run a cell starting with these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class CSVRenderer(BaseRenderer):
    """Lets content negotiation pick CSV (`?format=csv` or `Accept: text/csv`).

    The list view streams the CSV itself; anything else (errors) is rendered as JSON.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type=None, renderer_context=None) -> bytes:
        return JSONRenderer().render(data, renderer_context=renderer_context)


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    value = str(value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_lines(serializer: ActivitySerializer, rows: Iterable[Activity]) -> Iterator[str]:
    fields = list(serializer.fields)
    writer = csv.writer(_Echo())
    yield writer.writerow(fields)
    for row in rows:
        data = serializer.to_representation(row)
        yield writer.writerow([csv_cell(data[field]) for field in fields])


class AllyViewSet(ReadOnlyModelViewSet):
    """The NATO Allies, by ISO 3166-1 alpha-2 code. Read-only."""

    queryset = Ally.objects.all()
    serializer_class = AllySerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Z]{2}"


class ActivityViewSet(ModelViewSet):
    """The activity log. Viewers read; Editors also create and change; Programme managers
    also delete. Filters combine with AND; a repeated filter (e.g. `status=planned&status=ongoing`)
    matches any of its values."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet

    def get_queryset(self) -> QuerySet[Activity]:
        # What the serializer shows, in a fixed number of queries per page.
        return Activity.objects.select_related("created_by", "updated_by").prefetch_related(
            "goals", "objectives", "allies"
        )

    def get_renderers(self) -> list[BaseRenderer]:
        renderers = super().get_renderers()
        if self.action == "list":
            renderers.append(CSVRenderer())
        return renderers

    def finalize_response(self, request: Request, response, *args: Any, **kwargs: Any):
        # Errors of a CSV request are still JSON objects, as documented.
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), CSVRenderer
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                description=(
                    "`csv` returns every matching activity (not one page) as CSV, as does "
                    "`Accept: text/csv`."
                ),
            )
        ],
        responses={
            (200, "application/json"): ActivitySerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=(
                    "All matching activities, one per row after a header row of the JSON "
                    "field names. Lists (goals, objectives, allies) are joined with `;`; "
                    "empty values are empty cells; a text starting with = + - @ is "
                    "prefixed with ' so that spreadsheets do not run it as a formula."
                ),
            ),
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any):
        if isinstance(request.accepted_renderer, CSVRenderer):
            return self.csv_response(self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)

    def csv_response(self, queryset: QuerySet[Activity]) -> StreamingHttpResponse:
        lines = csv_lines(self.get_serializer(), queryset.iterator(chunk_size=CSV_CHUNK_SIZE))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="activities.csv"'
        return response
