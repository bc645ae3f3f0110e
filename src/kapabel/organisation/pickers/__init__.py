"""Reusable pickers for forms in every app above the organisation: a unit tree (each unit with or
without the units below it) and a searchable people picker. Both are plain form controls that
JavaScript enhances; both only offer what the view's querysets (narrowed by the access layer)
contain, and validate against them."""

from kapabel.organisation.pickers.people import (
    PeopleField,
    PeoplePickerWidget,
    PersonField,
    hold_errors,
    people_page,
    picker_action,
)
from kapabel.organisation.pickers.units import UnitScopeField, UnitTreeWidget, unit_tree

__all__ = [
    "PeopleField",
    "PeoplePickerWidget",
    "PersonField",
    "UnitScopeField",
    "UnitTreeWidget",
    "hold_errors",
    "people_page",
    "picker_action",
    "unit_tree",
]
