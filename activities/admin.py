from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from activities.forms import ActivityForm
from activities.imports import IMPORT_FORMATS, ActivityImportForm, ImportRefused
from activities.models import Activity, Ally, DeletedActivity
from activities.querysets import RESTRICTED, VIEW_RESTRICTED, deleted_activities
from activities.resources import IMPORT_PERMISSIONS, ActivityResource
from itpp.history import restorable_version


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
class ActivityAdmin(ImportExportMixin, SimpleHistoryAdmin):
    form = ActivityForm
    # --- spreadsheet import and export (django-import-export; see activities/resources.py)
    resource_classes = [ActivityResource]
    import_formats = IMPORT_FORMATS
    import_form_class = ActivityImportForm
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
        "releasability",
        StartYearFilter,
        "allies",
    ]
    search_fields = ["title", "description", "location", "outcome", "lead_organisation"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["goals", "objectives", "allies"]
    list_select_related = ["programme"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    fieldsets = [
        (None, {"fields": ["programme", "title", "activity_type", "status", "releasability"]}),
        ("When and where", {"fields": ["start_date", "end_date", "location"]}),
        ("Under the programme", {"fields": ["goals", "objectives"]}),
        (
            "Who took part",
            {"fields": ["lead_organisation", "allies", "participants", "women_participants"]},
        ),
        ("What happened", {"fields": ["description", "outcome"]}),
        ("Record", {"fields": readonly_fields, "classes": ["collapse"]}),
    ]

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class FormForUser(form):
            # As on the pages: "Restricted" is offered only to those who may see it.
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, user=user, **form_kwargs)

        return FormForUser

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The admin honours releasability like every other view.
        return super().get_queryset(request).visible_to(request.user).prefetch_related("goals")

    @admin.display(description="Partnership goals")
    def goal_list(self, obj: Activity) -> str:
        return "; ".join(goal.title for goal in obj.goals.all())

    def save_model(self, request: HttpRequest, obj: Activity, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    history_list_display = ["history_channel"]

    def _hide_restricted_history(self, request: HttpRequest, object_id: str) -> None:
        # simple-history's views read the historical table directly, around get_queryset().
        if request.user.has_perm(VIEW_RESTRICTED):
            return
        if Activity.history.filter(id=unquote(object_id), releasability=RESTRICTED).exists():
            raise Http404

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._hide_restricted_history(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id, extra_context=None
    ):
        self._hide_restricted_history(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_export_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_export_queryset(request).with_related()

    def has_import_permission(self, request: HttpRequest) -> bool:
        # Editors and Programme managers: a staff Viewer gets no button and a 403.
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict:
        # The resource checks rows for this user (releasability, what they may see).
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def add_data_read_fail_error_to_form(self, form, e: Exception) -> None:
        if isinstance(e, ImportRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_result(self, result, request: HttpRequest):
        # A row refused at the confirming step rolled the whole file back: say so, rather
        # than "Import finished".
        if result.has_errors() or result.has_validation_errors():
            problems = [
                f"Row {row.number}, {field}: {' '.join(messages_)}"
                for row in result.invalid_rows
                for field, messages_ in row.error_dict.items()
            ] + [f"Row {number}: {errors[0].error}" for number, errors in result.row_errors()]
            self.message_user(
                request,
                "Nothing was imported. " + " ".join(problems),
                level=messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:activities_activity_import"))
        return super().process_result(result, request)


@admin.register(DeletedActivity)
class DeletedActivityAdmin(admin.ModelAdmin):
    """Deleted activities, each with a link to restore its last version.

    Nothing is gone for good: the restore link opens the version in the activity form,
    with its goals, objectives and Allies, and saving it brings the activity back under
    its old id.
    """

    list_display = ["title", "start_date", "history_date", "history_user", "restore_link"]
    list_select_related = ["history_user"]
    search_fields = ["title"]
    date_hierarchy = "history_date"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The same list as the pages' (activities.querysets.deleted_activities).
        shown = deleted_activities(request.user).values("history_id")
        return super().get_queryset(request).filter(history_id__in=shown)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("activities.delete_activity")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @admin.display(description="Restore")
    def restore_link(self, obj) -> str:
        version = restorable_version(Activity.history.filter(id=obj.id))
        if version is None:
            return "—"
        url = reverse("admin:activities_activity_simple_history", args=[obj.id, version.history_id])
        return format_html('<a href="{}">Restore this activity…</a>', url)
