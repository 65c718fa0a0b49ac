"""The admin door to the activity log. It reads through `visible_to()` and writes through
activities.services, like the pages and the API: releasability is checked for the user,
the version is claimed atomically (a stale form is refused), and the change log records
the `admin` channel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from import_export.admin import ImportExportMixin

from activities.forms import MAX_VERSION, ActivityForm
from activities.history import changes_since, past_withheld_from
from activities.imports import IMPORT_FORMATS, ActivityImportForm, ImportRefused
from activities.models import (
    Activity,
    ActivityOrganisation,
    Ally,
    DeletedActivity,
    Organisation,
    Releasability,
)
from activities.querysets import (
    RESTORE_PERMISSIONS,
    deleted_activities,
    releasability_choices,
)
from activities.resources import IMPORT_PERMISSIONS, ActivityResource
from activities.services import (
    PARTICIPANTS,
    VersionConflict,
    create_activity,
    delete_activity,
    restore_activity,
    update_activity,
)
from itpp.admin import HistoryAdmin
from itpp.history import history_batch, restorable_version


@admin.register(Ally)
class AllyAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    """The bodies that take part in a programme's activities, kept per programme."""

    list_display = ["name", "short_name", "name_ja", "nation", "kind", "programme"]
    list_filter = ["programme", "kind", "nation"]
    search_fields = ["name", "name_ja", "short_name"]
    list_select_related = ["programme"]


class StartYearFilter(admin.SimpleListFilter):
    title = gettext_lazy("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        # Only years holding an activity the user may see: a year of restricted
        # activities alone would tell that they exist.
        years = Activity.objects.visible_to(request.user).dates("start_date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() and self.value().isdigit():
            return queryset.filter(start_date__year=int(self.value()))
        return queryset


class ReleasabilityFilter(admin.SimpleListFilter):
    """The releasability levels the user may choose on the forms ("Restricted" only for
    those who may see restricted activities); same parameter as Django's own filter."""

    title = gettext_lazy("releasability")
    parameter_name = "releasability__exact"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return releasability_choices(Releasability.choices, request.user)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in Releasability.values:
            return queryset.filter(releasability=self.value())
        return queryset


def conflict_message(
    activity_id: int, opened: int, proposed: dict[str, Any], *, user: AbstractBaseUser
) -> str:
    """What the admin says when its form is older than the activity: who saved since, and
    which fields (by label; their values are on the activity's page and history). A past
    withheld from `user` (activities.history.past_withheld_from) names no one."""
    report = changes_since(activity_id, opened, proposed, user=user)
    fields = ", ".join(label for label, _now, _yours in report["lines"])
    parts = [saved_since(report)]
    if fields:
        parts.append(_("Their changes differ from yours in: %(fields)s.") % {"fields": fields})
    parts.append(
        _(
            "Nothing was saved. Your input is kept below: save "
            "again to put it over their changes, or reload the activity to start from the "
            "version it is now."
        )
    )
    return " ".join(parts)


def saved_since(report: dict[str, Any]) -> str:
    """Who saved an activity since the user opened it, from `changes_since()`: user, door
    and time only (the values are on the activity's page, for those who may see them)."""
    saves = "; ".join(
        _("%(user)s (%(channel)s) on %(when)s")
        % {
            "user": entry["user"] or _("the system"),
            "channel": entry["channel"],
            "when": date_format(timezone.localtime(entry["at"]), "DATETIME_FORMAT"),
        }
        for entry in report["saves"]
    )
    return _("Someone else saved this activity since you opened it: %(saves)s.") % {
        "saves": saves or _("another save")
    }


class ActivityAdminForm(ActivityForm):
    """The admin's activity form: the base form's rules, plus the version the form was
    opened with, so that saving over a newer version is refused (no lost edits)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_VERSION
    )

    class Meta(ActivityForm.Meta):
        # The model's column is not editable; the form carries it as its own field.
        exclude = ["version"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The admin passes the request's user (ActivityAdmin.get_form); without one, the
        # conflict message treats the reader as not cleared for restricted activities.
        self.user = kwargs.get("user") or AnonymousUser()
        super().__init__(*args, **kwargs)
        pk = self.instance.pk
        # The activity as it stands (the instance may be a historical version being
        # reverted to); None when adding, or restoring a deleted activity.
        self.current_version = (
            Activity.objects.filter(pk=pk).values_list("version", flat=True).first()
            if pk is not None
            else None
        )
        if self.current_version is None:
            self.fields.pop("version", None)
        elif "version" in self.fields:
            self.fields["version"].initial = self.current_version

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if self.current_version is None or "version" not in self.fields:
            return cleaned_data
        # The field is hidden, so its own error would not show: one message above the form.
        self._errors.pop("version", None)
        opened = cleaned_data.get("version")
        if opened is None:
            self.add_error(
                None,
                _(
                    "This form came without the version of the activity it was opened with (or "
                    "with one that is not valid), so it cannot tell whether someone saved since. "
                    "Reload the activity and make your changes again."
                ),
            )
        elif opened != self.current_version:
            proposed = {name: value for name, value in cleaned_data.items() if name != "version"}
            self.add_error(
                None, conflict_message(self.instance.pk, opened, proposed, user=self.user)
            )
            # Saving again is then a conscious choice over the version just reported.
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = self.current_version
        return cleaned_data


def form_values(form: forms.ModelForm) -> dict[str, Any]:
    """The activity's fields and links as the form cleaned them, for the services."""
    return {
        name: form.cleaned_data[name]
        for name in ActivityForm.Meta.fields
        if name in form.fields and name in form.cleaned_data
    }


def copy_state(saved: Activity, onto: Activity) -> None:
    """Make the admin's instance the one a service saved, for the admin's log and redirect."""
    for field in Activity._meta.concrete_fields:
        setattr(onto, field.attname, getattr(saved, field.attname))
    onto._state.adding = False


class ParticipantFormSet(BaseInlineFormSet):
    """The participant rows under the activity: the one rule of every door
    (`Activity.clean_links()`: organisations of the activity's programme, known roles,
    each organisation once), as one message above the rows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        total = f"{self.prefix}-TOTAL_FORMS"
        if self.is_bound and total not in self.data:
            # A post without the rows (a script, or a form from before they existed) leaves
            # the participants as they are, as the API does when `organisations` is left out.
            self.data = self.data.copy()
            self.data[total] = self.data[f"{self.prefix}-INITIAL_FORMS"] = "0"

    def participant_pairs(self) -> list[tuple[Organisation, str]]:
        """The rows kept, as (organisation, role): what the service is given."""
        return [
            (form.cleaned_data["organisation"], form.cleaned_data.get("role") or "participant")
            for form in self.forms
            if form.cleaned_data
            and form.cleaned_data.get("organisation") is not None
            and not form.cleaned_data.get("DELETE")
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        # The parent form has set the programme on the instance by now (the admin
        # validates the activity's form before its formsets).
        programme = self.instance.programme if self.instance.programme_id else None
        try:
            Activity.clean_links(programme, None, organisations=self.participant_pairs())
        except ValidationError as error:
            raise ValidationError(error.message_dict.get("organisations", error.messages)) from None


class ParticipantInline(admin.TabularInline):
    """Who took part, each with a role. Saved by the activity's own write (the service),
    not by the formset: one change-log entry, and an Editor's change of participants sends
    an approved record back for review like any change of substance."""

    model = ActivityOrganisation
    formset = ParticipantFormSet
    fields = ["organisation", "role"]
    # A plain select (a programme lists a few dozen bodies): it works without JavaScript and
    # needs no permission on the organisations' own admin, which Editors may not have.
    extra = 1
    verbose_name = pgettext_lazy("organisation taking part", "participant")
    verbose_name_plural = gettext_lazy("organisations that took part")

    # The rows belong to the activity: whoever may add or change it may list its
    # participants (the activity admin's queryset already hides what the user may not see).
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("activities.view_activity") or self.has_change_permission(
            request, obj
        )

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        permission = "activities.add_activity" if obj is None else "activities.change_activity"
        return request.user.has_perm(permission)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_change_permission(request, obj)


@admin.register(Activity)
class ActivityAdmin(ImportExportMixin, HistoryAdmin):
    form = ActivityAdminForm
    inlines = [ParticipantInline]
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
        "releasability",
        "review_state",
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
        ReleasabilityFilter,
        "review_state",
        StartYearFilter,
        "allies",
    ]
    search_fields = [
        "title",
        "title_ja",
        "description",
        "description_ja",
        "location",
        "outcome",
        "outcome_ja",
        "lead_organisation",
    ]
    date_hierarchy = "start_date"
    autocomplete_fields = ["goals", "objectives", "allies"]
    list_select_related = ["programme"]
    # The review state changes through the review (pages, API), never by editing.
    readonly_fields = [
        "review_state",
        "review_comment",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "programme",
                    ("title", "title_ja"),
                    "activity_type",
                    "status",
                    "releasability",
                ]
            },
        ),
        (gettext_lazy("When and where"), {"fields": ["start_date", "end_date", "location"]}),
        (gettext_lazy("Under the programme"), {"fields": ["goals", "objectives"]}),
        (
            gettext_lazy("Who took part"),
            {"fields": ["lead_organisation", "allies", "participants", "women_participants"]},
        ),
        # English and Japanese side by side; the English title is the one required.
        (
            gettext_lazy("What happened"),
            {"fields": [("description", "description_ja"), ("outcome", "outcome_ja")]},
        ),
        (gettext_lazy("Record"), {"fields": readonly_fields, "classes": ["collapse"]}),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Activity | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not Activity.objects.filter(pk=obj.pk).exists():
            return fieldsets  # adding, or restoring a deleted activity: no version yet
        first_name, first = fieldsets[0]
        # A hidden input in the first fieldset (the admin renders only fieldsets' fields).
        with_version = (first_name, {**first, "fields": [*first["fields"], "version"]})
        return [with_version, *fieldsets[1:]]

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

    @admin.display(description=gettext_lazy("Partnership goals"))
    def goal_list(self, obj: Activity) -> str:
        return "; ".join(goal.title for goal in obj.goals.all())

    # --- Writes: through activities.services, like every other door ---------------------

    def _create_formsets(self, request: HttpRequest, obj: Activity, change: bool):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        # save_model() hands the participants to the service with the other fields.
        request._participant_formsets = [
            formset for formset in formsets if isinstance(formset, ParticipantFormSet)
        ]
        return formsets, inline_instances

    def save_model(self, request: HttpRequest, obj: Activity, form, change: bool) -> None:
        data = form_values(form)
        for formset in getattr(request, "_participant_formsets", []):
            # Only rows the user changed: a restored activity keeps its participants.
            if formset.has_changed():
                data[PARTICIPANTS] = formset.participant_pairs()
        user = request.user
        if not change:
            saved = create_activity(user=user, data=data)
        elif not Activity.objects.filter(pk=obj.pk).exists():
            # A deleted activity's version, posted from its history page: restore it,
            # with the corrections made in the form, as one change-log entry.
            if not user.has_perms(RESTORE_PERMISSIONS):
                raise PermissionDenied
            with transaction.atomic(), history_batch():
                restored = restore_activity(activity_id=obj.pk, user=user)
                saved = update_activity(
                    activity=restored, user=user, data=data, expected_version=restored.version
                )
        else:
            saved = update_activity(
                activity=obj,
                user=user,
                data=data,
                expected_version=form.cleaned_data.get("version"),
            )
        copy_state(saved, obj)
        # The service has set the links, within its transaction and change-log entry.
        form.save_m2m = lambda: None

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if isinstance(formset, ParticipantFormSet):
            # Written by the service in save_model(); the admin's log reads these.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_formset(request, form, formset, change)

    def delete_model(self, request: HttpRequest, obj: Activity) -> None:
        # The confirmation page carries the version it showed (its template adds it).
        posted = request.POST.get("version", "")
        if not posted.isdigit() or not 0 < int(posted) <= MAX_VERSION:
            raise ValidationError(
                _(
                    "This confirmation came without the version of the activity it showed; "
                    "nothing was deleted. Confirm again on this page."
                )
            )
        delete_activity(activity=obj, user=request.user, expected_version=int(posted))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # The "Delete selected" action: each through the service, all or none.
        with transaction.atomic():
            for activity in queryset:
                delete_activity(activity=activity, user=request.user)

    def may_restore(self, request: HttpRequest) -> bool:
        return request.user.has_perms(RESTORE_PERMISSIONS)

    def refused(self, request: HttpRequest, object_id: str, error: Exception) -> HttpResponse:
        """A write the service refused after the form passed (a save that raced another,
        or a rule only the service knows): say so, and show the activity as it is now."""
        if isinstance(error, VersionConflict):
            message = (
                _(
                    "Someone else saved this activity at the same moment; nothing was saved. "
                    "It is shown as it is now: make your changes again."
                )
                if error.current is not None
                else _("This activity was deleted meanwhile; nothing was saved.")
            )
        else:
            message = " ".join(getattr(error, "messages", [str(error)]))
        self.message_user(request, message, messages.ERROR)
        if isinstance(error, VersionConflict) and error.current is None:
            return HttpResponseRedirect(reverse("admin:activities_activity_changelist"))
        return HttpResponseRedirect(request.path)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except VersionConflict as conflict:
            if conflict.current is None:
                return self.refused(request, object_id, conflict)
            opened = int(request.POST["version"])
            report = changes_since(conflict.current.pk, opened, {}, user=request.user)
            self.message_user(
                request,
                saved_since(report)
                + " "
                + _("Nothing was deleted: it is shown as it is now; confirm again to delete it."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        except ValidationError as error:
            return self.refused(request, object_id, error)

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (VersionConflict, ValidationError) as error:
            return self.refused(request, object_id, error)

    # --- History: never the past of an activity that was restricted ----------------------

    history_list_display = ["history_channel"]

    def _hide_restricted_history(self, request: HttpRequest, object_id: str) -> None:
        # simple-history's views read the historical table directly, around get_queryset():
        # the one rule for an activity's past (a restricted past, or a draft, is withheld).
        try:
            withheld = past_withheld_from(request.user, int(unquote(object_id)))
        except (ValueError, ValidationError):
            raise Http404 from None
        if withheld:
            raise Http404

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._hide_restricted_history(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id, extra_context=None
    ):
        self._hide_restricted_history(request, object_id)
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except (VersionConflict, ValidationError) as error:
            return self.refused(request, object_id, error)

    def get_export_queryset(self, request: HttpRequest) -> QuerySet:
        # Drafts are never exported, as from the list page and the API.
        return (
            super()
            .get_export_queryset(request)
            .without_drafts()
            .with_related()
            .prefetch_related("participations__organisation")
        )

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
                _("Row %(number)s, %(field)s: %(messages)s")
                % {"number": row.number, "field": field, "messages": " ".join(messages_)}
                for row in result.invalid_rows
                for field, messages_ in row.error_dict.items()
            ] + [
                _("Row %(number)s: %(error)s") % {"number": number, "error": errors[0].error}
                for number, errors in result.row_errors()
            ]
            self.message_user(
                request,
                _("Nothing was imported.") + " " + " ".join(problems),
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

    @admin.display(description=gettext_lazy("Restore"))
    def restore_link(self, obj) -> str:
        version = restorable_version(Activity.history.filter(id=obj.id))
        if version is None:
            return "—"
        url = reverse("admin:activities_activity_simple_history", args=[obj.id, version.history_id])
        return format_html('<a href="{}">{}</a>', url, _("Restore this activity…"))
