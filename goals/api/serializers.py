"""Read-only representations of the programme framework, and the progress report."""

from rest_framework import serializers

from goals.models import (
    GoalAssessment,
    PartnershipGoal,
    PriorityIssue,
    Programme,
    StrategicObjective,
)


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "partner", "name", "start_year", "end_year", "description"]


class StrategicObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = StrategicObjective
        fields = ["id", "programme", "number", "title", "description"]


class PriorityIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriorityIssue
        fields = ["id", "programme", "number", "title"]


class PartnershipGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnershipGoal
        fields = ["id", "programme", "priority_issue", "title", "statement", "order"]


class ProgressQuerySerializer(serializers.Serializer):
    """The query parameters of the progress report."""

    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.all(), help_text="The programme's id."
    )
    year = serializers.IntegerField(
        required=False,
        min_value=1994,
        max_value=2100,
        help_text="Count only activities starting in this year (all years if omitted).",
    )


class ActivityCountsSerializer(serializers.Serializer):
    """Distinct activities, in total and by status."""

    total = serializers.IntegerField()
    planned = serializers.IntegerField()
    ongoing = serializers.IntegerField()
    completed = serializers.IntegerField()
    postponed = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class GoalProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    priority_issue = serializers.IntegerField()
    activities = ActivityCountsSerializer()
    latest_activity_date = serializers.DateField(
        allow_null=True,
        help_text="Start of the latest activity that has taken place (ongoing or completed).",
    )


class ObjectiveProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    activities = ActivityCountsSerializer()
    latest_activity_date = serializers.DateField(
        allow_null=True,
        help_text="Start of the latest activity that has taken place (ongoing or completed).",
    )


class PriorityIssueProgressSerializer(ObjectiveProgressSerializer):
    pass


class ProgressSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    year = serializers.IntegerField(allow_null=True)
    goals = GoalProgressSerializer(many=True)
    objectives = ObjectiveProgressSerializer(many=True)
    priority_issues = PriorityIssueProgressSerializer(many=True)


class GoalAssessmentSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="stocktake.programme_id", read_only=True)
    stocktake_status = serializers.CharField(source="stocktake.status", read_only=True)
    assessed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
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
