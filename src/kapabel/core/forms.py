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
            described = []
            if field.help_text:
                described.append(f"id_{name}_hint")
            if self.is_bound and name in self.errors:  # type: ignore[attr-defined]
                described.append(f"id_{name}_error")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


class KapabelPasswordChangeForm(DesignSystemFormMixin, PasswordChangeForm):
    pass
