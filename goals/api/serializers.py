"""The programme framework (read-only), the progress report, and goal assessments."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from goals import services
from goals.models import (
    CLOSED_MESSAGE,
    GoalAssessment,
    PartnershipGoal,
    PriorityIssue,
    Programme,
    StockTake,
    StrategicObjective,
)
from itpp.api.serializers import ValidatedModelSerializer


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "partner",
            "name",
            "name_ja",
            "start_year",
            "end_year",
            "description",
            "description_ja",
        ]


class StrategicObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = StrategicObjective
        fields = ["id", "programme", "number", "title", "title_ja", "description", "description_ja"]


class PriorityIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriorityIssue
        fields = ["id", "programme", "number", "title", "title_ja"]


class PartnershipGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnershipGoal
        fields = [
            "id",
            "programme",
            "priority_issue",
            "title",
            "title_ja",
            "statement",
            "statement_ja",
            "order",
        ]


class GoalAssessmentSerializer(ValidatedModelSerializer):
    """Programme managers write assessments while their stock-take is open; the rules are
    the model's (a goal of the stock-take's programme, one per goal and stock-take)."""

    stocktake = serializers.PrimaryKeyRelatedField(
        queryset=StockTake.objects.all(), help_text="The id of an open stock-take."
    )
    goal = serializers.PrimaryKeyRelatedField(
        queryset=PartnershipGoal.objects.all(),
        help_text="The id of a goal of the stock-take's programme, not yet assessed in it.",
    )
    programme = serializers.IntegerField(source="stocktake.programme_id", read_only=True)
    stocktake_status = serializers.CharField(source="stocktake.status", read_only=True)
    assessed_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who last wrote it: the user making the request.",
    )

    class Meta:
        model = GoalAssessment
        fields = [
            "id",
            "programme",
            "stocktake",
            "stocktake_status",
            "goal",
            "rating",
            "narrative",
            "next_steps",
            "assessed_by",
            "assessed_on",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # The model's constraint says it, on the goal (see ValidatedModelSerializer).
        validators: list = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Said first and on the field, whichever other rule the request breaks too: the
        # stock-take, once closed, is what makes any change impossible.
        for stocktake in (attrs.get("stocktake"), getattr(self.instance, "stocktake", None)):
            if stocktake is not None and stocktake.is_closed:
                raise serializers.ValidationError({"stocktake": [CLOSED_MESSAGE]})
        return super().validate(attrs)

    def create(self, validated_data: dict[str, Any]) -> GoalAssessment:
        return self._write(GoalAssessment(), validated_data)

    def update(self, instance: GoalAssessment, validated_data: dict[str, Any]) -> GoalAssessment:
        return self._write(instance, validated_data)

    def _write(self, assessment: GoalAssessment, data: dict[str, Any]) -> GoalAssessment:
        try:
            return services.save_assessment(
                assessment=assessment, user=self.context["request"].user, data=data
            )
        except DjangoValidationError as error:
            # Closed between validation and the write (the service checks under a lock).
            raise serializers.ValidationError({"stocktake": error.messages}) from None
