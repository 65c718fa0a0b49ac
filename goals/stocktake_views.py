"""Staff pages for stock-takes: Programme managers open one, rate each goal, and close it;
every role reads them. Closed stock-takes are read-only here as everywhere."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from goals import services, tasks
from goals.forms import AssessmentForm, StockTakeForm
from goals.models import (
    GoalAssessment,
    PartnershipGoal,
    PriorityIssue,
    Programme,
    StockTake,
    StockTakeStatus,
    StrategicObjective,
)
from goals.views import chosen_programme
from itpp.permissions import RolePermissionMixin
from itpp.tasks import enqueue

RATE = ("goals.add_goalassessment", "goals.change_goalassessment")


def can_rate(user, stocktake: StockTake) -> bool:
    return not stocktake.is_closed and user.has_perms(RATE)


@dataclass
class GoalRow:
    goal: PartnershipGoal
    assessment: GoalAssessment | None
    form: AssessmentForm | None


def stocktake_page(
    request: HttpRequest, stocktake: StockTake, bound: AssessmentForm | None = None
) -> dict[str, Any]:
    """The stock-take in the programme's structure: each goal with its assessment and, for
    whoever may rate, its form (`bound`, with its errors, for the goal just sent)."""
    programme = stocktake.programme
    assessments = {
        a.goal_id: a
        for a in GoalAssessment.objects.filter(stocktake=stocktake).select_related("assessed_by")
    }
    editable = can_rate(request.user, stocktake)
    by_issue: dict[int, list[GoalRow]] = {}
    goals = PartnershipGoal.objects.filter(programme=programme).order_by("order")
    for goal in goals:
        assessment = assessments.get(goal.pk)
        form = None
        if bound is not None and bound.instance.goal_id == goal.pk:
            form = bound
        elif editable:
            form = AssessmentForm(
                instance=assessment or GoalAssessment(stocktake=stocktake, goal=goal)
            )
        by_issue.setdefault(goal.priority_issue_id, []).append(GoalRow(goal, assessment, form))
    issues = PriorityIssue.objects.filter(programme=programme).order_by("number")
    goal_count = sum(len(rows) for rows in by_issue.values())
    return {
        "stocktake": stocktake,
        "programme": programme,
        "objectives": StrategicObjective.objects.filter(programme=programme).order_by("number"),
        "issues": [(issue, by_issue.get(issue.pk, [])) for issue in issues],
        "rated": len(assessments),
        "goal_count": goal_count,
        "editable": editable,
        "saved": request.GET.get("saved", ""),
    }


class StockTakeListView(RolePermissionMixin, TemplateView):
    permission_required = "goals.view_stocktake"
    template_name = "goals/stocktake_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        programmes = list(Programme.objects.all())
        programme = chosen_programme(self.request, programmes)
        stocktakes = (
            StockTake.objects.filter(programme=programme)
            .select_related("closed_by")
            .annotate(rated=Count("assessments"))
            .order_by("-period_end", "-id")
        )
        stocktakes = list(stocktakes)
        return super().get_context_data(
            programmes=programmes,
            programme=programme,
            stocktakes=stocktakes,
            open_stocktake=next((s for s in stocktakes if not s.is_closed), None),
            goal_count=PartnershipGoal.objects.filter(programme=programme).count(),
            **kwargs,
        )


class StockTakeCreateView(RolePermissionMixin, TemplateView):
    permission_required = "goals.add_stocktake"
    template_name = "goals/stocktake_form.html"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.programmes = list(Programme.objects.all())

    def get_form(self) -> StockTakeForm:
        programme = chosen_programme(self.request, self.programmes)
        year = timezone.localdate().year
        return StockTakeForm(
            self.request.POST if self.request.method == "POST" else None,
            instance=StockTake(programme=programme, status=StockTakeStatus.OPEN),
            initial={
                "period_start": datetime.date(year, 1, 1),
                "period_end": datetime.date(year, 12, 31),
            },
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", self.get_form())
        programme = kwargs["form"].instance.programme
        return super().get_context_data(programmes=self.programmes, programme=programme, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        stocktake = services.open_stocktake(programme=form.instance.programme, **form.cleaned_data)
        messages.success(
            request,
            _(
                "The stock-take “%(title)s” is open. Rate each goal below, "
                "then close it when every goal is rated."
            )
            % {"title": stocktake.title},
        )
        return redirect("goals:stocktake", pk=stocktake.pk)


class StockTakeMixin:
    kwargs: dict[str, Any]

    def get_stocktake(self) -> StockTake:
        return get_object_or_404(
            StockTake.objects.select_related("programme", "closed_by"), pk=self.kwargs["pk"]
        )


class StockTakeDetailView(RolePermissionMixin, StockTakeMixin, TemplateView):
    permission_required = "goals.view_stocktake"
    template_name = "goals/stocktake_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = stocktake_page(self.request, self.get_stocktake())
        return super().get_context_data(**context, **kwargs)


class RateGoalView(RolePermissionMixin, StockTakeMixin, View):
    """One goal's rating, sent from the stock-take page (with htmx, or as a plain form)."""

    permission_required = RATE

    def get(self, request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
        return redirect(f"{reverse('goals:stocktake', args=[pk])}#goal-{goal_pk}")

    def post(self, request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
        stocktake = self.get_stocktake()
        goal = get_object_or_404(PartnershipGoal, pk=goal_pk, programme=stocktake.programme)
        page = reverse("goals:stocktake", args=[pk])
        if stocktake.is_closed:
            messages.error(
                request, _("This stock-take is closed: its ratings can no longer change.")
            )
            if request.headers.get("HX-Request") == "true":
                # The whole page, so the message and the closed state show, not one block.
                return HttpResponse(headers={"HX-Redirect": page})
            return HttpResponseRedirect(page)
        assessment = GoalAssessment.objects.filter(stocktake=stocktake, goal=goal).first()
        form = AssessmentForm(
            request.POST, instance=assessment or GoalAssessment(stocktake=stocktake, goal=goal)
        )
        if form.is_valid():
            try:
                services.rate_goal(
                    stocktake=stocktake, goal=goal, user=request.user, data=form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The page says "Saved" by the goal: where the eye is, with or without htmx.
                return HttpResponseRedirect(f"{page}?saved={goal.pk}#goal-{goal.pk}")
        context = stocktake_page(request, stocktake, bound=form)
        return TemplateResponse(request, "goals/stocktake_detail.html", context)


class CloseStockTakeView(RolePermissionMixin, StockTakeMixin, TemplateView):
    """Asks first (GET), closes on POST: closing cannot be undone."""

    permission_required = "goals.change_stocktake"
    template_name = "goals/stocktake_close.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        stocktake = self.get_stocktake()
        goal_count = PartnershipGoal.objects.filter(programme=stocktake.programme_id).count()
        rated = stocktake.assessments.count()
        return super().get_context_data(
            stocktake=stocktake, rated=rated, unrated=goal_count - rated, **kwargs
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        stocktake = self.get_stocktake()
        if stocktake.is_closed:
            messages.info(request, _("This stock-take is already closed."))
            return redirect("goals:stocktake", pk=stocktake.pk)
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        stocktake = self.get_stocktake()
        if stocktake.is_closed:
            messages.info(request, _("This stock-take is already closed."))
            return redirect("goals:stocktake", pk=stocktake.pk)
        # A worker closes it (goals/tasks.py); in-process when no worker is configured.
        enqueue(tasks.close_stocktake, stocktake.pk, request.user.pk)
        stocktake.refresh_from_db(fields=["status"])
        if stocktake.is_closed:
            messages.success(
                request,
                _(
                    "“%(title)s” is closed: its ratings and the activity counts are "
                    "frozen. Its report is ready to download."
                )
                % {"title": stocktake.title},
            )
        else:
            messages.info(
                request,
                _(
                    "“%(title)s” is being closed: its ratings and the activity counts "
                    "are being frozen, which takes a moment on a large programme. Ratings saved "
                    "until then are included. Reload this page to see it closed."
                )
                % {"title": stocktake.title},
            )
        return redirect("goals:stocktake", pk=stocktake.pk)
