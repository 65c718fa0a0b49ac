"""Forms for the stock-take pages. The rules are the models'; the forms place the messages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from goals.models import GoalAssessment, Rating, StockTake
from itpp.forms import PageFormMixin


class StockTakeRulesMixin:
    """Checks the rules on the programme and the status even when the form leaves them out.

    Django skips a constraint when one of its fields is not in the form, but these are
    set by the page (or read-only in the admin), and the rules about them must hold: one
    title and one open stock-take per programme. Otherwise the database would refuse the
    save with an IntegrityError, a server error instead of a message.
    """

    def validate_unique(self) -> None:
        exclude = self._get_validation_exclusions() - {"programme", "status"}
        try:
            self.instance.validate_unique(exclude=exclude)
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class StockTakeAdminForm(StockTakeRulesMixin, forms.ModelForm):
    class Meta:
        model = StockTake
        fields = ["programme", "title", "period_start", "period_end"]


class StockTakeForm(StockTakeRulesMixin, PageFormMixin, forms.ModelForm):
    """A new stock-take of the programme the page gives (set on the instance)."""

    class Meta:
        model = StockTake
        fields = ["title", "period_start", "period_end"]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        # The model's field names, in words to translate (verbose names would need migrations).
        labels = {
            "title": _("Title"),
            "period_start": _("Period from"),
            "period_end": _("Period to"),
        }
        help_texts = {
            "title": _("How both sides will refer to it, e.g. “2025 annual review”."),
            "period_start": _("The activities that started in this period are counted."),
            "period_end": _("Inclusive."),
        }


class AssessmentForm(PageFormMixin, forms.ModelForm):
    """One goal's assessment in a stock-take (the instance carries both)."""

    class Meta:
        model = GoalAssessment
        fields = ["rating", "narrative", "next_steps"]
        widgets = {
            "narrative": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "rating": _("Rating"),
            "narrative": _("Narrative"),
            "next_steps": _("Next steps"),
        }
        help_texts = {
            "narrative": _("What was achieved in the period, and how it compares with the goal."),
            "next_steps": _("What both sides will do next for this goal."),
        }

    def __init__(self, *args, **kwargs) -> None:
        # Sixteen of these share a page: the prefix keeps their inputs' ids apart.
        kwargs.setdefault("prefix", f"goal-{kwargs['instance'].goal_id}")
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [("", _("Choose a rating…")), *Rating.choices]
