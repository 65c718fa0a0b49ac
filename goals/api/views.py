"""The programme framework (read-only) and where a programme stands."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from activities.models import Activity
from activities.querysets import visibility
from goals import services
from goals.api.serializers import (
    GoalAssessmentSerializer,
    PartnershipGoalSerializer,
    PriorityIssueSerializer,
    ProgrammeSerializer,
    ProgressQuerySerializer,
    ProgressSerializer,
    StrategicObjectiveSerializer,
)
from goals.filters import (
    GoalAssessmentFilterSet,
    PartnershipGoalFilterSet,
    PriorityIssueFilterSet,
    StrategicObjectiveFilterSet,
)
from goals.models import (
    GoalAssessment,
    PartnershipGoal,
    PriorityIssue,
    Programme,
    StrategicObjective,
)
from goals.querysets import NO_RATINGS, activity_scope, goal_ratings, programme_progress
from itpp.api.views import APIView, ModelViewSet, ReadOnlyModelViewSet


class ProgrammeViewSet(ReadOnlyModelViewSet):
    """Partner programmes (one partner, one cycle). Read-only."""

    queryset = Programme.objects.all()
    serializer_class = ProgrammeSerializer


class StrategicObjectiveViewSet(ReadOnlyModelViewSet):
    """The Strategic Objectives of the programmes. Read-only."""

    queryset = StrategicObjective.objects.all()
    serializer_class = StrategicObjectiveSerializer
    filterset_class = StrategicObjectiveFilterSet


class PriorityIssueViewSet(ReadOnlyModelViewSet):
    """The priority issues that group a programme's goals. Read-only."""

    queryset = PriorityIssue.objects.all()
    serializer_class = PriorityIssueSerializer
    filterset_class = PriorityIssueFilterSet


class PartnershipGoalViewSet(ReadOnlyModelViewSet):
    """The Partnership Goals, against which activities are logged. Read-only."""

    queryset = PartnershipGoal.objects.all()
    serializer_class = PartnershipGoalSerializer
    filterset_class = PartnershipGoalFilterSet


class GoalAssessmentViewSet(ModelViewSet):
    """Goal assessments made in stock-takes, newest stock-take first. Every role reads
    them; Programme managers also create, change and delete them while their stock-take
    is open (a closed stock-take's are a record: 400 on `stocktake`)."""

    queryset = GoalAssessment.objects.select_related("stocktake", "assessed_by").order_by(
        "-stocktake__period_end", "stocktake_id", "goal__order"
    )
    serializer_class = GoalAssessmentSerializer
    filterset_class = GoalAssessmentFilterSet
    schema_error_codes = {"destroy": ["400"]}

    def perform_destroy(self, instance: GoalAssessment) -> None:
        try:
            services.delete_assessment(instance)
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"stocktake": error.messages}) from None


class ProgressView(APIView):
    """Where a programme stands: distinct activities per goal, objective and priority issue."""

    # For the permission check: reading progress means reading activities.
    queryset = Activity.objects.none()

    @extend_schema(
        parameters=[ProgressQuerySerializer],
        responses=ProgressSerializer,
        description=(
            "Counts of distinct activities, in total and by status, for each Partnership "
            "Goal, Strategic Objective and priority issue of the programme. An activity that "
            "serves two goals of one priority issue counts once for that issue. Only "
            "activities the user may see are counted. Each goal also carries its latest "
            "rating (from closed stock-takes), how it changed since the previous one, and "
            "the open stock-take's draft rating. An unknown programme id is a 400 on "
            "`programme`."
        ),
    )
    def get(self, request: Request) -> Response:
        query = ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        programme = query.validated_data["programme"]
        year = query.validated_data.get("year")
        # The dashboard's and the stock-takes' counting, over what this user may see.
        scope = activity_scope(year=year, visible=visibility(request.user))
        report = {"programme": programme.pk, "year": year}
        report.update(programme_progress(programme, scope))
        ratings = goal_ratings(programme)
        for goal in report["goals"]:
            goal.update(ratings.get(goal["id"], NO_RATINGS))
        return Response(ProgressSerializer(report).data)
