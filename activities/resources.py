"""Spreadsheet import (and the admin's export) of activities, with django-import-export.

The columns and cell rules are the ones of every activities export (activities/exports.py),
so an export is an import template. The import is a door like the pages and the API, with
the same rules:

- it runs for a user (the admin passes the request's) who may add and change activities;
- a row's `id` must name an activity that user may see; any other id is "no such
  activity", and nothing of a hidden activity is read, so none of it reaches the preview;
- every write goes through `activities.services` (releasability checked for the user,
  version claimed, history recorded with the channel `import`); a `version` cell, as the
  exports write it, makes the write conditional: a row whose activity has changed since is
  refused instead of overwriting the newer change;
- every row is checked in full (model rules, constraints, links) before anything is
  written, and errors name the row and the column; an unchanged row is skipped, so an
  unchanged export re-imported changes nothing.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DataError, IntegrityError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from activities import exports, services
from activities.imports import ImportRefused, check_row_count
from activities.models import (
    Activity,
    ActivityOrganisation,
    ActivityStatus,
    ActivityType,
    Ally,
    Organisation,
    ParticipantRole,
    Releasability,
)
from activities.rows import _plain
from goals.models import PartnershipGoal, Programme, StrategicObjective
from itpp.history import history_batch

IMPORT_PERMISSIONS = ("activities.add_activity", "activities.change_activity")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _number_text(value: Any) -> str:
    """A cell as text; XLSX gives whole numbers as floats (30.0)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def row_programme(
    row: dict[str, Any], programmes: list[Programme] | None = None
) -> Programme | None:
    """The programme a row names (by name as exported, or by id), or the only one there is
    when the cell is empty. `programmes`: all of them, read once per import."""
    if programmes is None:
        programmes = list(Programme.objects.all())
    value = _number_text(row.get("programme") or "")
    if not value:
        return programmes[0] if len(programmes) == 1 else None
    for programme in programmes:
        if value in (str(programme.pk), exports.programme_label(programme)):
            return programme
    return None


class TextWidget(widgets.Widget):
    """Free text: an empty cell is "" (the fields are NOT NULL), surrounding spaces go as
    in the forms, and the exports' formula escape is undone."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        text = _number_text(value)
        if "\x00" in text:
            # PostgreSQL refuses it; said here, it is a row error like any other.
            raise ValueError(_("Remove the NUL character (\\x00) from this text."))
        return exports.unescape_formula(text)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class ChoiceWidget(TextWidget):
    def __init__(self, choices: Any, label: str) -> None:
        super().__init__()
        self.values = list(choices.values)
        self.label = label

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = super().clean(value, row, **kwargs).lower()
        if text and text not in self.values:
            raise ValueError(
                _("“%(value)s” is not a %(label)s: use one of %(choices)s.")
                % {"value": text, "label": self.label, "choices": ", ".join(self.values)}
            )
        return text


class ISODateWidget(widgets.Widget):
    """Dates as `YYYY-MM-DD` text, or real date cells of a workbook; nothing is guessed
    (07/04/2025 is 7 April in Brussels and July 4 in Excel's US locale)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> datetime.date | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, datetime.datetime):
            if value.time() != datetime.time(0):
                raise ValueError(
                    _("“%(value)s” has a time of day: enter only the date.") % {"value": value}
                )
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        if ISO_DATE.fullmatch(text):
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                raise ValueError(
                    _("“%(value)s” is not a date of the calendar.") % {"value": text}
                ) from None
        raise ValueError(
            _(
                "“%(value)s” is not a date in the expected format: enter it as "
                "%(format)s, e.g. 2025-04-07."
            )
            % {"value": text, "format": exports.DATE_FORMAT}
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.isoformat() if value else ""


class WholeNumberWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        if value is None:
            return None
        text = _number_text(value)
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(
                _("“%(value)s” is not a whole number: enter e.g. 30, or leave it empty.")
                % {"value": text}
            )
        return int(text)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else value


class ReadOnlyWidget(widgets.Widget):
    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else _plain(value)


class ProgrammeWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Programme:
        programme = row_programme(row or {}, kwargs.get("programmes"))
        if programme is None:
            raise ValueError(
                _(
                    "Unknown programme “%(value)s”: give its name as the export writes it, "
                    "or its id."
                )
                % {"value": value}
                if value not in (None, "")
                else _("Give the programme (there is more than one).")
            )
        return programme

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return exports.programme_label(value) if value else ""


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Like ManyToManyWidget, but an unknown value is an error rather than dropped, and
    goals and objectives are looked up within the row's programme."""

    def __init__(self, model, *, field: str, label: str, scoped: bool, upper: bool = False):
        super().__init__(model, separator=exports.LIST_SEPARATOR, field=field)
        self.label = label
        self.scoped = scoped
        self.upper = upper

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list:
        names = [exports.unescape_formula(name) for name in exports.split_list(value)]
        if self.upper:
            names = [name.upper() for name in names]
        if not names:
            return []
        programme = row_programme(row or {}, kwargs.get("programmes")) if self.scoped else None
        choices = self._choices(programme, kwargs.get("lookups"))
        unknown = [name for name in names if name not in choices]
        if unknown:
            hint = (
                " " + _("Separate them with “;”.") if any("," in name for name in unknown) else ""
            )
            raise ValueError(
                _("Unknown %(label)s: %(names)s.")
                % {"label": self.label, "names": ", ".join(unknown)}
                + hint
            )
        return list({choices[name].pk: choices[name] for name in names}.values())

    def _choices(self, programme: Programme | None, lookups: dict | None) -> dict[str, Any]:
        """What may be named, by name: a small table, read once per import (`lookups`)."""
        key = (self.model, programme.pk if programme else None)
        if lookups is not None and key in lookups:
            return lookups[key]
        queryset = self.model.objects.all()
        if self.scoped:
            queryset = queryset.filter(programme=programme) if programme else queryset.none()
        choices = {str(getattr(obj, self.field)): obj for obj in queryset}
        if lookups is not None:
            lookups[key] = choices
        return choices

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        items = value.all() if hasattr(value, "all") else value
        return exports.join_list(getattr(item, self.field) for item in items)


class Participant(NamedTuple):
    """An organisation with its role in the activity: a pair as the services take it, with
    a `pk` so that the unchanged check compares it like the other links' items."""

    organisation: Organisation
    role: str

    @property
    def pk(self) -> tuple[int, str]:
        return (self.organisation.pk, self.role)


# An activity's participants with their organisations, in one query.
PARTICIPATIONS = Prefetch(
    "participations", queryset=ActivityOrganisation.objects.select_related("organisation")
)
PARTICIPANT = re.compile(r"(?P<name>.*?)\s*\((?P<role>[^()]*)\)\s*")


def current_participants(activity: Activity) -> list[Participant]:
    if activity.pk is None:
        return []
    return [Participant(p.organisation, p.role) for p in activity.participations.all()]


class ParticipantsWidget(widgets.ManyToManyWidget):
    """`JMSDF (lead); ACT (participant)`: organisations of the row's programme by short
    name or name, each with its role in brackets (a name alone takes part as participant)."""

    def __init__(self) -> None:
        super().__init__(Organisation, separator=exports.LIST_SEPARATOR, field="name")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[Participant]:
        items = [exports.unescape_formula(item) for item in exports.split_list(value)]
        if not items:
            return []
        programme = row_programme(row or {}, kwargs.get("programmes"))
        choices = self._choices(programme, kwargs.get("lookups"))
        found, unknown, bad_roles = [], [], []
        for item in items:
            match = PARTICIPANT.fullmatch(item)
            name, role = (match["name"], match["role"].strip().lower()) if match else (item, "")
            role = role or ParticipantRole.PARTICIPANT
            organisation = choices.get(name) or choices.get(name.casefold())
            if organisation is None:
                unknown.append(name)
            elif role not in ParticipantRole.values:
                bad_roles.append(role)
            else:
                found.append(Participant(organisation, role))
        if unknown:
            raise ValueError(
                _(
                    "Unknown organisation: %(names)s. Give its short name or name "
                    "as the programme's list has it, with its role in brackets, e.g. JMSDF (lead)."
                )
                % {"names": ", ".join(unknown)}
            )
        if bad_roles:
            raise ValueError(
                _("Unknown role: %(roles)s; use one of %(choices)s.")
                % {"roles": ", ".join(bad_roles), "choices": ", ".join(ParticipantRole.values)}
            )
        return found

    def _choices(self, programme: Programme | None, lookups: dict | None) -> dict[str, Any]:
        key = (Organisation, programme.pk if programme else None)
        if lookups is not None and key in lookups:
            return lookups[key]
        choices: dict[str, Organisation] = {}
        queryset = Organisation.objects.filter(programme=programme) if programme else []
        for organisation in queryset:
            for name in (organisation.name, organisation.short_name):
                if name:
                    choices.setdefault(name, organisation)
                    choices.setdefault(name.casefold(), organisation)
        if lookups is not None:
            lookups[key] = choices
        return choices

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return exports.join_list(
            exports.participant_label(exports.organisation_label(item.organisation), item.role)
            for item in value or []
        )


class LinkField(fields.Field):
    """A many-to-many column whose current value, once read by the import, is kept as a
    list: the preview's diff works on a deep copy of the activity, and a copied queryset
    forgets its prefetched rows (three queries per row otherwise)."""

    def get_value(self, instance: Any) -> Any:
        loaded = getattr(instance, "_links_loaded", None)
        if loaded is not None and self.attribute in loaded:
            return loaded[self.attribute]
        return super().get_value(instance)


class ParticipantsField(LinkField):
    def get_value(self, instance: Any) -> Any:
        loaded = getattr(instance, "_links_loaded", None)
        if loaded is not None and self.attribute in loaded:
            return loaded[self.attribute]
        return current_participants(instance)


def _text(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=TextWidget())


class ActivityResource(resources.ModelResource):
    id = fields.Field(attribute="id", column_name="id", widget=ReadOnlyWidget(), readonly=True)
    programme = fields.Field(
        attribute="programme", column_name="programme", widget=ProgrammeWidget()
    )
    title = _text("title")
    title_ja = _text("title_ja")
    activity_type = fields.Field(
        attribute="activity_type",
        column_name="activity_type",
        widget=ChoiceWidget(ActivityType, gettext_lazy("type")),
    )
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(ActivityStatus, gettext_lazy("status")),
        default=ActivityStatus.PLANNED,
    )
    releasability = fields.Field(
        attribute="releasability",
        column_name="releasability",
        widget=ChoiceWidget(Releasability, gettext_lazy("releasability")),
        default=Releasability.INTERNAL,
    )
    start_date = fields.Field(
        attribute="start_date", column_name="start_date", widget=ISODateWidget()
    )
    end_date = fields.Field(
        attribute="end_date", column_name="end_date", widget=ISODateWidget(), saves_null_values=True
    )
    goals = LinkField(
        attribute="goals",
        column_name="goals",
        widget=StrictManyToManyWidget(
            PartnershipGoal, field="title", label=gettext_lazy("Partnership Goal"), scoped=True
        ),
    )
    objectives = LinkField(
        attribute="objectives",
        column_name="objectives",
        widget=StrictManyToManyWidget(
            StrategicObjective, field="number", label=gettext_lazy("objective"), scoped=True
        ),
    )
    allies = LinkField(
        attribute="allies",
        column_name="allies",
        widget=StrictManyToManyWidget(
            Ally, field="code", label=gettext_lazy("Ally"), scoped=False, upper=True
        ),
    )
    organisations = ParticipantsField(
        attribute="organisations", column_name="organisations", widget=ParticipantsWidget()
    )
    location = _text("location")
    lead_organisation = _text("lead_organisation")
    participants = fields.Field(
        attribute="participants",
        column_name="participants",
        widget=WholeNumberWidget(),
        saves_null_values=True,
    )
    women_participants = fields.Field(
        attribute="women_participants",
        column_name="women_participants",
        widget=WholeNumberWidget(),
        saves_null_values=True,
    )
    description = _text("description")
    description_ja = _text("description_ja")
    outcome = _text("outcome")
    outcome_ja = _text("outcome_ja")
    version = fields.Field(
        attribute="version", column_name="version", widget=ReadOnlyWidget(), readonly=True
    )
    updated_at = fields.Field(
        attribute="updated_at", column_name="updated_at", widget=ReadOnlyWidget(), readonly=True
    )

    class Meta:
        model = Activity
        fields = tuple(exports.COLUMNS)
        export_order = fields
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, user: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user

    # --- the user, and what they may see --------------------------------------------

    def import_data(self, dataset, *args: Any, **kwargs: Any):
        # Never a partial write: a row refused at the confirming step (e.g. changed by
        # someone since the preview) rolls the whole file back.
        kwargs["rollback_on_validation_errors"] = True
        # Read once, handed to the widgets with the other keyword arguments of each row.
        kwargs["programmes"] = list(Programme.objects.all())
        kwargs["lookups"] = {}
        return super().import_data(dataset, *args, **kwargs)

    def before_import(self, dataset, **kwargs: Any) -> None:
        self.user = self.user or kwargs.get("user")
        try:
            if self.user is None or not self.user.has_perms(IMPORT_PERMISSIONS):
                raise PermissionDenied(
                    _("Importing activities is for Editors and Programme managers.")
                )
            check_row_count(len(dataset))
        except (PermissionDenied, ImportRefused):
            dataset.wipe()  # so that not one row of it is read
            raise

    def get_queryset(self):
        return Activity.objects.visible_to(self.user)

    def get_or_init_instance(self, instance_loader, row: dict[str, Any]):
        value = _number_text(row.get("id") or "")
        if not value:
            return self.init_instance(row), True
        if not value.isdigit():
            raise ValidationError(
                {
                    "id": _(
                        "“%(value)s” is not an activity id: leave it empty to add a new activity."
                    )
                    % {"value": value}
                }
            )
        # With what the preview's diff and the unchanged check read, in four queries.
        instance = (
            self.get_queryset()
            .select_related("programme")
            .prefetch_related("goals", "objectives", "allies", PARTICIPATIONS)
            .filter(pk=int(value))
            .first()
        )
        if instance is None:
            # The same answer for a deleted, never existing or hidden (restricted) one.
            raise ValidationError(
                {
                    "id": _(
                        "No such activity: %(value)s. Leave the id empty to add a new activity."
                    )
                    % {"value": value}
                }
            )
        instance._links_loaded = {
            name: list(getattr(instance, name).all())
            for name in exports.LINK_COLUMNS
            if name != "organisations"
        }
        instance._links_loaded["organisations"] = current_participants(instance)
        return instance, False

    # --- reading a row ---------------------------------------------------------------

    def import_instance(self, instance: Activity, row: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "programme" not in row and instance.programme_id is None:
            instance.programme = row_programme({}, kwargs.get("programmes"))
        # The base class sets many-to-many values only after saving; check them now,
        # so that a row with a bad goal is reported rather than half-saved.
        links: dict[str, Any] = {}
        for name in exports.LINK_COLUMNS:
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                links[name] = field.clean(row, **kwargs)
            except ValueError as error:
                errors[name] = ValidationError(str(error))
        if instance._state.adding and "goals" not in links and "goals" not in errors:
            links["goals"] = []  # reported as missing by clean_links
        if "goals" not in errors and "programme" not in errors:
            # Links a file leaves out must still fit the (maybe new) programme, as in the API.
            current = getattr(instance, "_links_loaded", None) or {}
            goals = links.get("goals", current.get("goals"))
            objectives = links.get("objectives", current.get("objectives"))
            participants = links.get("organisations") if "organisations" not in errors else None
            try:
                programme = instance.programme if instance.programme_id else None
                Activity.clean_links(programme, goals, objectives, organisations=participants)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if "releasability" not in errors:
            try:
                services.check_releasability(self.user, instance.releasability)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        instance._import_links = links
        instance._import_version = None
        version = _number_text(row.get("version") or "")
        if version and not instance._state.adding:
            if version.isdigit():
                instance._import_version = int(version)
            else:
                errors["version"] = ValidationError(
                    _("“%(value)s” is not a version: keep the number the export wrote.")
                    % {"value": version}
                )
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        """Unchanged: every value of the row equals the activity's (links as sets)."""
        if import_validation_errors or instance._state.adding:
            return False
        for field in self._written_fields(row):
            if field.get_value(instance) != field.get_value(original):
                return False
        for name, values in instance._import_links.items():
            current = {value.pk for value in self.fields[name].get_value(original)}
            if {value.pk for value in values} != current:
                return False
        return True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        expected = getattr(instance, "_import_version", None)
        if expected is not None and expected != instance.version:
            errors["version"] = ValidationError(self._conflict_message(instance, expected))
        super().validate_instance(instance, errors, validate_unique)

    @staticmethod
    def _conflict_message(instance: Activity, expected: int | None) -> str:
        return _(
            "Activity %(id)s has been changed since this file was exported (version "
            "%(expected)s in the file, %(current)s now): export it again and redo "
            "the change, so that the newer change is not overwritten."
        ) % {"id": instance.pk, "expected": expected, "current": instance.version}

    # --- writing ---------------------------------------------------------------------

    def _written_fields(self, row: dict[str, Any]) -> list[fields.Field]:
        return [
            field
            for field in self.get_import_fields()
            if not field.readonly
            and field.column_name in row
            and not isinstance(field.widget, widgets.ManyToManyWidget)
        ]

    def save_instance(self, instance: Activity, is_create: bool, row, **kwargs: Any) -> None:
        if kwargs.get("dry_run"):
            # The preview: every rule has been checked (model, constraints, links,
            # releasability, version), so it writes nothing, which makes it several times
            # cheaper; the diff shows the links the row sets. Confirming writes for real.
            loaded = getattr(instance, "_links_loaded", None) or {}
            instance._links_loaded = {**loaded, **instance._import_links}
            return
        data = {
            field.attribute: getattr(instance, field.attribute)
            for field in self._written_fields(row)
        }
        if "programme" not in data and instance.programme_id:
            data["programme"] = instance.programme
        data.update(instance._import_links)
        instance._links_loaded = None  # the diff reads the links as written
        try:
            with history_batch("import"):
                if is_create:
                    created = services.create_activity(user=self.user, data=data)
                    instance.pk = created.pk
                    instance.version = created.version
                    instance._state.adding = False
                    instance._state.db = created._state.db
                else:
                    services.update_activity(
                        activity=instance,
                        user=self.user,
                        data=data,
                        expected_version=instance._import_version,
                    )
        except services.VersionConflict as conflict:
            current = conflict.current
            if current is not None:
                instance.version = current.version
            raise ValidationError(
                {"version": self._conflict_message(instance, instance._import_version)}
            ) from None
        except (IntegrityError, DataError) as error:
            # Checked above, so only a concurrent change gets here; still a row error.
            raise ValidationError(
                {_failed_field(error): (_("Not saved: %(error)s") % {"error": error}).strip()}
            ) from None

    def save_m2m(self, instance: Activity, row, **kwargs: Any) -> None:
        """The services have set the links with the row."""

    # --- the admin's export ----------------------------------------------------------

    def export_field(self, field: fields.Field, instance: Activity, **kwargs: Any) -> Any:
        # The same defusing of formulas as the app's own exports (and reversed on import).
        return exports.safe_cell(super().export_field(field, instance, **kwargs))


def _failed_field(error: Exception) -> str:
    """The column a database error is about, when PostgreSQL says; else the row."""
    diag = getattr(error.__cause__, "diag", None)
    column = getattr(diag, "column_name", None)
    if column in exports.COLUMNS:
        return column
    constraint = getattr(diag, "constraint_name", None)
    for check in Activity._meta.constraints:
        if check.name == constraint and getattr(check, "field", None):
            return check.field
    return NON_FIELD_ERRORS
