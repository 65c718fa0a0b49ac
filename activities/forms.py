"""Forms for activities. Rules come from the model; the form only places the messages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms.boundfield import BoundWidget
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from activities.idempotency import FORM_TOKEN, new_form_token
from activities.models import Activity, Organisation, ParticipantRole
from activities.querysets import releasability_choices
from goals.models import PartnershipGoal, PriorityIssue, Programme, StrategicObjective
from itpp.forms import PageFormMixin, style_for_page
from itpp.history import m2m_ids

# The largest version the column holds (PostgreSQL integer); a larger one is a form error.
MAX_VERSION = 2**31 - 1
MISSING_VERSION = _(
    "This form did not carry a valid version of the activity it was opened on, so nothing "
    "was saved. Open the activity again and make your change there."
)
# The participant rows offered beyond those already filled (add more by saving and editing
# again; no JavaScript needed), and the most a posted form may carry.
EMPTY_PARTICIPANT_ROWS = 3
MAX_PARTICIPANT_ROWS = 60


class OrganisationChoiceField(forms.ModelChoiceField):
    """An organisation named in the reader's language (its Japanese name on a Japanese page,
    where there is one), with its short name."""

    def label_from_instance(self, obj: Organisation) -> str:
        return obj.display_label


PARTICIPANT_FIELD = re.compile(r"participant-(\d+)-organisation\Z")
# The Japanese texts are marked as such, so that browsers, screen readers and spell
# checkers treat them as Japanese (the admin's form and the pages' alike).
JAPANESE_WIDGETS = {
    "title_ja": forms.TextInput(attrs={"lang": "ja"}),
    "description_ja": forms.Textarea(attrs={"lang": "ja", "rows": 4}),
    "outcome_ja": forms.Textarea(attrs={"lang": "ja", "rows": 3}),
}
# Each English text and its Japanese twin, shown side by side on the page.
BILINGUAL_PAIRS = (
    ("title", "title_ja"),
    ("description", "description_ja"),
    ("outcome", "outcome_ja"),
)
# Every way the hidden version can be wrong gets the same, actionable message.
VERSION_ERRORS = dict.fromkeys(("required", "invalid", "min_value", "max_value"), MISSING_VERSION)


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
            "title_ja",
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
            "description_ja",
            "outcome",
            "outcome_ja",
        ]
        widgets = JAPANESE_WIDGETS

    def __init__(self, *args: Any, user: AbstractBaseUser | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "releasability" in self.fields:
            field = self.fields["releasability"]
            # Left out means the model's default ("internal"), as in the API and imports.
            field.required = False
            if user is not None:
                # Posting a choice left out is an invalid choice (the service refuses it too).
                field.choices = releasability_choices(field.choices, user)
        # Reverting to a historical version (the admin's history view, or restoring a
        # deleted activity): show that version's links, not today's (or none).
        version = getattr(self.instance, "_history", None)  # set by simple-history
        if isinstance(version, Activity.history.model) and not self.is_bound:
            for name, ids in m2m_ids(version).items():
                if name in self.fields:
                    self.initial[name] = list(ids)

    def clean_releasability(self) -> str:
        return (
            self.cleaned_data.get("releasability")
            or Activity._meta.get_field("releasability").get_default()
        )

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


class ActivityPageForm(PageFormMixin, ActivityForm):
    """The staff pages' form. Only presentation is added here; the rules are the base form's.

    The programme is chosen before the form is shown (it decides which goals and
    objectives are offered), so it travels as a hidden field and is fixed once saved.
    """

    class Meta(ActivityForm.Meta):
        widgets = {
            "programme": forms.HiddenInput,
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "goals": forms.CheckboxSelectMultiple,
            "objectives": forms.CheckboxSelectMultiple,
            "allies": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            **JAPANESE_WIDGETS,
        }

    # The version the user started from: saving over a newer one is refused (no lost edits).
    # Required when editing (see clean()); a new activity has none.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        error_messages=VERSION_ERRORS,
    )

    # A new activity's form is single-use: the token it was served with is consumed when
    # the activity is logged, so sending the form again (Back, then Log activity) does
    # not log it twice (see ActivityCreateView.form_valid).
    form_token = forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        validators=[RegexValidator(FORM_TOKEN)],
        error_messages={"invalid": _("This form is not valid any more: open a new one.")},
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        if self.instance.pk:
            del self.fields["form_token"]  # an edit is guarded by its version instead
        else:
            self.fields["form_token"].initial = new_form_token()
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.fields["programme"].initial = programme.pk
        if self.instance.pk:
            self.fields["programme"].disabled = True
        self.fields["goals"].queryset = PartnershipGoal.objects.filter(
            programme=programme
        ).select_related("priority_issue")
        self.fields["objectives"].queryset = StrategicObjective.objects.filter(programme=programme)
        self._add_participant_rows(programme)
        style_for_page(self)

    # --- who took part: rows of (organisation, role) -----------------------------------

    def _add_participant_rows(self, programme: Programme) -> None:
        """Pairs of selects `participant-<n>-organisation` and `participant-<n>-role`: the
        activity's participants, then a few empty rows."""
        current = list(self.instance.participations.all()) if self.instance.pk else []
        count = len(current) + EMPTY_PARTICIPANT_ROWS
        if self.is_bound:
            posted = [int(m[1]) + 1 for key in self.data if (m := PARTICIPANT_FIELD.match(key))]
            count = max([count, *posted])
        count = min(count, MAX_PARTICIPANT_ROWS)
        organisations = Organisation.objects.filter(programme=programme)
        for index in range(count):
            self.fields[f"participant-{index}-organisation"] = OrganisationChoiceField(
                queryset=organisations,
                required=False,
                label=_t("Organisation %(number)s") % {"number": index + 1},
                empty_label="—",
            )
            self.fields[f"participant-{index}-role"] = forms.ChoiceField(
                choices=ParticipantRole.choices,
                required=False,  # an empty row needs none; a filled one defaults below
                initial=ParticipantRole.PARTICIPANT,
                label=_t("Role of organisation %(number)s") % {"number": index + 1},
            )
        for index, participation in enumerate(current[:count]):
            self.initial[f"participant-{index}-organisation"] = participation.organisation_id
            self.initial[f"participant-{index}-role"] = participation.role
        self.participant_count = count

    def participant_rows(self) -> list[tuple[Any, Any]]:
        """The rows' bound fields, (organisation, role), for the template."""
        return [
            (self[f"participant-{index}-organisation"], self[f"participant-{index}-role"])
            for index in range(self.participant_count)
        ]

    def _clean_participants(self) -> None:
        rows = []
        for index in range(self.participant_count):
            name = f"participant-{index}-organisation"
            organisation = self.cleaned_data.get(name)
            if organisation is not None:
                rows.append(
                    (
                        name,
                        organisation,
                        self.cleaned_data.get(f"participant-{index}-role")
                        or ParticipantRole.PARTICIPANT,
                    )
                )
        try:
            Activity.clean_links(
                self.programme, None, organisations=[(org, role) for _, org, role in rows]
            )
        except ValidationError as error:
            for message in error.message_dict.get("organisations", []):
                self.add_error(rows[-1][0], message)
            return
        self.cleaned_data["organisations"] = [(org, role) for _, org, role in rows]

    def clean(self) -> dict:
        cleaned_data = super().clean()
        self._clean_participants()
        # An edit must say which version it was made on, or it could overwrite a newer one
        # unseen; a new activity has no version yet.
        if (
            self.instance.pk
            and "version" not in self._errors
            and cleaned_data.get("version") is None
        ):
            self.add_error("version", MISSING_VERSION)
        return cleaned_data

    def bilingual_rows(self) -> list[tuple[Any, Any]]:
        """The English and Japanese texts' bound fields in pairs, for side-by-side columns."""
        return [(self[english], self[japanese]) for english, japanese in BILINGUAL_PAIRS]

    def goal_groups(self) -> list[tuple[PriorityIssue, list[BoundWidget]]]:
        """The goal checkboxes grouped under their priority issue, in programme order."""
        groups: dict[int, tuple[PriorityIssue, list[BoundWidget]]] = {}
        for option in self["goals"].subwidgets:
            issue = option.data["value"].instance.priority_issue
            groups.setdefault(issue.pk, (issue, []))[1].append(option)
        return sorted(groups.values(), key=lambda group: group[0].number)


class ActivityDeleteForm(forms.Form):
    """The delete confirmation: the version the user saw, so that a change made since is
    shown to them rather than deleted unseen."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=MAX_VERSION,
        error_messages=VERSION_ERRORS,
    )
