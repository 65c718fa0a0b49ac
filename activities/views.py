"""Staff pages for the activity log: list (with filters and CSV), detail, log, edit, delete."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, TemplateView, UpdateView

from activities.exports import activities_csv_response
from activities.filters import ActivityFilterSet
from activities.forms import ActivityPageForm
from activities.history import readable_change_log
from activities.models import Activity
from activities.services import VersionConflict, create_activity, update_activity
from goals.models import Programme

PAGE_SIZE = 25
# Columns the table can be sorted by: the FilterSet's `ordering` fields.
SORTABLE = ("title", "start_date", "end_date", "updated_at")
DEFAULT_SORT = "-start_date"  # Activity.Meta.ordering
# Filters shown as lists of checkboxes in a disclosure, rather than as a tall <select multiple>.
CHECKBOX_FILTERS = ("goal", "priority_issue", "objective", "activity_type", "status", "ally")
# Copied by "Log a similar activity": what the next occurrence of an activity shares with the
# last one. Dates, status, attendance and outcome belong to one occurrence and are left out.
SIMILAR_FIELDS = ("title", "activity_type", "location", "lead_organisation", "description")
SIMILAR_LINKS = ("goals", "objectives", "allies")


class RolePermissionMixin(PermissionRequiredMixin):
    """A signed-in user without the permission gets 403 (never a login loop).

    Anonymous visitors never get here: LoginRequiredMiddleware sends them to the login page.
    """

    raise_exception = True


def is_htmx_partial(request: HttpRequest) -> bool:
    """htmx asks for the results region only; a history restore needs the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


class ActivityPageFilterSet(ActivityFilterSet):
    """ActivityFilterSet with widgets for a page. Presentation only: no filter changes."""

    def __init__(self, *args: Any, exclude: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in exclude:
            self.filters.pop(name)
        for name in CHECKBOX_FILTERS:
            if name in self.filters:
                self.filters[name].extra["widget"] = forms.CheckboxSelectMultiple(
                    attrs={"class": "form-check-input"}
                )


def sort_links(request: HttpRequest) -> dict[str, dict[str, str | None]]:
    """For each sortable column: the ordering a click asks for, and its aria-sort now."""
    current = request.GET.get("ordering") or DEFAULT_SORT
    links = {}
    for field in SORTABLE:
        if current == field:
            links[field] = {"next": f"-{field}", "aria_sort": "ascending"}
        elif current == f"-{field}":
            links[field] = {"next": field, "aria_sort": "descending"}
        else:
            # Dates and changes read best newest first; titles A to Z.
            links[field] = {"next": field if field == "title" else f"-{field}", "aria_sort": None}
    return links


class ActivityTableMixin:
    """A filtered, sorted, paginated table of activities, re-rendered alone for htmx.

    Used by the activity list and by a goal's page (which fixes the goal filter).
    """

    request: HttpRequest
    results_template = "activities/_results.html"
    excluded_filters: tuple[str, ...] = ("updated_after",)

    def base_activities(self) -> QuerySet:
        return Activity.objects.visible_to(self.request.user)

    def fixed_filters(self) -> dict[str, list[str]]:
        """Filters the page itself applies, so the CSV export can repeat them."""
        return {}

    def export_query(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        for name, values in self.fixed_filters().items():
            query.setlist(name, values)
        return query.urlencode()

    def activity_table(self) -> dict[str, Any]:
        filterset = ActivityPageFilterSet(
            self.request.GET,
            queryset=self.base_activities(),
            request=self.request,
            exclude=self.excluded_filters,
        )
        valid = filterset.is_valid()
        activities = filterset.qs.with_related() if valid else Activity.objects.none()
        page = Paginator(activities, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return {
            "filterset": filterset,
            "page_obj": page,
            "activities": page.object_list,
            "sort_links": sort_links(self.request),
            "ordering": self.request.GET.get("ordering", ""),
            "several_programmes": Programme.objects.count() > 1,
            "export_query": self.export_query(),
            "checkbox_filters": CHECKBOX_FILTERS,
        }

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if is_htmx_partial(self.request):
            response = TemplateResponse(self.request, self.results_template, context)
        else:
            response = super().render_to_response(context, **kwargs)
        # The same URL answers with a fragment or a page: caches must keep them apart.
        patch_vary_headers(response, ["HX-Request"])
        return response


class ActivityListView(RolePermissionMixin, ActivityTableMixin, TemplateView):
    permission_required = "activities.view_activity"
    template_name = "activities/activity_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.activity_table())
        return context


class ActivityExportView(RolePermissionMixin, View):
    """The list's current filter and order as CSV (the page's own parameters, no paging)."""

    permission_required = "activities.view_activity"

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = ActivityFilterSet(
            request.GET, queryset=Activity.objects.visible_to(request.user), request=request
        )
        if not filterset.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
            )
            return HttpResponseBadRequest(
                f"The filter is not valid, so nothing was exported. {problems}",
                content_type="text/plain; charset=utf-8",
            )
        filename = f"activities-{timezone.localdate():%Y-%m-%d}.csv"
        return activities_csv_response(filterset.qs, filename, bom=True)


class VisibleActivityMixin:
    """Restricted activities do not exist (404) for users who may not see them."""

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().visible_to(self.request.user)


class ActivityDetailView(RolePermissionMixin, VisibleActivityMixin, DetailView):
    permission_required = "activities.view_activity"
    queryset = Activity.objects.with_related()
    template_name = "activities/activity_detail.html"
    context_object_name = "activity"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        history = readable_change_log(self.object.history.all())
        return super().get_context_data(history=history, **kwargs)


def form_data(form: ActivityPageForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form._meta.fields}


class ActivityCreateView(RolePermissionMixin, CreateView):
    """Log an activity. `?from=<id>` pre-fills it from an earlier one ("Log a similar
    activity"), `?programme=<id>` chooses the programme, `?goal=<id>` ticks a goal."""

    permission_required = "activities.add_activity"
    template_name = "activities/activity_form.html"
    form_class = ActivityPageForm

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.source: Activity | None = None
        self.programmes: list[Programme] = []

    def get_source(self) -> Activity | None:
        value = self.request.GET.get("from")
        if value is None:
            return None
        if not value.isdigit():
            raise Http404("No such activity to copy from.")
        return get_object_or_404(
            Activity.objects.visible_to(self.request.user)
            .select_related("programme")
            .prefetch_related(*SIMILAR_LINKS),
            pk=value,
        )

    def get_programme(self) -> Programme:
        if self.source is not None:
            return self.source.programme
        self.programmes = list(Programme.objects.all())
        wanted = self.request.GET.get("programme", "")
        for programme in self.programmes:
            if str(programme.pk) == wanted:
                return programme
        current = Programme.objects.current()
        if current is None:
            raise Http404("There is no programme yet: an administrator adds one in the admin.")
        return current

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Permission first (in super().dispatch), then anything that reads the database.
        if not self.has_permission():
            return self.handle_no_permission()
        self.source = self.get_source()
        self.programme = self.get_programme()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        if self.source is not None:
            for name in SIMILAR_FIELDS:
                initial[name] = getattr(self.source, name)
            for name in SIMILAR_LINKS:
                initial[name] = [obj.pk for obj in getattr(self.source, name).all()]
        elif self.request.GET.getlist("goal"):
            initial["goals"] = self.request.GET.getlist("goal")
        return initial

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "programme": self.programme}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(source=self.source, programme=self.programme, programmes=self.programmes)
        return context

    def form_valid(self, form: ActivityPageForm) -> HttpResponse:
        activity = create_activity(user=self.request.user, data=form_data(form))
        messages.success(self.request, f"The activity “{activity.title}” was logged.")
        return redirect(activity)


class ActivityUpdateView(RolePermissionMixin, VisibleActivityMixin, UpdateView):
    permission_required = "activities.change_activity"
    template_name = "activities/activity_form.html"
    form_class = ActivityPageForm
    queryset = Activity.objects.select_related("programme")
    context_object_name = "activity"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "programme": self.object.programme}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(programme=self.object.programme, **kwargs)

    def form_valid(self, form: ActivityPageForm) -> HttpResponse:
        try:
            activity = update_activity(
                activity=self.object,
                user=self.request.user,
                data=form_data(form),
                expected_version=form.cleaned_data.get("version"),
            )
        except VersionConflict as conflict:
            return self.conflict(form, conflict.current)
        messages.success(self.request, f"The activity “{activity.title}” was saved.")
        return redirect(activity)

    def conflict(self, form: ActivityPageForm, current: Activity | None) -> HttpResponse:
        """Someone saved in between: keep the user's input, save nothing, and say who
        changed what, so they can decide."""
        if current is None:
            form.add_error(
                None,
                "Someone deleted this activity while you were editing it; nothing was saved. "
                "Your input is kept below: log it as a new activity if it still matters.",
            )
            return self.form_invalid(form)
        differences = []
        for name in form._meta.fields:
            mine = form.cleaned_data.get(name)
            theirs = getattr(current, name)
            if name in ("goals", "objectives", "allies"):
                theirs = list(theirs.all())
                same = {o.pk for o in theirs} == {o.pk for o in (mine or [])}
                shown = ", ".join(str(o) for o in theirs) or "none"
            else:
                same = theirs == mine or (theirs in (None, "") and mine in (None, ""))
                display = getattr(current, f"get_{name}_display", None)
                shown = display() if display else ("—" if theirs in (None, "") else theirs)
            if not same:
                differences.append(f"{form.fields[name].label}: now “{shown}”")
        who = current.updated_by.get_username() if current.updated_by else "someone"
        when = timezone.localtime(current.updated_at).strftime("%d %b %Y %H:%M")
        form.add_error(
            None,
            f"{who} saved this activity at {when}, after you opened it; nothing was saved. "
            + (
                "Their version differs from yours in: " + "; ".join(differences) + ". "
                if differences
                else ""
            )
            + "Your input is kept below: save again to replace their version with yours.",
        )
        # Saving again is now a conscious choice over the version the user has just seen.
        form.data = form.data.copy()
        form.data["version"] = current.version
        return self.form_invalid(form)


class ActivityDeleteView(RolePermissionMixin, VisibleActivityMixin, DeleteView):
    permission_required = "activities.delete_activity"
    template_name = "activities/activity_confirm_delete.html"
    queryset = Activity.objects.with_related()
    context_object_name = "activity"
    success_url = reverse_lazy("activities:list")

    def form_valid(self, form: forms.Form) -> HttpResponse:
        title = self.object.title
        response = super().form_valid(form)
        messages.success(self.request, f"The activity “{title}” was deleted.")
        return response
