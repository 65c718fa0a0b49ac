from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from import_export.admin import ImportExportModelAdmin

from activities.forms import ActivityForm
from activities.models import Activity, Ally
from activities.resources import ActivityResource


@admin.register(Ally)
class AllyAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class StartYearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        years = Activity.objects.dates("start_date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() and self.value().isdigit():
            return queryset.filter(start_date__year=int(self.value()))
        return queryset


@admin.register(Activity)
class ActivityAdmin(ImportExportModelAdmin):
    form = ActivityForm
    resource_classes = [ActivityResource]
    list_display = [
        "title",
        "start_date",
        "end_date",
        "activity_type",
        "status",
        "goal_list",
        "programme",
        "updated_at",
    ]
    list_filter = [
        "programme",
        "goals__priority_issue",
        "goals",
        "status",
        "activity_type",
        StartYearFilter,
        "allies",
    ]
    search_fields = ["title", "description", "location", "outcome", "lead_organisation"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["goals", "objectives", "allies"]
    list_select_related = ["programme"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    fieldsets = [
        (None, {"fields": ["programme", "title", "activity_type", "status"]}),
        ("When and where", {"fields": ["start_date", "end_date", "location"]}),
        ("Under the programme", {"fields": ["goals", "objectives"]}),
        (
            "Who took part",
            {"fields": ["lead_organisation", "allies", "participants", "women_participants"]},
        ),
        ("What happened", {"fields": ["description", "outcome"]}),
        ("Record", {"fields": readonly_fields, "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("goals")

    @admin.display(description="Partnership goals")
    def goal_list(self, obj: Activity) -> str:
        return "; ".join(goal.title for goal in obj.goals.all())

    def save_model(self, request: HttpRequest, obj: Activity, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def get_export_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_export_queryset(request).with_related()
