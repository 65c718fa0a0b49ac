"""Where a programme stands, over the API: JSON, or one row per goal as CSV."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.utils.translation import get_language
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from activities.api.views import CSVRenderer
from activities.exports import csv_lines, csv_response
from activities.filters import ActivityFilterSet
from activities.models import Activity
from goals.querysets import NO_RATINGS, goal_ratings
from itpp.api.views import LoginExemptMixin, ThrottleRefusalsMixin
from progress.api.serializers import ProgressQuerySerializer, ProgressSerializer
from progress.cache import remember
from progress.query import FilterRefused, ProgressQuery, query_for
from progress.querysets import STATUSES, Progress, objectives_per_goal, programme_progress

CSV_COLUMNS = [
    "goal_id",
    "goal",
    "priority_issue",
    "objectives",
    "total",
    *STATUSES,
    "latest_activity_date",
]


def progress_rows(progress: Progress) -> list[list[Any]]:
    """One row per goal: its priority issue, the numbers of the strategic objectives its
    matching activities serve, and its counts."""
    objectives = objectives_per_goal(progress.query)
    return [
        [
            row.obj.pk,
            row.obj.title,
            str(row.obj.priority_issue),
            "; ".join(str(number) for number in objectives.get(row.obj.pk, [])),
            row.counts["total"],
            *(row.counts[status] for status in STATUSES),
            row.latest.isoformat() if row.latest else "",
        ]
        for row in progress.goals
    ]


def progress_report(query: ProgressQuery) -> dict[str, Any]:
    """The JSON answer: the counts, with each goal's ratings."""
    programme = query.programme
    report = {
        "programme": programme.pk,
        "year": query.year,
        **programme_progress(query).as_dict(),
    }
    report["totals"] = {"activities": report["totals"]}
    ratings = goal_ratings(programme)
    for goal in report["goals"]:
        goal.update(ratings.get(goal["id"], NO_RATINGS))
    return dict(ProgressSerializer(report).data)


class ProgressView(LoginExemptMixin, ThrottleRefusalsMixin, generics.GenericAPIView):
    """Where a programme stands: distinct activities per goal, objective, priority issue
    and quarter, and in total."""

    # For the permission check (reading progress means reading activities) and for the
    # schema, which lists the activity filters from the filter set.
    queryset = Activity.objects.none()
    filterset_class = ActivityFilterSet
    filter_backends = [DjangoFilterBackend]
    pagination_class = None
    renderer_classes = [JSONRenderer, CSVRenderer]
    # An unknown `?format=` is DRF's 404, as on /api/v1/activities/ (see itpp.api.schema;
    # an APIView has no action, hence None).
    schema_error_codes = {None: ["404"]}

    @extend_schema(
        filters=True,
        parameters=[
            ProgressQuerySerializer,
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                description="`csv`: one row per goal (as does `Accept: text/csv`).",
            ),
        ],
        responses={
            (200, "application/json"): ProgressSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=(
                    "UTF-8 with a byte-order mark, one row per goal after a header row: "
                    f"{', '.join(CSV_COLUMNS)}. `objectives` joins with `; ` the numbers of "
                    "the strategic objectives that the goal's matching activities serve."
                ),
            ),
        },
        description=(
            "Counts of distinct activities, in total and by status, for each Partnership "
            "Goal, Strategic Objective, priority issue and quarter of the programme, and for "
            "the programme. Every filter of /api/v1/activities/ applies, with the same "
            "meaning: a goal's `total` is the `count` of /api/v1/activities/ with the same "
            "parameters and `goal=<id>`, and `totals` is its `count` with the same "
            "parameters. An activity that serves two goals of one priority issue counts "
            "once for that issue. Only activities the user may see are counted. Each goal "
            "also carries its latest rating (from closed stock-takes), how it changed "
            "since the previous one, and the open stock-take's draft rating. A missing or "
            "unknown programme, or an invalid filter, is a 400 naming the parameter."
        ),
    )
    def get(self, request: Request) -> Response | StreamingHttpResponse:
        programme_query = ProgressQuerySerializer(data=request.query_params)
        programme_query.is_valid(raise_exception=True)
        programme = programme_query.validated_data["programme"]
        try:
            query = query_for(request.query_params, user=request.user, programme=programme)
        except FilterRefused as refused:
            raise exceptions.ValidationError(refused.errors) from None
        if isinstance(request.accepted_renderer, CSVRenderer):
            filename = f"progress-{programme.pk}.csv"
            rows = progress_rows(programme_progress(query))
            return csv_response(csv_lines(CSV_COLUMNS, rows), filename)
        # The whole answer is cached as the counts are: the ratings come from assessments,
        # whose writes move the data version too (progress.cache); once per language, as
        # the ratings' labels are in words.
        return Response(remember(query, f"api:{get_language()}", lambda: progress_report(query)))

    def finalize_response(self, request: Request, response, *args: Any, **kwargs: Any):
        # Errors of a CSV request are still JSON objects, as on /api/v1/activities/.
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), CSVRenderer
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
