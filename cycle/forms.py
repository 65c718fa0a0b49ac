"""The follow-up form of the pages (the API's rules are the same: the model's `clean()`)."""

from __future__ import annotations

from typing import Any

from django import forms

from activities.models import Activity
from cycle.models import FollowUp
from cycle.querysets import possible_owners
from itpp.forms import PageFormMixin, style_for_page


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()


class FollowUpForm(PageFormMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["text", "owner", "due_date", "goal", "status"]
        field_classes = {"owner": OwnerChoiceField}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.activity = activity
        owners = possible_owners(activity)
        if self.instance.owner_id:
            # Kept selectable even if their role changed since, so the form still saves.
            owners = owners | owners.model.objects.filter(pk=self.instance.owner_id)
        self.fields["owner"].queryset = owners
        self.fields["goal"].queryset = activity.programme.partnership_goals.order_by("order")
        if self.instance.pk is None:
            # A new action is open; the status is for later changes.
            del self.fields["status"]
        style_for_page(self)
