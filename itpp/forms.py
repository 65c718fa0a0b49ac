"""What every staff page's form shares: Bootstrap classes on its inputs, with the help text
and errors tied to each input for screen readers (`templates/includes/field.html` renders
them with the ids used here)."""

from __future__ import annotations

from typing import Any

from django import forms


def style_for_page(form: forms.BaseForm) -> None:
    """Classes and ARIA attributes for every input; the ones in error are marked once the
    form has been validated (before that, nothing is: validation is not forced early)."""
    errors = form._errors or {}
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        described = [f"{form.auto_id % name}_help"] if field.help_text else []
        if name in errors:
            css += " is-invalid"
            widget.attrs["aria-invalid"] = "true"
            described.append(f"{form.auto_id % name}_error")
        widget.attrs["class"] = css
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)


class PageFormMixin:
    """For a form shown on a staff page: styled when made, and again once validated.

    Subclasses that add or change fields in their own `__init__` call
    `style_for_page(self)` at its end.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_for_page(self)

    def full_clean(self) -> None:
        super().full_clean()
        style_for_page(self)
