"""The people picker: a search box, one page of matching people at a time (each shown with job
title, unit and employee number, so two people of the same name can be told apart), and the chosen
people as checked checkboxes.

Everything is plain form controls. With JavaScript (HTMX and `organisation/pickers.js`) the results
follow the search as the user types and pages without leaving the form, and a ticked person moves
into the chosen list. Without it the search and page buttons submit the form, and the view renders it
again with the results (`picker_action`, `hold_errors`). The people searched are those of the field's
queryset, which the view narrows to what the acting user may see; the HTMX search
(`views.people_pick`) starts from the same access layer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms.utils import ErrorDict
from django.forms.widgets import Media
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from kapabel.organisation.models import Employee
from kapabel.organisation.selectors import search_employees

PAGE_SIZE = 10


@dataclass
class PeoplePage:
    people: list[Employee]
    number: int
    count: int
    start: int
    end: int
    previous: int | None
    next: int | None


def people_page(
    queryset: QuerySet[Employee], *, query: str, page: str | int, exclude: list[int]
) -> PeoplePage:
    """One page of the people in `queryset` matching `query`, leaving out those already chosen."""
    matches = (
        search_employees(queryset, query)
        .exclude(pk__in=exclude)
        .select_related("unit", "job_role")
        .order_by("name", "unit__name", "pk")
    )
    current = Paginator(matches, PAGE_SIZE).get_page(page)
    return PeoplePage(
        people=list(current.object_list),
        number=current.number,
        count=current.paginator.count,
        start=current.start_index(),
        end=current.end_index(),
        previous=current.previous_page_number() if current.has_previous() else None,
        next=current.next_page_number() if current.has_next() else None,
    )


def picker_action(data: Mapping[str, Any]) -> bool:
    """The form was sent by a picker's search or page button (without JavaScript): show it again
    with the results instead of saving."""
    return any(key.endswith(("__search", "__page")) for key in data)


def hold_errors(form: forms.BaseForm) -> None:
    """Render a bound form again without validating it: a search is not an attempt to save, so no
    "this field is required" yet. (Django validates on first access to `errors`; an empty error
    dict stands for "nothing checked".)"""
    form._errors = ErrorDict()  # type: ignore[attr-defined]  # Django's own cache of the errors
    form.cleaned_data = {}


class PeoplePickerWidget(forms.SelectMultiple):
    template_name = "organisation/pickers/people.html"
    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.query = ""
        self.page: str = "1"
        self.municipality_id: int | None = None
        # A form whose choices are narrower than "everyone the user sees" (e.g. a programme's target
        # group) points the search at its own endpoint, which starts from the same queryset.
        self.search_url: str | None = None
        self.search_extra: dict[str, Any] = {}

    @property
    def media(self) -> Media:
        return Media(
            css={"all": ["organisation/pickers.css"]},
            js=["organisation/pickers.js"],
        )

    def value_from_datadict(self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str) -> Any:
        # Kept for rendering the form again after a search without JavaScript.
        self.query = str(data.get(f"{name}__q", "") or "")
        self.page = str(data.get(f"{name}__page", "1") or "1")
        return super().value_from_datadict(data, files, name)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # Not ChoiceWidget.get_context: that would render every person as an option.
        context = forms.Widget.get_context(self, name, value, attrs)
        queryset: QuerySet[Employee] = self.choices.queryset  # type: ignore[attr-defined]
        ids = [int(v) for v in context["widget"]["value"] if str(v).isdigit()]
        chosen = list(queryset.filter(pk__in=ids).select_related("unit", "job_role").order_by("name", "pk"))
        params: dict[str, Any] = {"name": name, **self.search_extra}
        if self.municipality_id is not None:
            params["municipality"] = self.municipality_id
        context["widget"].update(
            {
                "chosen": chosen,
                "query": self.query,
                "results": people_page(queryset, query=self.query, page=self.page, exclude=ids),
                "search_url": self.search_url or reverse("organisation:people_pick"),
                "search_params": json.dumps(params),
            }
        )
        return context

    def format_value(self, value: Any) -> list[str]:
        return [str(v.pk if isinstance(v, Employee) else v) for v in value or []]


class PeopleField(forms.ModelMultipleChoiceField):
    """People chosen with the picker, from a queryset the view narrowed to what the user may see."""

    widget = PeoplePickerWidget

    def __init__(self, queryset: QuerySet[Employee] | None = None, **kwargs: Any) -> None:
        super().__init__(queryset if queryset is not None else Employee.objects.none(), **kwargs)

    def search_in(self, municipality_id: int | None) -> None:
        """Let the HTMX search narrow to the municipality the form works in."""
        self.widget.municipality_id = municipality_id

    def search_at(self, url: str, **params: Any) -> None:
        """Let the HTMX search use `url` (with `params`), an endpoint listing this field's queryset."""
        self.widget.search_url = url
        self.widget.search_extra = params


class PersonField(PeopleField):
    """One person (or nobody) chosen with the picker: the value is an Employee or None."""

    default_error_messages = {"one": _("Choose one person only.")}

    def prepare_value(self, value: Any) -> Any:
        if value in (None, ""):
            value = []
        elif not isinstance(value, list | tuple):
            value = [value]
        return super().prepare_value(value)

    def clean(self, value: Any) -> Employee | None:  # type: ignore[override]
        people = list(super().clean(value))
        if len(people) > 1:
            raise ValidationError(self.error_messages["one"], code="one")
        return people[0] if people else None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.prepare_value(initial) != self.prepare_value(data)
