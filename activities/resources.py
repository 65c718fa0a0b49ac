"""Spreadsheet import and export of activities (django-import-export, used by the admin).

Columns hold what a person would type: goals by title (separated by ';', since titles
contain commas), strategic objectives by number, Allies by ISO code. Every row goes
through the model's own validation and `Activity.clean_links()`; the admin shows each
invalid row with its errors and saves nothing until all rows are valid.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from activities.models import Activity, Ally
from goals.models import PartnershipGoal, Programme, StrategicObjective

LINK_FIELDS = ("goals", "objectives", "allies")


def row_programme(row: dict[str, Any]) -> Programme | None:
    """The programme a row names, or the only one there is when the cell is empty."""
    value = str(row.get("programme") or "").strip()
    if value:
        try:
            return Programme.objects.filter(pk=int(float(value))).first()
        except ValueError:
            return None
    programmes = list(Programme.objects.all()[:2])
    return programmes[0] if len(programmes) == 1 else None


class ProgrammeWidget(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(Programme)

    def clean(self, value, row=None, **kwargs) -> Programme:
        programme = row_programme(row or {})
        if programme is None:
            raise ValueError(
                f"Unknown programme “{value}”: give the id of an existing programme."
                if value not in (None, "")
                else "Give the programme's id (there is more than one programme)."
            )
        return programme


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Like ManyToManyWidget, but an unknown value is an error rather than dropped, and
    goals and objectives are looked up within the row's programme."""

    def __init__(self, model, *, field: str, separator: str, label: str, scoped: bool) -> None:
        super().__init__(model, separator=separator, field=field)
        self.label = label
        self.scoped = scoped

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        names = [part.strip() for part in str(value or "").split(self.separator) if part.strip()]
        if not names:
            return self.model.objects.none()
        queryset = self.model.objects.all()
        if self.scoped:
            programme = row_programme(row or {})
            queryset = queryset.filter(programme=programme) if programme else queryset.none()
        matches = list(queryset.filter(**{f"{self.field}__in": names}))
        found = {str(getattr(obj, self.field)) for obj in matches}
        unknown = [name for name in names if name not in found]
        if unknown:
            raise ValueError(f"Unknown {self.label}: {', '.join(unknown)}.")
        return matches


class ActivityResource(resources.ModelResource):
    programme = fields.Field(
        attribute="programme", column_name="programme", widget=ProgrammeWidget()
    )
    goals = fields.Field(
        attribute="goals",
        column_name="goals",
        widget=StrictManyToManyWidget(
            PartnershipGoal, field="title", separator=";", label="Partnership Goal", scoped=True
        ),
    )
    objectives = fields.Field(
        attribute="objectives",
        column_name="objectives",
        widget=StrictManyToManyWidget(
            StrategicObjective, field="number", separator=",", label="objective", scoped=True
        ),
    )
    allies = fields.Field(
        attribute="allies",
        column_name="allies",
        widget=StrictManyToManyWidget(
            Ally, field="code", separator=",", label="Ally", scoped=False
        ),
    )

    class Meta:
        model = Activity
        fields = (
            "id",
            "programme",
            "title",
            "activity_type",
            "status",
            "releasability",
            "start_date",
            "end_date",
            "location",
            "goals",
            "objectives",
            "allies",
            "lead_organisation",
            "participants",
            "women_participants",
            "description",
            "outcome",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = False
        use_transactions = True

    def import_instance(self, instance: Activity, row: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # The base class sets many-to-many values only after saving; check them now,
        # so that a row with a bad goal is reported rather than half-saved.
        links: dict[str, Any] = {}
        for name in LINK_FIELDS:
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                links[name] = field.clean(row, **kwargs)
            except ValueError as error:
                errors[name] = ValidationError(str(error))
        if "goals" not in errors and "programme" not in errors:
            try:
                programme = instance.programme if instance.programme_id else None
                Activity.clean_links(programme, links.get("goals", []), links.get("objectives"))
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance: Activity, row: dict[str, Any], **kwargs: Any) -> None:
        user = kwargs.get("user")
        if user is not None and user.is_authenticated:
            if instance._state.adding:
                instance.created_by = user
            instance.updated_by = user
