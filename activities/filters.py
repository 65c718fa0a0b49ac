"""The one FilterSet for activities: the list page, the CSV export and the API use it."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from activities.models import (
    NATO,
    Activity,
    ActivityOrganisation,
    ActivityStatus,
    ActivityType,
    Ally,
    Organisation,
    OrganisationKind,
    ParticipantRole,
    Releasability,
    ReviewState,
)
from activities.querysets import report_due_condition, starts_between, year_bounds
from goals.models import PartnershipGoal, PriorityIssue, Programme, StrategicObjective


def _linked(through, column: str, values) -> Exists:
    # EXISTS instead of a join: no duplicate rows, so no DISTINCT over the whole list.
    return Exists(through.objects.filter(activity_id=OuterRef("pk"), **{f"{column}__in": values}))


def _chosen(value) -> bool:
    """Whether a multiple-choice filter of model objects was given any.

    Its form field cleans "none given" to `queryset.none()`, and testing that for truth
    compiles and "runs" its query (no round trip, but a millisecond of Python on every
    request for the four such filters); what was given is a queryset the field has already
    read, whose truth costs nothing."""
    if isinstance(value, QuerySet) and value.query.is_empty():
        return False
    return bool(value)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Orders as asked, then by id, so that pages never repeat or skip a row."""

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        return qs.order_by(*[self.get_ordering_value(param) for param in value], "-id")


# The years a programme can cover (NATO partnerships began in 1994).
FIRST_YEAR, LAST_YEAR = 1994, 2100


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


class ActivityFilterSet(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(queryset=Programme.objects.all())
    goal = django_filters.ModelMultipleChoiceFilter(
        queryset=PartnershipGoal.objects.select_related("priority_issue"),
        method="filter_goal",
        label=_("Partnership goal"),
    )
    objective = django_filters.ModelMultipleChoiceFilter(
        queryset=StrategicObjective.objects.all(),
        method="filter_objective",
        label=_("Strategic objective"),
    )
    priority_issue = django_filters.ModelMultipleChoiceFilter(
        queryset=PriorityIssue.objects.all(),
        method="filter_priority_issue",
        label=_("Priority issue"),
    )
    # Columns of the activity itself: no join, so no duplicates. django-filter's
    # MultipleChoiceFilter adds DISTINCT by default (for to-many fields), and DISTINCT made
    # Django count a page as COUNT(*) over SELECT DISTINCT <every column>, a sort of every
    # matching row (see docs/performance.md).
    activity_type = django_filters.MultipleChoiceFilter(
        choices=ActivityType.choices, label=_("Type"), distinct=False
    )
    status = django_filters.MultipleChoiceFilter(choices=ActivityStatus.choices, distinct=False)
    releasability = django_filters.MultipleChoiceFilter(
        choices=Releasability.choices, distinct=False
    )
    review_state = django_filters.MultipleChoiceFilter(
        choices=ReviewState.choices,
        distinct=False,
        label=_("Review"),
        help_text=_("Drafts are seen only by Editors and Programme managers, and never counted."),
    )
    report_due = django_filters.BooleanFilter(
        method="filter_report_due",
        label=_("Report due"),
        help_text=_(
            "true: activities whose end date (or start date, when they have none) has passed "
            "while still planned or ongoing; false: the others."
        ),
    )
    ally = django_filters.ModelMultipleChoiceFilter(
        queryset=Ally.objects.all(),
        to_field_name="code",
        method="filter_ally",
        label=_("Ally"),
    )
    # Who took part. The three ask one question together: activities with a participant
    # that is one of these organisations, of one of these nations, in one of these roles
    # (so organisation=<JMSDF>&organisation_role=lead is what the JMSDF led). One EXISTS.
    organisation = django_filters.ModelMultipleChoiceFilter(
        queryset=Organisation.objects.all(),
        method="filter_participants",
        label=_("Organisation"),
        help_text=_("Id of an organisation that took part; repeat for any of several."),
    )
    nation = django_filters.MultipleChoiceFilter(
        choices=lambda: participant_nations(),
        method="filter_participants",
        distinct=False,
        label=_("Nation of a participant"),
        help_text=_("An organisation's nation (an Ally's code, JP, or NATO); repeatable."),
    )
    organisation_role = django_filters.MultipleChoiceFilter(
        choices=ParticipantRole.choices,
        method="filter_participants",
        distinct=False,
        label=_("Role of the organisation"),
        help_text=_("With organisation or nation: only participants in this role (e.g. lead)."),
    )
    start_date = django_filters.DateFromToRangeFilter(label=_("Starts between"))
    year = YearFilter(
        method="filter_year",
        label=_("Year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=_("Activities starting in this year."),
    )
    period_start = django_filters.DateFilter(
        method="filter_period_start",
        label=_("Period from"),
        help_text=_("Activities starting on or after this day (as a stock-take's period)."),
    )
    period_end = django_filters.DateFilter(
        method="filter_period_end",
        label=_("Period to"),
        help_text=_("Activities starting on or before this day."),
    )
    updated_after = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Changed since"),
        help_text=_("ISO 8601 date and time; for consumers that sync only what changed."),
    )
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    ordering = StableOrderingFilter(
        fields=["start_date", "end_date", "title", "updated_at"],
        label=_("Sort by"),
    )

    class Meta:
        model = Activity
        fields: list[str] = []

    def get_form_class(self) -> type[forms.Form]:
        # django-filter builds a form class (a field per filter) for every filter set, half
        # a millisecond of every list, progress and feed request. This class's filters are
        # always the class's own, so its form class is built once; a subclass may change
        # its instance's filters (the list page's widgets and choices) and builds its own.
        # (Each form still gets copies of the fields, as Django's forms do.)
        if type(self) is not ActivityFilterSet:
            return super().get_form_class()
        form_class = ActivityFilterSet.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            ActivityFilterSet._form_class = form_class
        return form_class

    def filter_goal(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not _chosen(value):
            return queryset
        return queryset.filter(_linked(Activity.goals.through, "partnershipgoal", value))

    def filter_objective(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not _chosen(value):
            return queryset
        return queryset.filter(_linked(Activity.objectives.through, "strategicobjective", value))

    def filter_priority_issue(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not _chosen(value):
            return queryset
        return queryset.filter(
            _linked(Activity.goals.through, "partnershipgoal__priority_issue", value)
        )

    def filter_ally(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not _chosen(value):
            return queryset
        return queryset.filter(_linked(Activity.allies.through, "ally", value))

    def filter_participants(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # all three at once, in filter_queryset()

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        conditions = {}
        if _chosen(data.get("organisation")):
            conditions["organisation__in"] = data["organisation"]
        if data.get("nation"):
            conditions["organisation__nation__in"] = data["nation"]
        if data.get("organisation_role"):
            conditions["role__in"] = data["organisation_role"]
        if not conditions:
            return queryset
        # EXISTS, not a join: no row twice, so no DISTINCT (see _linked).
        participants = ActivityOrganisation.objects.filter(activity_id=OuterRef("pk"))
        return queryset.filter(Exists(participants.filter(**conditions)))

    def filter_report_due(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        due = report_due_condition()
        return queryset.filter(due) if value else queryset.exclude(due)

    def filter_year(self, queryset: QuerySet, name: str, value: int | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(starts_between(*year_bounds(value)))

    def filter_period_start(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(starts_between(start=value)) if value else queryset

    def filter_period_end(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(starts_between(end=value)) if value else queryset

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        # Either language of the bilingual texts (title_ja, …): one OR of column conditions,
        # so no row repeats and no DISTINCT is needed.
        return queryset.filter(
            Q(title__icontains=value)
            | Q(title_ja__icontains=value)
            | Q(description__icontains=value)
            | Q(description_ja__icontains=value)
            | Q(location__icontains=value)
            | Q(outcome__icontains=value)
            | Q(outcome_ja__icontains=value)
        )


# The link filters work through a method, so the API schema is told their types here.
for _name in ("goal", "objective", "priority_issue", "year", "organisation"):
    extend_schema_field(OpenApiTypes.INT)(ActivityFilterSet.base_filters[_name])
for _name in ("period_start", "period_end"):
    extend_schema_field(OpenApiTypes.DATE)(ActivityFilterSet.base_filters[_name])
extend_schema_field({"type": "string", "pattern": "^[A-Z]{2}$"})(
    ActivityFilterSet.base_filters["ally"]
)
# Its choices are read when used (the organisations' nations): an Ally's code, JP, or NATO.
extend_schema_field({"type": "string", "pattern": "^([A-Z]{2}|NATO)$"})(
    ActivityFilterSet.base_filters["nation"]
)


def nation_choices() -> list[tuple[str, str]]:
    """What an organisation's nation may be: an Ally, a programme's partner, or NATO."""
    partners = Programme.objects.exclude(partner_code="").values_list("partner_code", "partner")
    allies = Ally.objects.values_list("code", "name")
    return [(NATO, "NATO"), *sorted(set(partners)), *allies]


def participant_nations() -> list[tuple[str, str]]:
    """The nations of the organisations there are (what the activity filter `nation` can
    find), named, in one query: the activity list's form builds them on every page."""
    ally = Ally.objects.filter(code=OuterRef("nation")).values("name")[:1]
    rows = (
        Organisation.objects.order_by()
        .annotate(ally_name=Subquery(ally))
        .values_list("nation", "ally_name", "programme__partner", "programme__partner_code")
        .distinct()
    )
    names: dict[str, str] = {}
    for nation, ally_name, partner, partner_code in rows:
        if nation == NATO:
            names[nation] = "NATO"
        elif ally_name:
            names[nation] = ally_name
        elif nation == partner_code:
            names[nation] = partner
        else:
            names.setdefault(nation, nation)
    return sorted(names.items(), key=lambda item: (item[0] != NATO, item[1]))


class OrganisationFilterSet(django_filters.FilterSet):
    """`/api/v1/organisations/`: by programme, nation (repeatable), kind, and a search in
    every name."""

    programme = django_filters.ModelChoiceFilter(queryset=Programme.objects.all())
    nation = django_filters.MultipleChoiceFilter(
        choices=lambda: nation_choices(),
        help_text=_("An Ally's code, the partner's (JP) or NATO; repeat for any of several."),
    )
    kind = django_filters.MultipleChoiceFilter(choices=OrganisationKind.choices)
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))

    class Meta:
        model = Organisation
        fields = ["programme", "nation", "kind", "search"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(name_ja__icontains=word) | Q(short_name__icontains=word)
            )
        return queryset
