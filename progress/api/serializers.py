"""The progress report over the API: its query parameters and its answer."""

from __future__ import annotations

from rest_framework import serializers

from goals.models import Programme, Rating


class ProgressQuerySerializer(serializers.Serializer):
    """The programme, which the progress report needs; every other parameter is an
    activity filter, as on /api/v1/activities/ (ActivityFilterSet)."""

    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.all(), help_text="The programme's id."
    )


class ActivityCountsSerializer(serializers.Serializer):
    """Distinct activities, in total and by status."""

    total = serializers.IntegerField()
    planned = serializers.IntegerField()
    ongoing = serializers.IntegerField()
    completed = serializers.IntegerField()
    postponed = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class GoalRatingSerializer(serializers.Serializer):
    """A goal's rating in one stock-take."""

    rating = serializers.ChoiceField(choices=Rating.choices)
    label = serializers.CharField(help_text='The rating in words, e.g. "On track".')
    stocktake = serializers.IntegerField(help_text="The stock-take's id.")
    stocktake_title = serializers.CharField()
    assessed_on = serializers.DateField()


class GoalProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    title_ja = serializers.CharField(
        help_text="The Japanese title where an official one exists, else empty."
    )
    priority_issue = serializers.IntegerField()
    activities = ActivityCountsSerializer()
    latest_activity_date = serializers.DateField(
        allow_null=True,
        help_text="Start of the latest activity that has taken place (ongoing or completed).",
    )
    latest_rating = GoalRatingSerializer(
        allow_null=True,
        help_text="From the most recent closed stock-take that rated the goal; null if none.",
    )
    previous_rating = GoalRatingSerializer(
        allow_null=True,
        help_text="From the closed stock-take before that one that rated the goal.",
    )
    rating_change = serializers.ChoiceField(
        choices=["improved", "declined", "unchanged", "new"],
        allow_null=True,
        help_text=(
            "From `previous_rating` to `latest_rating`, on the scale at risk < not started "
            "< limited progress < on track < achieved; `new` without a previous rating, "
            "null without a latest one."
        ),
    )
    draft_rating = GoalRatingSerializer(
        allow_null=True,
        help_text="The open stock-take's rating, which may still change; null if none.",
    )


class ObjectiveProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    title_ja = serializers.CharField(
        help_text="The Japanese title where an official one exists, else empty."
    )
    activities = ActivityCountsSerializer()
    latest_activity_date = serializers.DateField(
        allow_null=True,
        help_text="Start of the latest activity that has taken place (ongoing or completed).",
    )


class PriorityIssueProgressSerializer(ObjectiveProgressSerializer):
    pass


class TotalsSerializer(serializers.Serializer):
    activities = ActivityCountsSerializer(
        help_text="The programme's distinct activities under the filters: the `count` of "
        "/api/v1/activities/ with the same parameters."
    )


class QuarterSerializer(serializers.Serializer):
    quarter = serializers.RegexField(r"^[0-9]{4}-Q[1-4]$", help_text='e.g. "2025-Q1".')
    activities = ActivityCountsSerializer(help_text="Activities starting in the quarter.")


class ProgressSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    year = serializers.IntegerField(allow_null=True, help_text="The `year` filter, if any.")
    totals = TotalsSerializer()
    quarters = QuarterSerializer(
        many=True,
        help_text="From the first to the last quarter with a matching activity, by start "
        "date (quarters between them with zeros); empty when nothing matches.",
    )
    goals = GoalProgressSerializer(many=True)
    objectives = ObjectiveProgressSerializer(many=True)
    priority_issues = PriorityIssueProgressSerializer(many=True)
