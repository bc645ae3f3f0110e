"""Forms of the learning pages. They parse and validate input; the rules live in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kapabel.learning.models import Cohort, Level, OfferKind, Room
from kapabel.learning.selectors_catalogue import (
    ECTS_BUCKETS,
    PRICE_BUCKETS,
    START_BUCKETS,
    CatalogueFilters,
    Facets,
)
from kapabel.learning.services import SessionSpec

# `<input type="datetime-local">` sends this; the others accept typed-in Danish and ISO times.
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d-%m-%Y %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "form-input", **(attrs or {})}, format="%Y-%m-%dT%H:%M")


def _datetime(label: Any, required: bool = False, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateTimeLocalInput(),
        input_formats=DATETIME_INPUT_FORMATS,
    )


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- Catalogue ---------------------------------------------------------------------------------------


class CatalogueForm(forms.Form):
    """The catalogue's search box and facets (GET). Unknown values are ignored, not refused: a
    bookmarked search keeps working after a category is renamed or removed."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.CharField(required=False)
    category = forms.CharField(required=False)
    level = forms.CharField(required=False)
    provider = forms.CharField(required=False)
    ects = forms.CharField(required=False)
    price = forms.CharField(required=False)
    starts = forms.CharField(required=False)
    sort = forms.CharField(required=False)

    def search(self) -> str:
        return self.cleaned_data.get("q", "").strip() if self.is_valid() else ""

    def filters(self, municipality_id: int | None) -> CatalogueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return CatalogueFilters(
            kind=data.get("kind", "") if data.get("kind") in OfferKind.values else "",
            category=_int_or_none(data.get("category")),
            level=data.get("level", "") if data.get("level") in Level.values else "",
            provider=_int_or_none(data.get("provider")),
            ects=data.get("ects", "") if data.get("ects") in ECTS_BUCKETS else "",
            price=data.get("price", "") if data.get("price") in PRICE_BUCKETS else "",
            starts=data.get("starts", "") if data.get("starts") in START_BUCKETS else "",
            municipality_id=municipality_id,
        )

    def ordering(self) -> str:
        return "start" if self.is_valid() and self.cleaned_data.get("sort") == "start" else "title"


def facet_selects(facets: Facets) -> list[dict[str, Any]]:
    """The facet `<select>`s in the order the page shows them."""
    return [
        {"name": "kind", "label": _("Type"), "options": facets.kind},
        {"name": "category", "label": _("Category"), "options": facets.category},
        {"name": "level", "label": _("Level"), "options": facets.level},
        {"name": "provider", "label": _("Provider"), "options": facets.provider},
        {"name": "ects", "label": _("ECTS"), "options": facets.ects},
        {"name": "price", "label": _("Price per participant"), "options": facets.price},
        {"name": "starts", "label": _("Next start"), "options": facets.starts},
    ]


# --- Cohorts and sessions ------------------------------------------------------------------------------


class CohortForm(forms.Form):
    """A cohort's details. `offer` and the opening status only when creating one."""

    offer = forms.ModelChoiceField(label=_("Offer"), queryset=None)  # type: ignore[arg-type]  # set per user
    status = forms.ChoiceField(
        label=_("Registration"),
        choices=[
            (Cohort.Status.PLANNED, _("Planned: registration not open yet")),
            (Cohort.Status.OPEN, _("Open for registration now")),
        ],
        initial=Cohort.Status.PLANNED,
    )
    code = forms.CharField(label=_("Code"), required=False, max_length=50)
    title = forms.CharField(
        label=_("Title"), required=False, max_length=300, help_text=_("Empty: the offer's title.")
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)
    min_size = forms.IntegerField(label=_("Minimum size"), min_value=0, initial=0)
    registration_opens = _datetime(_("Registration opens"))
    registration_closes = _datetime(_("Registration closes"))
    cancellation_cutoff = _datetime(
        _("Cancellation deadline"),
        help_text=_("After this time participants can no longer cancel themselves. Empty: until it starts."),
    )

    def __init__(self, *args: Any, offers: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["offer"]
            del self.fields["status"]
        else:
            self.fields["offer"].queryset = offers  # type: ignore[attr-defined]  # a ModelChoiceField
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            elif not isinstance(field.widget, DateTimeLocalInput):
                field.widget.attrs.setdefault("class", "form-input")
            if name in ("capacity", "min_size"):
                field.widget.attrs["class"] = "form-input input-width-xs"

    def details(self) -> dict[str, Any]:
        """The cleaned values as `cohort_update`'s named arguments."""
        keys = (
            "code",
            "title",
            "capacity",
            "min_size",
            "registration_opens",
            "registration_closes",
            "cancellation_cutoff",
        )
        return {key: self.cleaned_data[key] for key in keys}


class SessionForm(forms.Form):
    session_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    starts_at = _datetime(_("Starts"), required=True)
    ends_at = _datetime(_("Ends"), required=True)
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-input"}),
    )
    room = forms.ModelChoiceField(
        label=_("Room"),
        required=False,
        queryset=Room.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    online = forms.BooleanField(label=_("Online"), required=False)
    online_url = forms.URLField(
        label=_("Online meeting link"),
        required=False,
        widget=forms.URLInput(attrs={"class": "form-input"}),
        assume_scheme="https",
    )

    def __init__(self, *args: Any, rooms: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rooms is not None:
            self.fields["room"].queryset = rooms  # type: ignore[attr-defined]  # a ModelChoiceField

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A session must end after it starts."))
        return data

    def spec(self) -> SessionSpec:
        data = self.cleaned_data
        return SessionSpec(
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data.get("place", ""),
            online=bool(data.get("online")),
            online_url=data.get("online_url", ""),
            room=data.get("room"),
        )


class BaseSessionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            f
            for f in self.forms
            if not f.cleaned_data.get("DELETE") and (f.cleaned_data.get("session_id") or f.has_changed())
        ]
        if not kept:
            raise forms.ValidationError(_("A cohort needs at least one session."))


SessionFormSet = forms.formset_factory(SessionForm, formset=BaseSessionFormSet, extra=1, can_delete=True)


class CancelCohortForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancellation"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-input", "rows": 3}),
        help_text=_("Shown to the participants who are told about the cancellation."),
    )


# --- Enrolments --------------------------------------------------------------------------------------------


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=True,
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "form-input", "rows": 3}),
        help_text=_("The person sees the reason with the decision."),
    )


def parse_ects(value: str | None) -> Decimal | None:
    """An ECTS figure typed in Danish or English ("7,5" or "7.5"); None when empty or not a number."""
    text = (value or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except ArithmeticError:
        return None
    return number if number >= 0 else None


class BookPeopleForm(forms.Form):
    """Narrow the list of people to book (GET)."""

    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("Name"), required=False, max_length=200)

    def __init__(self, *args: Any, units: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [  # type: ignore[attr-defined]
            (u.pk, "\u2003" * max(u.depth, 0) + u.name) for u in units
        ]
        self.fields["unit"].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs["class"] = "form-input"
