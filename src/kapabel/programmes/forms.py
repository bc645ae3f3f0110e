"""Forms of the programme pages. They parse input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kapabel.core.forms import DesignSystemFormMixin
from kapabel.programmes.models import Application, FundingScheme, Placement, SchemeParameter, Substitute


class DateInput(forms.DateInput):
    input_type = "date"


class SubstituteForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = Substitute
        fields = [
            "name",
            "email",
            "recruited_via",
            "unemployment_months",
            "benefit",
            "starts_on",
            "ends_on",
            "hours_per_week",
            "hourly_wage",
            "unit",
            "manager",
        ]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args: Any, units: Any, employees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["manager"].queryset = employees


class PlacementForm(DesignSystemFormMixin, forms.Form):
    substitute = forms.ModelChoiceField(queryset=Substitute.objects.none(), label=_("Substitute"))
    participants = forms.ModelMultipleChoiceField(queryset=None, label=_("Covers"))
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput())
    hours_per_week = forms.DecimalField(label=_("Hours per week"), max_digits=4, decimal_places=1)
    scheme = forms.ModelChoiceField(
        queryset=FundingScheme.objects.none(), label=_("Paid through"), required=False
    )

    def __init__(self, *args: Any, substitutes: Any, participants: Any, schemes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = substitutes
        self.fields["participants"].queryset = participants
        self.fields["participants"].label_from_instance = lambda p: p.employee.name
        self.fields["scheme"].queryset = schemes


class OutcomeForm(DesignSystemFormMixin, forms.Form):
    outcome = forms.ChoiceField(choices=Substitute.Outcome.choices, label=_("Outcome"))


class ApplicationForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = Application
        fields = [
            "scheme",
            "title",
            "participant",
            "people",
            "master",
            "education_starts_on",
            "education_ends_on",
            "eligible_costs",
            "case_number",
            "documents",
        ]
        widgets = {"education_starts_on": DateInput(), "education_ends_on": DateInput()}

    def __init__(self, *args: Any, participants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
        self.fields["participant"].label_from_instance = lambda p: p.employee.name


class MoveForm(DesignSystemFormMixin, forms.Form):
    status = forms.ChoiceField(choices=Application.Status.choices, label=_("New status"))
    on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    amount = forms.DecimalField(label=_("Amount (kr.)"), required=False, max_digits=12, decimal_places=2)


class ParameterForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = SchemeParameter
        fields = ["scheme", "key", "value", "valid_from", "valid_to", "source"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}


class PlacementDeleteForm(DesignSystemFormMixin, forms.Form):
    placement = forms.ModelChoiceField(queryset=Placement.objects.none())
