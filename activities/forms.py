"""Forms for activities. Rules come from the model; the form only places the messages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from activities.models import Activity
from itpp.history import m2m_ids


class ActivityForm(forms.ModelForm):
    """The base form for the admin and the staff pages.

    `full_clean()` on the model (run by ModelForm) checks the field rules and database
    constraints; `Activity.clean_links()` checks the many-to-many choices, which the
    model cannot see before it is saved.
    """

    class Meta:
        model = Activity
        fields = [
            "programme",
            "title",
            "activity_type",
            "status",
            "releasability",
            "start_date",
            "end_date",
            "goals",
            "objectives",
            "allies",
            "location",
            "lead_organisation",
            "participants",
            "women_participants",
            "description",
            "outcome",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Reverting to a historical version (the admin's history view, or restoring a
        # deleted activity): show that version's links, not today's (or none).
        version = getattr(self.instance, "_history", None)  # set by simple-history
        if isinstance(version, Activity.history.model) and not self.is_bound:
            for name, ids in m2m_ids(version).items():
                if name in self.fields:
                    self.initial[name] = list(ids)

    def clean(self) -> dict:
        cleaned_data = super().clean()
        programme = cleaned_data.get("programme")
        goals = cleaned_data.get("goals") if "goals" in self.fields else None
        objectives = cleaned_data.get("objectives") if "objectives" in self.fields else None
        if "goals" in self._errors:
            goals = None  # already reported
        try:
            Activity.clean_links(programme, goals, objectives)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned_data
