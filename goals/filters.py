"""FilterSets for the framework lists (API and pages)."""

import django_filters

from goals.models import PartnershipGoal, PriorityIssue, Programme, StrategicObjective


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
