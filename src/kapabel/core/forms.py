from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm

_WIDGET_CLASSES = {
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
    forms.CheckboxInput: "form-checkbox",
    forms.Textarea: "form-input",
}


# For the type checker the mixin is a form (it only ever mixes into one); at run time a plain class.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class DesignSystemFormMixin(_FormBase):
    """Gives every widget the Det Fælles Designsystem class it needs, and links its hint and
    error texts with aria-describedby."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
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
        super().full_clean()
        for name in self.errors:
            field = self.fields.get(name)
            if field is None:
                continue
            ids = field.widget.attrs.get("aria-describedby", "").split()
            field.widget.attrs["aria-describedby"] = " ".join([*ids, f"id_{name}_error"])
            field.widget.attrs["aria-invalid"] = "true"


class KapabelPasswordChangeForm(DesignSystemFormMixin, PasswordChangeForm):
    pass
