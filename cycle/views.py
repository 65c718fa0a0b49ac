"""Pages of the programme cycle: follow-up actions on an activity's page, what needs
attention, and "My work"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from activities.models import Activity
from cycle import services
from cycle.attention import attention, my_work
from cycle.forms import FollowUpForm
from cycle.models import FollowUp
from goals.models import Programme
from goals.views import chosen_programme
from itpp.permissions import RolePermissionMixin


def follow_ups_section(request: HttpRequest, activity: Activity) -> str:
    """The follow-up actions on an activity's page (registered in cycle.apps): the list,
    "Mark done" for their owner, and the form to add one for Editors. The page is only
    ever shown for an activity its reader may see."""
    user = request.user
    if not user.has_perm("cycle.view_followup"):
        return ""
    today = timezone.localdate()
    follow_ups = list(activity.follow_ups.with_related().order_by("due_date", "id"))
    for follow_up in follow_ups:
        follow_up.overdue = follow_up.is_overdue(today)
        follow_up.may_mark_done = follow_up.status == "open" and services.may_mark_done(
            user, follow_up
        )
    context = {
        "activity": activity,
        "follow_ups": follow_ups,
        "may_change": services.may_change(user),
        # Ids of their own, so that they cannot clash with another form of the page.
        "form": FollowUpForm(activity=activity, auto_id="follow-up-%s")
        if user.has_perm(services.ADD)
        else None,
    }
    return render_to_string("cycle/_activity_follow_ups.html", context, request=request)


def visible_activity(request: HttpRequest, pk: int) -> Activity:
    return get_object_or_404(
        Activity.objects.visible_to(request.user).select_related("programme"), pk=pk
    )


def visible_follow_up(request: HttpRequest, pk: int) -> FollowUp:
    return get_object_or_404(
        FollowUp.objects.visible_to(request.user).select_related("activity__programme"), pk=pk
    )


class FollowUpFormView(RolePermissionMixin, FormView):
    form_class = FollowUpForm
    template_name = "cycle/follow_up_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "activity": self.activity}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(activity=self.activity, **kwargs)

    def form_valid(self, form: FollowUpForm) -> HttpResponse:
        try:
            self.save(form)
        except DjangoValidationError as error:
            # A rule that only the write could check (a role changed meanwhile).
            form.add_error(None, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(self.activity.get_absolute_url() + "#follow-ups")


class FollowUpCreateView(FollowUpFormView):
    """Add a follow-up action to an activity (Editors, Programme managers)."""

    permission_required = "cycle.add_followup"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.activity = visible_activity(request, kwargs["activity_id"])

    def save(self, form: FollowUpForm) -> None:
        data = {name: form.cleaned_data[name] for name in form.fields}
        services.create_follow_up(user=self.request.user, data={**data, "activity": self.activity})
        messages.success(self.request, _("The follow-up action was added."))


class FollowUpUpdateView(FollowUpFormView):
    """Change a follow-up action (Editors, Programme managers)."""

    permission_required = "cycle.change_followup"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.follow_up = visible_follow_up(request, kwargs["pk"])
        self.activity = self.follow_up.activity

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.follow_up}

    def save(self, form: FollowUpForm) -> None:
        data = {name: form.cleaned_data[name] for name in form.fields}
        services.update_follow_up(follow_up=self.follow_up, user=self.request.user, data=data)
        messages.success(self.request, _("The follow-up action was saved."))


class FollowUpDoneView(RolePermissionMixin, View):
    """Mark an action done: its owner, or an Editor or Programme manager (POST only)."""

    permission_required = "cycle.view_followup"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        follow_up = visible_follow_up(request, pk)
        if not services.may_mark_done(request.user, follow_up):
            raise PermissionDenied(
                _("Only its owner, an Editor or a Programme manager may do this.")
            )
        try:
            services.mark_done(follow_up=follow_up, user=request.user)
        except DjangoValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The follow-up action is marked done."))
        target = request.POST.get("next", "")
        if target != "/me/":  # the only other page with the button
            target = follow_up.activity.get_absolute_url() + "#follow-ups"
        return HttpResponseRedirect(target)


class AttentionPageView(RolePermissionMixin, TemplateView):
    """What needs attention in a programme, as far as the reader may see."""

    permission_required = "activities.view_activity"
    template_name = "cycle/attention.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        programmes = list(Programme.objects.all())
        programme = chosen_programme(self.request, programmes)
        return super().get_context_data(
            programmes=programmes,
            programme=programme,
            several_programmes=len(programmes) > 1,
            attention=attention(self.request.user, programme, timezone.localdate()),
            **kwargs,
        )


class MyWorkView(RolePermissionMixin, TemplateView):
    """My drafts, my returned records and my open follow-up actions."""

    permission_required = "activities.view_activity"
    template_name = "cycle/my_work.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        work = my_work(self.request.user, today)
        for follow_up in work.actions:
            follow_up.overdue = follow_up.is_overdue(today)
        return super().get_context_data(work=work, today=today, **kwargs)
