"""Database helpers shared by the apps."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models


class FieldErrorMixin:
    """Puts a constraint's validation error on one form field.

    Django reports a failed CheckConstraint, or a UniqueConstraint over several fields, as
    a non-field error; users need the message next to the field they must correct. The
    database keeps enforcing the rule; `field` only says where `full_clean()` puts the
    message, so admin, forms and API (which all call `full_clean()`) show it in the same
    place.
    """

    def __init__(self, *, field: str, **kwargs: Any) -> None:
        self.field = field
        super().__init__(**kwargs)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS) -> None:
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as error:
            raise ValidationError({self.field: error.error_list}) from None

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FieldErrorMixin):
            return super().__eq__(other) and self.field == other.field
        return super().__eq__(other)


class FieldCheckConstraint(FieldErrorMixin, models.CheckConstraint):
    """A CHECK constraint whose validation error belongs to one form field."""


class FieldUniqueConstraint(FieldErrorMixin, models.UniqueConstraint):
    """A unique constraint whose validation error belongs to one form field."""
