"""FilterSets for the framework lists (API and pages)."""

import django_filters

from goals.models import (
    GoalAssessment,
    PartnershipGoal,
    PriorityIssue,
    Programme,
    Rating,
    StockTake,
    StrategicObjective,
)


class StrategicObjectiveFilterSet(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(queryset=Programme.objects.all())

    class Meta:
        model = StrategicObjective
        fields = ["programme"]


class PriorityIssueFilterSet(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(queryset=Programme.objects.all())

    class Meta:
        model = PriorityIssue
        fields = ["programme"]


class PartnershipGoalFilterSet(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(queryset=Programme.objects.all())
    priority_issue = django_filters.ModelChoiceFilter(queryset=PriorityIssue.objects.all())

    class Meta:
        model = PartnershipGoal
        fields = ["programme", "priority_issue"]


class GoalAssessmentFilterSet(django_filters.FilterSet):
    goal = django_filters.ModelChoiceFilter(queryset=PartnershipGoal.objects.all())
    programme = django_filters.ModelChoiceFilter(
        field_name="stocktake__programme", queryset=Programme.objects.all()
    )
    stocktake = django_filters.ModelChoiceFilter(queryset=StockTake.objects.all())
    rating = django_filters.ChoiceFilter(choices=Rating.choices)

    class Meta:
        model = GoalAssessment
        fields = ["goal", "programme", "stocktake", "rating"]
