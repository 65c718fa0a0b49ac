"""Report jobs over the API: the request's body and the job's answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from goals.models import Programme
from progress.query import filter_names
from reports.models import ReportJob

# The body's own fields; every other one must be an activity filter.
OWN_FIELDS = ("programme", "format", "stocktake", "language")


def filter_fields() -> list[str]:
    return sorted(set(filter_names()) - set(OWN_FIELDS))


SCALAR = {"oneOf": [{"type": "string"}, {"type": "integer"}]}


@extend_schema_field({"oneOf": [*SCALAR["oneOf"], {"type": "array", "items": SCALAR}]})
class FilterValueField(serializers.Field):
    """One activity filter's value(s), as its query parameter would carry them: a text,
    a whole number, or a list of them for a repeatable filter."""

    default_error_messages = {
        "invalid": _("A text or a whole number, or a list of them."),
        "null_characters": _("Null characters are not allowed."),
    }

    def to_internal_value(self, data: Any) -> list[str]:
        values = data if isinstance(data, list) else [data]
        if not all(isinstance(item, str | int) and not isinstance(item, bool) for item in values):
            self.fail("invalid")
        if any("\x00" in str(item) for item in values):
            self.fail("null_characters")
        return [str(item) for item in values]

    def to_representation(self, value: Any) -> Any:
        return value


class ReportRequestSerializer(serializers.Serializer):
    """`programme` and `format`, optionally `stocktake`, and any activity filter of
    /api/v1/activities/ under its query parameter's name (`"year": 2025`,
    `"ally": ["FR", "DE"]`): the report then covers only those activities. A field that is
    none of these is refused (400), so a misspelt filter never widens a report."""

    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.all(), help_text="The programme's id."
    )
    format = serializers.ChoiceField(choices=ReportJob.Format.choices)
    stocktake = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="A stock-take of the programme: its period, or its frozen counts if closed.",
    )
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        help_text=(
            "The language the file is written in; by default the user's saved language, "
            "else the request's Accept-Language, else English."
        ),
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name in filter_fields():
            fields[name] = FilterValueField(
                required=False,
                help_text=f"The activity filter `{name}`, as on /api/v1/activities/.",
            )
        return fields

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: [_("Not an activity filter of /api/v1/activities/.")] for key in unknown}
                )
        validated = super().to_internal_value(data)
        validated["filters"] = {
            name: validated.pop(name) for name in filter_fields() if name in validated
        }
        return validated


class ReportJobSerializer(serializers.Serializer):
    """A report job: where it stands, and its file's address once it is made."""

    id = serializers.UUIDField()
    url = serializers.URLField(help_text="This job: poll it until `status` is done or failed.")
    programme = serializers.IntegerField()
    format = serializers.ChoiceField(choices=ReportJob.Format.choices)
    query = serializers.CharField(
        allow_blank=True,
        help_text="The report's parameters (activity filters, `stocktake`) as a query string.",
    )
    language = serializers.CharField(help_text="The language the file is written in.")
    status = serializers.ChoiceField(choices=ReportJob.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent done.")
    download = serializers.URLField(
        allow_null=True, help_text="The file (while the job is done and not expired); else null."
    )
    filename = serializers.CharField(allow_blank=True, help_text="The file's name, once made.")
    error = serializers.CharField(allow_blank=True, help_text="Why the job failed, if it did.")
    created = serializers.DateTimeField()
    finished = serializers.DateTimeField(allow_null=True)
    expires = serializers.DateTimeField(
        help_text="After this the job and its file are gone (410, then 404)."
    )
