"""Staff pages for the activity log: list (with filters and CSV), detail, log, edit, delete,
and the deleted activities with their restore button."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import (
    CreateView,
    DeleteView,
    DetailView,
    ListView,
    TemplateView,
    UpdateView,
)

from activities import idempotency
from activities.exports import activities_csv_response
from activities.filters import ActivityFilterSet
from activities.forms import ActivityDeleteForm, ActivityPageForm
from activities.history import activity_change_log, changes_since, past_withheld_from
from activities.models import Activity, CreationKey, Releasability, ReviewState
from activities.panels import detail_sections
from activities.querysets import (
    DRAFT,
    RESTORE_PERMISSIONS,
    deleted_activities,
    may_see_drafts,
    releasability_choices,
)
from activities.services import (
    TransitionRefused,
    VersionConflict,
    allowed_transitions,
    approve_activity,
    create_activity,
    delete_activity,
    restore_activity,
    return_activity,
    submit_activity,
    update_activity,
)
from goals.models import NO_PROGRAMME, Programme
from itpp.permissions import RolePermissionMixin

PAGE_SIZE = 25
# Columns the table can be sorted by: the FilterSet's `ordering` fields.
SORTABLE = ("title", "start_date", "end_date", "updated_at")
DEFAULT_SORT = "-start_date"  # Activity.Meta.ordering
# Filters shown as lists of checkboxes in a disclosure, rather than as a tall <select multiple>.
CHECKBOX_FILTERS = (
    "goal",
    "priority_issue",
    "objective",
    "activity_type",
    "status",
    "releasability",
    "review_state",
    "ally",
    "organisation",
    "nation",
    "organisation_role",
)
# Copied by "Log a similar activity": what the next occurrence of an activity shares with the
# last one. Dates, status, attendance and outcome belong to one occurrence and are left out.
SIMILAR_FIELDS = (
    "title",
    "title_ja",
    "activity_type",
    "location",
    "lead_organisation",
    "description",
    "description_ja",
)
SIMILAR_LINKS = ("goals", "objectives", "allies")


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
        for filter_ in self.filters.values():
            # A form field built on the shared base filter (drf-spectacular builds them
            # when it writes the API schema) would be copied here and ignore the widgets
            # and choices set below: build this page's own.
            filter_.__dict__.pop("_field", None)
        user = getattr(self.request, "user", None)
        if "releasability" in self.filters and user:
            # Not offered to those who could never find a restricted activity.
            self.filters["releasability"].extra["choices"] = releasability_choices(
                Releasability.choices, user
            )
        if "review_state" in self.filters and user and not may_see_drafts(user):
            # Nor "Draft" to those who never see one.
            self.filters["review_state"].extra["choices"] = [
                choice for choice in ReviewState.choices if choice[0] != DRAFT
            ]
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
        # The totals by status, counted by progress (a template tag: activities cannot
        # import it; see progress/templatetags/progress_totals.py).
        context["programme_totals"] = True
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
                _("The filter is not valid, so nothing was exported. %(problems)s")
                % {"problems": problems},
                content_type="text/plain; charset=utf-8",
            )
        filename = f"activities-{timezone.localdate():%Y-%m-%d}.csv"
        return activities_csv_response(filterset.qs, filename)


class VisibleActivityMixin:
    """Restricted activities do not exist (404) for users who may not see them."""

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().visible_to(self.request.user)


class ActivityDetailView(RolePermissionMixin, VisibleActivityMixin, DetailView):
    permission_required = "activities.view_activity"
    # Who took part, with their roles: shown on this page only (the list does not).
    queryset = Activity.objects.with_related().prefetch_related("participations__organisation")
    template_name = "activities/activity_detail.html"
    context_object_name = "activity"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # One rule with the API's history (404 there): a past that held restricted content
        # is withheld as a whole from those who may not see restricted activities.
        withheld = past_withheld_from(self.request.user, self.object.pk)
        history = [] if withheld else activity_change_log(self.object)
        return super().get_context_data(
            history=history,
            history_withheld=withheld,
            transitions=allowed_transitions(self.object, self.request.user),
            report_due=self.object.is_report_due(),
            # What the apps above activities add (follow-up actions); see activities.panels.
            sections=detail_sections(self.request, self.object),
            **kwargs,
        )


def form_data(form: ActivityPageForm) -> dict[str, Any]:
    # Fields in error have no clean value (a stale form's conflict report leaves them out).
    return {
        name: form.cleaned_data[name] for name in form._meta.fields if name in form.cleaned_data
    }


def write_data(form: ActivityPageForm) -> dict[str, Any]:
    """What the services write from a valid form: its fields, and its participant rows."""
    return {**form_data(form), "organisations": form.cleaned_data.get("organisations", [])}


# The new-activity form's second button: save the record as a draft, not for review.
SAVE_AS_DRAFT = "draft"


def deletion_record(user: User | AnonymousUser, activity_id: int) -> Model | None:
    """The deletion of an activity as `user` may know of it (see deleted_activities), or
    None if it is not deleted or not theirs to know about."""
    return deleted_activities(user).filter(id=activity_id).first()


def deleted_by(record: Model) -> str:
    who = record.history_user.get_username() if record.history_user else _("the system")
    return _("%(who)s deleted it on %(when)s") % {
        "who": who,
        "when": date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT"),
    }


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
            raise Http404(_("No such activity to copy from."))
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
        programme = Programme.objects.chosen(self.request.GET.get("programme", ""), self.programmes)
        if programme is None:
            raise Http404(_(NO_PROGRAMME))
        return programme

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Permission first (in super().dispatch), then anything that reads the database.
        if not self.has_permission():
            return self.handle_no_permission()
        self.source = self.get_source()
        self.programme = self.get_programme()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Each new form gets its one-time token in its URL, so that Back comes to the same
        # form (and token) even when the browser fetches the page again rather than
        # showing it from its cache: sending it again then logs nothing more.
        token = request.GET.get("form", "")
        if not idempotency.FORM_TOKEN.fullmatch(token):
            query = request.GET.copy()
            query["form"] = idempotency.new_form_token()
            return redirect(f"{request.path}?{query.urlencode()}")
        self.form_token = token
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A form already sent is answered as such whatever it now holds (fields emptied or
        # changed after Back); the claim in form_valid() remains what guarantees it.
        token = request.POST.get("form_token", "")
        if idempotency.FORM_TOKEN.fullmatch(token):
            key = (
                idempotency.live_keys(user=request.user, door=CreationKey.Door.PAGE)
                .filter(key=token)
                .first()
            )
            if key is not None:
                return self.already_logged(key)
        return super().post(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        if getattr(self, "form_token", None):
            initial["form_token"] = self.form_token
        if self.source is not None:
            for name in SIMILAR_FIELDS:
                initial[name] = getattr(self.source, name)
            for name in SIMILAR_LINKS:
                initial[name] = [obj.pk for obj in getattr(self.source, name).all()]
        elif self.request.GET.getlist("goal"):
            initial["goals"] = self.request.GET.getlist("goal")
        return initial

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "programme": self.programme, "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(source=self.source, programme=self.programme, programmes=self.programmes)
        if self.request.method == "GET" and getattr(self, "form_token", None):
            # Back to a form already sent: say so at once, before it is sent again.
            context["already_logged"] = self.logged_with(self.form_token)
        return context

    def logged_with(self, token: str) -> Activity | None:
        """The activity this user logged with the form of `token` (if it was sent, is
        still known, and is visible to them)."""
        key = (
            idempotency.live_keys(user=self.request.user, door=CreationKey.Door.PAGE)
            .filter(key=token)
            .first()
        )
        if key is None or key.activity_id is None:
            return None
        return Activity.objects.visible_to(self.request.user).filter(pk=key.activity_id).first()

    def form_valid(self, form: ActivityPageForm) -> HttpResponse:
        token = form.cleaned_data.get("form_token")
        data = write_data(form)
        as_draft = self.request.POST.get("save_as") == SAVE_AS_DRAFT
        data["review_state"] = ReviewState.DRAFT if as_draft else ReviewState.SUBMITTED
        try:
            if not token:  # a form not served by this page (scripts, older tabs)
                activity = create_activity(user=self.request.user, data=data)
            else:
                # The token is consumed in the transaction that logs the activity: if
                # logging fails, the form can be corrected and sent again.
                with transaction.atomic():
                    key, fresh = idempotency.claim(
                        user=self.request.user, door=CreationKey.Door.PAGE, key=token
                    )
                    if not fresh:
                        return self.already_logged(key)
                    activity = create_activity(user=self.request.user, data=data)
                    key.activity = activity
                    key.save(update_fields=["activity"])
        except ValidationError as error:
            form.add_error(None, error)  # the service's last word, placed by its field
            return self.form_invalid(form)
        if as_draft:
            messages.success(
                self.request,
                _(
                    "The draft “%(title)s” was saved. Only Editors and Programme managers "
                    "see it; submit it for review when it is ready."
                )
                % {"title": activity.title},
            )
        else:
            messages.success(
                self.request,
                _("The activity “%(title)s” was logged. It awaits a Programme manager's review.")
                % {"title": activity.title},
            )
        return redirect(activity)

    def already_logged(self, key: CreationKey) -> HttpResponse:
        """This form was sent before (Back, then Log activity; or a double click): go to
        the activity it logged then, and log nothing more."""
        activity = Activity.objects.visible_to(self.request.user).filter(pk=key.activity_id).first()
        if activity is None:
            messages.info(
                self.request,
                _(
                    "This form was already sent and its activity logged (it has been deleted "
                    "since); nothing was logged again."
                ),
            )
            return redirect("activities:list")
        messages.info(
            self.request,
            _(
                "This form was already sent: “%(title)s” was logged then, so nothing was "
                "logged again. Use “Log a similar activity” to log another like it."
            )
            % {"title": activity.title},
        )
        return redirect(activity)


class ActivityUpdateView(RolePermissionMixin, VisibleActivityMixin, UpdateView):
    permission_required = "activities.change_activity"
    template_name = "activities/activity_form.html"
    form_class = ActivityPageForm
    queryset = Activity.objects.select_related("programme")
    context_object_name = "activity"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "programme": self.object.programme,
            "user": self.request.user,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(programme=self.object.programme, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(request, *args, **kwargs)
        except Http404:
            return self.offer_as_new()

    def form_valid(self, form: ActivityPageForm) -> HttpResponse:
        try:
            activity = update_activity(
                activity=self.object,
                user=self.request.user,
                data=write_data(form),
                expected_version=form.cleaned_data.get("version"),
            )
        except VersionConflict as conflict:
            if conflict.current is None:
                return self.offer_as_new()
            return self.conflict(form, conflict.current)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The activity “%(title)s” was saved.") % {"title": activity.title}
        )
        return redirect(activity)

    def form_invalid(self, form: ActivityPageForm) -> HttpResponse:
        # A form opened on an older version may fail only because of what others saved
        # since (e.g. they set a status that makes this one a completion needing an
        # outcome): say what they changed, with the errors, rather than the errors alone.
        version = form.cleaned_data.get("version")
        if version is not None and version != self.object.version:
            return self.conflict(form, self.object)
        return super().form_invalid(form)

    def conflict(self, form: ActivityPageForm, current: Activity) -> HttpResponse:
        """Someone saved in between: save nothing, keep the user's input, and say who
        saved when, and each field they changed as it now is beside the user's value."""
        if not Activity.objects.visible_to(self.request.user).filter(pk=current.pk).exists():
            raise Http404(_("No such activity."))  # restricted in the meantime
        report = changes_since(
            current.pk, form.cleaned_data.get("version"), form_data(form), user=self.request.user
        )
        # Saving again is now a conscious choice over the version the user has just seen.
        form.data = form.data.copy()
        form.data["version"] = current.version
        context = self.get_context_data(form=form, conflict=report, activity=current)
        return self.render_to_response(context)

    def offer_as_new(self) -> HttpResponse:
        """The activity was deleted while the user edited it: nothing to save over, so
        their input comes back as a new activity's form (404 if they may not know of it)."""
        record = deletion_record(self.request.user, self.kwargs["pk"])
        # Its programme may have gone too, once nothing protected it any more.
        programme = Programme.objects.filter(pk=getattr(record, "programme_id", None)).first()
        if programme is None:
            raise Http404(_("No such activity."))
        data = self.request.POST.copy()
        data["programme"] = programme.pk  # fixed (and so not sent) on the edit form
        data.pop("version", None)
        data["form_token"] = idempotency.new_form_token()  # single-use, as any new form
        form = ActivityPageForm(data, programme=programme, user=self.request.user)
        form.is_valid()  # shows what would stop it being logged, as the create page would
        context = {
            "form": form,
            "programme": programme,
            "form_action": f"{reverse('activities:create')}?programme={programme.pk}",
            "deleted_meanwhile": deleted_by(record),
        }
        return TemplateResponse(self.request, self.template_name, context)


class ActivityDeleteView(RolePermissionMixin, VisibleActivityMixin, DeleteView):
    """Deletes through the service, only if the activity is still the version the user
    confirmed: a change made meanwhile is shown instead, and must be confirmed again."""

    permission_required = "activities.delete_activity"
    template_name = "activities/activity_confirm_delete.html"
    queryset = Activity.objects.with_related()
    context_object_name = "activity"
    form_class = ActivityDeleteForm
    success_url = reverse_lazy("activities:list")

    def get_initial(self) -> dict[str, Any]:
        return {"version": self.object.version}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(request, *args, **kwargs)
        except Http404:
            record = deletion_record(request.user, self.kwargs["pk"])
            if record is None:
                raise
            messages.info(
                request,
                _("“%(title)s” was already deleted: %(deletion)s.")
                % {"title": record.title, "deletion": deleted_by(record)},
            )
            return redirect(self.success_url)

    def form_valid(self, form: ActivityDeleteForm) -> HttpResponse:
        title = self.object.title
        try:
            delete_activity(
                activity=self.object,
                user=self.request.user,
                expected_version=form.cleaned_data["version"],
            )
        except VersionConflict as conflict:
            if conflict.current is None:
                messages.info(
                    self.request, _("“%(title)s” was already deleted.") % {"title": title}
                )
                return redirect(self.success_url)
            current = Activity.objects.visible_to(self.request.user).filter(pk=conflict.current.pk)
            if not current.exists():
                raise Http404(_("No such activity.")) from None  # restricted in the meantime
            report = changes_since(
                conflict.current.pk, form.cleaned_data["version"], {}, user=self.request.user
            )
            self.object = conflict.current
            form = ActivityDeleteForm(initial={"version": conflict.current.version})
            return self.render_to_response(self.get_context_data(form=form, conflict=report))
        messages.success(
            self.request, _("The activity “%(title)s” was deleted.") % {"title": title}
        )
        return redirect(self.success_url)


class DeletedActivityListView(RolePermissionMixin, ListView):
    """Deleted activities (from their history), who deleted them and when; Programme
    managers restore them from here."""

    permission_required = "activities.view_activity"
    template_name = "activities/deleted_list.html"
    context_object_name = "deletions"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet:
        return deleted_activities(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        may_restore = self.request.user.has_perms(RESTORE_PERMISSIONS)
        return super().get_context_data(may_restore=may_restore, **kwargs)


class ActivityRestoreView(RolePermissionMixin, View):
    """POST only: bring a deleted activity back under its old id (the restore service)."""

    permission_required = RESTORE_PERMISSIONS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            activity = restore_activity(activity_id=pk, user=request.user)
        except Activity.DoesNotExist:
            raise Http404(_("No such deleted activity.")) from None
        except (ValidationError, IntegrityError):
            # Restored by someone else in the meantime (or never deleted).
            activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
            messages.info(
                request,
                _("“%(title)s” is not deleted: nothing to restore.") % {"title": activity.title},
            )
            return redirect(activity)
        messages.success(
            request, _("The activity “%(title)s” was restored.") % {"title": activity.title}
        )
        return redirect(activity)


class ActivityReviewForm(forms.Form):
    """A review button's form: the version the user saw, and a return's comment."""

    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    comment = forms.CharField(required=False)


class ActivityReviewView(RolePermissionMixin, View):
    """POST only: submit, approve or return a record (the review services), from the
    buttons on its page. Works without JavaScript: each button is its own form."""

    permission_required = "activities.change_activity"
    http_method_names = ["post"]
    action = ""
    # Whole sentences, so that each reads naturally once translated.
    DONE = {
        "submit": gettext_lazy("“%(title)s” was submitted for review."),
        "approve": gettext_lazy("“%(title)s” was approved."),
        "return": gettext_lazy("“%(title)s” was returned."),
    }

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
        form = ActivityReviewForm(request.POST)
        if not form.is_valid():
            messages.error(
                request, _("This form did not carry the record's version: nothing was changed.")
            )
            return redirect(activity)
        version = form.cleaned_data["version"]
        try:
            if self.action == "submit":
                submit_activity(activity=activity, user=request.user, expected_version=version)
            elif self.action == "approve":
                approve_activity(activity=activity, user=request.user, expected_version=version)
            else:
                return_activity(
                    activity=activity,
                    user=request.user,
                    comment=form.cleaned_data["comment"],
                    expected_version=version,
                )
        except VersionConflict as conflict:
            if conflict.current is None:
                raise Http404(_("No such activity.")) from None
            messages.error(
                request,
                _(
                    "Someone changed this record since you opened it: nothing was changed. "
                    "Check it as it now stands and try again."
                ),
            )
            return redirect(activity)
        except TransitionRefused as refused:
            messages.error(request, str(refused))
            return redirect(activity)
        except ValidationError as error:
            for text in error.message_dict.get("comment", error.messages):
                messages.error(request, _("Not returned: %(reason)s") % {"reason": text})
            return redirect(activity)
        messages.success(request, self.DONE[self.action] % {"title": activity.title})
        return redirect(activity)
