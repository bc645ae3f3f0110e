"""Form widgets every app can use (the organisation's pickers build on the same look)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.widgets import Media


class CheckboxList(forms.CheckboxSelectMultiple):
    """A multiple choice as a list of checkboxes in a box of its own (scrolling past a dozen
    options) instead of a `<select multiple>`; with many options a filter box (JavaScript) narrows
    the list by name. Rendered inside a fieldset whose legend is the field's label."""

    template_name = "core/widgets/checkbox_list.html"
    use_fieldset = True
    FILTER_FROM = 9

    @property
    def media(self) -> Media:
        return Media(css={"all": ["kapabel/widgets.css"]}, js=["kapabel/checklist.js"])

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        options = [
            option
            for _group, group_options, _index in context["widget"]["optgroups"]
            for option in group_options
        ]
        context["widget"]["options"] = options
        context["widget"]["filter"] = len(options) >= self.FILTER_FROM
        return context
