"""The programme framework (read-only) and goal assessments. Where a programme stands
(the progress report) is progress.api."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions

from goals import services
from goals.api.serializers import (
    GoalAssessmentSerializer,
    PartnershipGoalSerializer,
    PriorityIssueSerializer,
    ProgrammeSerializer,
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
from itpp.api.views import ModelViewSet, ReadOnlyModelViewSet


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
