from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from goals import tasks
from goals.forms import StockTakeAdminForm
from goals.models import (
    GoalAssessment,
    PartnershipGoal,
    PriorityIssue,
    Programme,
    StockTake,
    StrategicObjective,
)
from itpp.admin import HistoryAdmin
from itpp.tasks import enqueue

CLOSED_NOTICE = _("This stock-take is closed: it is a record and can no longer be changed.")


class StrategicObjectiveInline(admin.TabularInline):
    model = StrategicObjective
    extra = 0
    fields = ["number", "title", "title_ja", "description", "description_ja"]


class PriorityIssueInline(admin.TabularInline):
    model = PriorityIssue
    extra = 0
    fields = ["number", "title", "title_ja"]


class PartnershipGoalInline(admin.TabularInline):
    model = PartnershipGoal
    extra = 0
    fields = ["order", "title", "title_ja", "statement", "statement_ja"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("programme")


@admin.register(Programme)
class ProgrammeAdmin(HistoryAdmin):
    list_display = ["__str__", "partner", "start_year", "end_year", "goal_count"]
    list_filter = ["partner"]
    search_fields = ["partner", "name", "name_ja", "description", "description_ja"]
    inlines = [StrategicObjectiveInline, PriorityIssueInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(goal_count=Count("partnership_goals"))

    @admin.display(description=_("Partnership goals"), ordering="goal_count")
    def goal_count(self, obj: Programme) -> int:
        return obj.goal_count


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(HistoryAdmin):
    # progress/admin.py adds each objective's count of activities (goals sits below them).
    list_display = ["__str__", "programme"]
    list_filter = ["programme"]
    search_fields = ["title", "title_ja", "description", "description_ja"]
    list_select_related = ["programme"]


@admin.register(PriorityIssue)
class PriorityIssueAdmin(HistoryAdmin):
    list_display = ["__str__", "programme", "goal_count"]
    list_filter = ["programme"]
    search_fields = ["title", "title_ja"]
    list_select_related = ["programme"]
    inlines = [PartnershipGoalInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(goal_count=Count("partnership_goals"))

    @admin.display(description=_("Partnership goals"), ordering="goal_count")
    def goal_count(self, obj: PriorityIssue) -> int:
        return obj.goal_count


@admin.register(PartnershipGoal)
class PartnershipGoalAdmin(HistoryAdmin):
    # progress/admin.py adds each goal's count of activities and, on its page, the latest
    # of them (goals sits below activities).
    list_display = ["order", "title", "priority_issue", "programme"]
    list_display_links = ["order", "title"]
    list_filter = ["programme", "priority_issue"]
    search_fields = ["title", "title_ja", "statement", "statement_ja"]
    list_select_related = ["programme", "priority_issue"]
    fields = [
        "programme",
        "priority_issue",
        "order",
        "title",
        "title_ja",
        "statement",
        "statement_ja",
    ]


class ClosedRecordAdminMixin:
    """A closed stock-take is a record: it and its assessments can be read, never edited,
    and the page says why the fields cannot be changed."""

    def is_closed(self, obj) -> bool:
        raise NotImplementedError

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        closed = obj is not None and self.is_closed(obj)
        return not closed and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        closed = obj is not None and self.is_closed(obj)
        return not closed and super().has_delete_permission(request, obj)

    def change_view(self, request: HttpRequest, object_id: str, *args, **kwargs):
        obj = self.get_object(request, object_id)
        if obj is not None and self.is_closed(obj) and request.method == "GET":
            self.message_user(request, CLOSED_NOTICE, messages.INFO)
        return super().change_view(request, object_id, *args, **kwargs)


class GoalAssessmentInline(admin.TabularInline):
    model = GoalAssessment
    extra = 0
    fields = ["goal", "rating", "narrative", "next_steps", "assessed_on", "assessed_by"]
    readonly_fields = ["assessed_by"]
    autocomplete_fields = ["goal"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return not (obj and obj.is_closed) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return not (obj and obj.is_closed) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return not (obj and obj.is_closed) and super().has_delete_permission(request, obj)


@admin.register(StockTake)
class StockTakeAdmin(ClosedRecordAdminMixin, HistoryAdmin):
    form = StockTakeAdminForm
    list_display = ["title", "programme", "period_start", "period_end", "status", "closed_at"]
    list_filter = ["programme", "status"]
    search_fields = ["title"]
    list_select_related = ["programme"]
    readonly_fields = ["status", "closed_at", "closed_by"]
    inlines = [GoalAssessmentInline]
    actions = ["close_selected"]

    def is_closed(self, obj: StockTake) -> bool:
        return obj.is_closed

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        for assessment in formset.save(commit=False):
            assessment.assessed_by = request.user
            assessment.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

    # Closing changes the stock-take: an action without permissions is offered to anyone
    # who may view the list.
    @admin.action(
        description=_("Close the selected stock-takes (freezes their snapshot)"),
        permissions=["change"],
    )
    def close_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        # A worker closes them (goals/tasks.py); in-process when no worker is configured.
        chosen = list(queryset.filter(status="open").values_list("pk", flat=True))
        for pk in chosen:
            enqueue(tasks.close_stocktake, pk, request.user.pk)
        closed = StockTake.objects.filter(pk__in=chosen, status="closed").count()
        if closed:
            self.message_user(
                request,
                ngettext(
                    "Closed %(count)d stock-take(s).", "Closed %(count)d stock-take(s).", closed
                )
                % {"count": closed},
                messages.SUCCESS,
            )
        if len(chosen) > closed:
            self.message_user(
                request,
                ngettext(
                    "Closing %(count)d stock-take(s) in the background: reload the "
                    "list in a moment.",
                    "Closing %(count)d stock-take(s) in the background: reload the "
                    "list in a moment.",
                    len(chosen) - closed,
                )
                % {"count": len(chosen) - closed},
                messages.INFO,
            )


@admin.register(GoalAssessment)
class GoalAssessmentAdmin(ClosedRecordAdminMixin, HistoryAdmin):
    list_display = ["goal", "stocktake", "rating", "assessed_on", "assessed_by"]
    list_filter = ["stocktake__programme", "stocktake", "rating", "goal__priority_issue"]
    search_fields = ["goal__title", "narrative", "next_steps"]
    list_select_related = ["goal", "stocktake", "assessed_by"]
    autocomplete_fields = ["goal"]
    readonly_fields = ["assessed_by"]

    def is_closed(self, obj: GoalAssessment) -> bool:
        return obj.stocktake.is_closed

    def save_model(self, request: HttpRequest, obj: GoalAssessment, form, change: bool) -> None:
        obj.assessed_by = request.user
        super().save_model(request, obj, form, change)
