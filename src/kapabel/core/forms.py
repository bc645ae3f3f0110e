from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from kapabel.core.audit.search import AuditFilters

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


class AuditFilterForm(DesignSystemFormMixin, forms.Form):
    """The audit log's search: by person, object type, object, action, kind and date."""

    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=200,
        help_text=_("Who did it or whom it is about: name, e-mail or username."),
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object = forms.CharField(label=_("Object"), required=False, max_length=200, help_text=_("Name or id."))
    action = forms.CharField(label=_("Action code starts with"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Changes and reads")), ("change", _("Changes only")), ("read", _("Reads only"))],
    )
    date_from = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    actor_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, object_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("All object types")), *object_types]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> AuditFilters:
        """The valid criteria (call after `is_valid`); the invalid ones are left out."""
        data = getattr(self, "cleaned_data", {})
        return AuditFilters(
            person=(data.get("person") or "").strip(),
            person_id=data.get("person_id"),
            actor_id=data.get("actor_id"),
            object_type=data.get("object_type") or "",
            object=(data.get("object") or "").strip(),
            action=(data.get("action") or "").strip(),
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
