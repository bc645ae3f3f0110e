"""Forms of the programme pages. They parse input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kapabel.core.forms import DesignSystemFormMixin
from kapabel.core.widgets import CheckboxList
from kapabel.organisation.pickers import PeopleField, PersonField, UnitScopeField, UnitTreeWidget
from kapabel.programmes.models import (
    Application,
    FundingScheme,
    HourlyCost,
    Partner,
    Phase,
    Placement,
    Programme,
    SchemeParameter,
    Substitute,
)


class DateInput(forms.DateInput):
    """A native date picker: its value must be ISO (2026-02-01), whatever the user's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs, format=format or "%Y-%m-%d")


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


def _period_error(form: forms.BaseForm, message: str) -> None:
    data = form.cleaned_data
    if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
        form.add_error("ends_on", message)


class ProgrammeForm(DesignSystemFormMixin, forms.ModelForm):
    owner = PersonField(label=_("Owner"), required=False, help_text=_("Tick one person."))

    class Meta:
        model = Programme
        fields = ["name", "purpose", "owner", "owner_unit", "status", "starts_on", "ends_on", "budget"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "purpose": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, units: Any, employees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = employees
        self.fields["owner_unit"].queryset = units
        self.fields["owner_unit"].label_from_instance = lambda u: u.name

    def clean(self) -> dict[str, Any]:
        super().clean()
        _period_error(self, str(_("A programme cannot end before it starts.")))
        return self.cleaned_data

    def _post_clean(self) -> None:
        """The service validates and saves; the form only parses (no model validation here)."""


class PartnerForm(DesignSystemFormMixin, forms.Form):
    prefix = "partner"
    name = forms.CharField(label=_("Partner"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Partner.Kind.choices, initial=Partner.Kind.OTHER)


class SteeringMemberForm(DesignSystemFormMixin, forms.Form):
    prefix = "member"
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    person = PersonField(
        required=False,
        label=_("Login"),
        help_text=_("A member with a login reads the programme's figures, never names."),
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class TargetForm(DesignSystemFormMixin, forms.Form):
    units = UnitScopeField(
        label=_("Units"),
        widget=UnitTreeWidget(always_below=True),
        help_text=_("Everyone in a unit and the units below it."),
    )
    job_roles = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Job roles"), widget=CheckboxList()
    )
    employees = PeopleField(required=False, label=_("Named people"))

    def __init__(self, *args: Any, units: Any, job_roles: Any, employees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        self.fields["job_roles"].queryset = job_roles
        self.fields["employees"].queryset = employees

    def clean_units(self) -> list[Any]:
        """A target group's unit always means the unit and the units below it."""
        return [unit for unit, _below in self.cleaned_data.get("units") or []]


def _cohort_label(cohort: Any) -> str:
    """The offer and when the hold starts (a cohort's own name repeats the offer's title)."""
    if cohort.first_starts_at is None:
        return str(cohort.offer.title)
    day = date_format(timezone.localtime(cohort.first_starts_at), "SHORT_DATE_FORMAT")
    return f"{cohort.offer.title} ({day})"


class PhaseForm(DesignSystemFormMixin, forms.ModelForm):
    cohorts = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Cohorts"),
        widget=CheckboxList(),
        help_text=_("The courses and modules this phase runs; their sessions give the hours away."),
    )

    class Meta:
        model = Phase
        fields = ["name", "kind", "position", "starts_on", "ends_on", "campaign", "funding_scheme"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        help_texts = {"campaign": _("The competence clarification this phase runs, if any.")}

    def __init__(self, *args: Any, campaigns: Any, cohorts: Any, schemes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["cohorts"].queryset = cohorts
        self.fields["cohorts"].label_from_instance = _cohort_label
        self.fields["funding_scheme"].queryset = schemes
        self.fields["position"].required = False
        if self.instance.pk:
            self.initial.setdefault("cohorts", [c.pk for c in self.instance.cohorts.all()])

    def clean(self) -> dict[str, Any]:
        super().clean()
        _period_error(self, str(_("A phase cannot end before it starts.")))
        return self.cleaned_data

    def _post_clean(self) -> None:
        """The service validates and saves."""


class ParticipantsAddForm(DesignSystemFormMixin, forms.Form):
    employees = PeopleField(required=False, label=_("People"))
    everyone = forms.BooleanField(
        required=False, label=_("Add everyone in the target group who is not a participant yet")
    )
    phases = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Also add them to these phases"),
        widget=CheckboxList(),
    )

    def __init__(self, *args: Any, candidates: Any, phases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        self.fields["employees"].queryset = candidates
        self.fields["phases"].queryset = phases

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("everyone"):
            data["employees"] = list(self.candidates)
        if not data.get("employees"):
            self.add_error("employees", _("Choose at least one person, or everyone."))
        return data


class HourlyCostForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = HourlyCost
        fields = ["job_role", "hourly_cost", "valid_from"]
        widgets = {"valid_from": DateInput()}
        labels = {"job_role": _("Job role")}

    def __init__(self, *args: Any, job_roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job_role"].queryset = job_roles

    def _post_clean(self) -> None:
        """The service validates and saves."""


class DocumentForm(DesignSystemFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Document"), help_text=_("PDF, Word (DOCX), Excel (XLSX), PNG or JPEG; at most 10 MB.")
    )
