"""The base serializer for writes: the model's own rules decide what is valid."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext
from rest_framework import serializers

from itpp.api.exceptions import validation_error


class ValidatedModelSerializer(serializers.ModelSerializer):
    """Runs `full_clean()` on the model instance the request would produce.

    Field rules, choices and the CHECK constraints (with their messages placed on a
    field by `FieldCheckConstraint`) are written once, on the model; the admin, the
    forms and the API all apply them through `full_clean()`. Many-to-many values are
    left out (the model cannot check them before it is saved); subclasses check them in
    `validate_instance()`, for which they get the unsaved instance.
    """

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # A misspelt field would otherwise be ignored in silence. Read-only fields are
        # tolerated, so that a client may send back what it read.
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [gettext("Unknown field: not part of this resource.")]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        many_to_many = {field.name for field in self.Meta.model._meta.many_to_many}
        values = {name: value for name, value in attrs.items() if name not in many_to_many}
        if self.instance is None:
            instance = self.Meta.model(**values)
        else:
            # A copy, so that a rejected request leaves the instance as it was.
            instance = copy.copy(self.instance)
            for name, value in values.items():
                setattr(instance, name, value)
        try:
            self.prepare_instance(instance, attrs)
            instance.full_clean(validate_unique=True, validate_constraints=True)
            self.validate_instance(instance, attrs)
        except DjangoValidationError as error:
            raise validation_error(error) from None
        return attrs

    def prepare_instance(self, instance: models.Model, attrs: dict[str, Any]) -> None:
        """Fill in derived values before validation; may change `attrs` too."""

    def validate_instance(self, instance: models.Model, attrs: dict[str, Any]) -> None:
        """Rules beyond `full_clean()`; raise Django's ValidationError with field keys."""
