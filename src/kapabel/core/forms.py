from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm

_WIDGET_CLASSES = {
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
    forms.CheckboxInput: "form-checkbox",
    forms.Textarea: "form-input",
}


class DesignSystemFormMixin:
    """Gives every widget the Det Fælles Designsystem class it needs, and links its hint and
    error texts with aria-describedby."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            css = next(
                (c for widget, c in _WIDGET_CLASSES.items() if isinstance(field.widget, widget)), "form-input"
            )
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_hint"

    def full_clean(self) -> None:
        """After validation, point each invalid field at its error text. Done here rather than in
        __init__, because reading `errors` there would validate before subclasses have narrowed
        their choices (e.g. units to one municipality)."""
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if field is None:
                continue
            ids = field.widget.attrs.get("aria-describedby", "").split()
            field.widget.attrs["aria-describedby"] = " ".join([*ids, f"id_{name}_error"])
            field.widget.attrs["aria-invalid"] = "true"


class KapabelPasswordChangeForm(DesignSystemFormMixin, PasswordChangeForm):
    pass
