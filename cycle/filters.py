"""The filters of follow-up actions (the API's list)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cycle.models import FollowUp, FollowUpStatus
from goals.models import PartnershipGoal, Programme

# Ids are bigints: a larger number is no id, and is refused before it reaches a query.
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class ActivityIdFilter(django_filters.Filter):
    """An activity's id, not a choice among activities: whether a restricted activity
    exists must not show in a 400 (unknown) versus a 200 (empty list)."""

    field_class = forms.IntegerField


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); empty is "not given"; anything else is an error, not ignored
    (NullBooleanField's select widget would read it as empty)."""

    widget = forms.TextInput

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise forms.ValidationError(gettext("Enter true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class FollowUpFilterSet(django_filters.FilterSet):
    activity = ActivityIdFilter(
        field_name="activity_id", min_value=1, max_value=MAX_ID, help_text=_("An activity's id.")
    )
    owner = django_filters.CharFilter(
        field_name="owner__username", max_length=150, help_text=_("The owner's username.")
    )
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices)
    overdue = StrictBooleanFilter(
        method="filter_overdue",
        help_text=_("true: open past their due date; false: the others."),
    )
    goal = django_filters.ModelChoiceFilter(queryset=PartnershipGoal.objects.all())
    programme = django_filters.ModelChoiceFilter(
        field_name="activity__programme", queryset=Programme.objects.all()
    )

    class Meta:
        model = FollowUp
        fields = ["activity", "owner", "status", "overdue", "goal", "programme"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        condition = Q(status=FollowUpStatus.OPEN, due_date__lt=timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)


extend_schema_field(OpenApiTypes.BOOL)(FollowUpFilterSet.base_filters["overdue"])
