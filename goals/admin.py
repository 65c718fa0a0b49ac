from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join

from activities.querysets import visibility
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

CLOSED_NOTICE = "This stock-take is closed: it is a record and can no longer be changed."

GOAL_ACTIVITIES_SHOWN = 20


def with_visible_activity_counts(
    queryset: QuerySet, user: AbstractBaseUser | AnonymousUser
) -> QuerySet:
    """The rows annotated with the number of activities `user` may see (`activities_total`),
    each linked activity once, as progress counts them (the link tables hold each pair once;
    a test compares the two)."""
    # The model through the relation, not an import: goals sits below activities.
    activities = queryset.model._meta.get_field("activities").related_model.objects
    visible = activities.visible_to(user).values("pk")
    counted = queryset.annotate(
        activities_total=Count("activities", filter=Q(activities__in=visible))
    )
    # Meta.ordering does not apply to a GROUP BY query; the autocompletes page through it.
    return counted.order_by(*queryset.model._meta.ordering)


def activities_changelist_link(query: str, count: int) -> str:
    url = reverse("admin:activities_activity_changelist")
    label = "1 activity" if count == 1 else f"{count} activities"
    return format_html('<a href="{}?{}">{}</a>', url, query, label)


class StrategicObjectiveInline(admin.TabularInline):
    model = StrategicObjective
    extra = 0
    fields = ["number", "title", "description"]


class PriorityIssueInline(admin.TabularInline):
    model = PriorityIssue
    extra = 0
    fields = ["number", "title"]


class PartnershipGoalInline(admin.TabularInline):
    model = PartnershipGoal
    extra = 0
    fields = ["order", "title", "statement"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("programme")


@admin.register(Programme)
class ProgrammeAdmin(HistoryAdmin):
    list_display = ["__str__", "partner", "start_year", "end_year", "goal_count"]
    list_filter = ["partner"]
    search_fields = ["partner", "name", "description"]
    inlines = [StrategicObjectiveInline, PriorityIssueInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(goal_count=Count("partnership_goals"))

    @admin.display(description="Partnership goals", ordering="goal_count")
    def goal_count(self, obj: Programme) -> int:
        return obj.goal_count

    def get_deleted_objects(self, objs, request: HttpRequest) -> tuple:
        """The delete page lists the activities that keep a programme from being deleted;
        restricted ones are counted, not named, for whoever may not see them."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        condition = visibility(request.user)
        if condition is None:
            return deleted, counts, perms_needed, protected
        hidden = [
            str(activity)
            for programme in objs
            for activity in programme.activities.exclude(condition)
        ]
        if hidden:
            # The entries are "Activity: <name>" (linked or not), made by Django's admin.
            names = {escape(name) for name in hidden} | set(hidden)
            protected = [
                entry
                for entry in protected
                if not any(str(entry).endswith((name, f"{name}</a>")) for name in names)
            ]
            protected.append(
                f"{len(hidden)} restricted activit{'y' if len(hidden) == 1 else 'ies'}"
            )
        return deleted, counts, perms_needed, protected


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(HistoryAdmin):
    list_display = ["__str__", "programme", "activity_count"]
    list_filter = ["programme"]
    search_fields = ["title", "description"]
    list_select_related = ["programme"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_visible_activity_counts(super().get_queryset(request), request.user)

    @admin.display(description="Activities", ordering="activities_total")
    def activity_count(self, obj: StrategicObjective) -> str:
        return activities_changelist_link(f"objectives__id__exact={obj.pk}", obj.activities_total)


@admin.register(PriorityIssue)
class PriorityIssueAdmin(HistoryAdmin):
    list_display = ["__str__", "programme", "goal_count"]
    list_filter = ["programme"]
    search_fields = ["title"]
    list_select_related = ["programme"]
    inlines = [PartnershipGoalInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(goal_count=Count("partnership_goals"))

    @admin.display(description="Partnership goals", ordering="goal_count")
    def goal_count(self, obj: PriorityIssue) -> int:
        return obj.goal_count


@admin.register(PartnershipGoal)
class PartnershipGoalAdmin(HistoryAdmin):
    list_display = ["order", "title", "priority_issue", "programme", "activity_count"]
    list_display_links = ["order", "title"]
    list_filter = ["programme", "priority_issue"]
    search_fields = ["title", "statement"]
    list_select_related = ["programme", "priority_issue"]
    fields = ["programme", "priority_issue", "order", "title", "statement", "recent_activities"]
    readonly_fields = ["recent_activities"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_visible_activity_counts(super().get_queryset(request), request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        goal = super().get_object(request, object_id, from_field)
        if goal is not None:
            # Read-only fields get the object alone; this says whose eyes they are for.
            goal.shown_to = request.user
        return goal

    @admin.display(description="Activities", ordering="activities_total")
    def activity_count(self, obj: PartnershipGoal) -> str:
        return activities_changelist_link(f"goals__id__exact={obj.pk}", obj.activities_total)

    @admin.display(description="Activities under this goal")
    def recent_activities(self, obj: PartnershipGoal) -> str:
        user = getattr(obj, "shown_to", None)
        if obj.pk is None or user is None:
            return "—"  # e.g. a historical version's page: the list is today's anyway
        visible = obj.activities.visible_to(user)
        activities = visible.order_by("-start_date", "-id")[:GOAL_ACTIVITIES_SHOWN]
        if not activities:
            return "None yet."
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> — {}, {}</li>',
            (
                (
                    reverse("admin:activities_activity_change", args=[a.pk]),
                    a.title,
                    a.start_date.strftime("%d %b %Y"),
                    a.get_status_display(),
                )
                for a in activities
            ),
        )
        total = visible.count()
        return format_html(
            "<ul>{}</ul><p>{}</p>",
            items,
            activities_changelist_link(f"goals__id__exact={obj.pk}", total),
        )


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
        description="Close the selected stock-takes (freezes their snapshot)",
        permissions=["change"],
    )
    def close_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        # A worker closes them (goals/tasks.py); in-process when no worker is configured.
        chosen = list(queryset.filter(status="open").values_list("pk", flat=True))
        for pk in chosen:
            enqueue(tasks.close_stocktake, pk, request.user.pk)
        closed = StockTake.objects.filter(pk__in=chosen, status="closed").count()
        if closed:
            self.message_user(request, f"Closed {closed} stock-take(s).", messages.SUCCESS)
        if len(chosen) > closed:
            self.message_user(
                request,
                f"Closing {len(chosen) - closed} stock-take(s) in the background: reload the "
                "list in a moment.",
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
