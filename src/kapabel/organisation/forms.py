from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kapabel.core.forms import DesignSystemFormMixin
from kapabel.core.models import Municipality
from kapabel.organisation.models import Employee, JobRole, OrgUnit


class EmployeeFilterForm(DesignSystemFormMixin, forms.Form):
    q = forms.CharField(label=_("Search by name, e-mail or employee number"), required=False)
    job_role = forms.ModelChoiceField(
        label=_("Job role"), queryset=JobRole.objects.none(), required=False, empty_label=_("All job roles")
    )
    include_inactive = forms.BooleanField(label=_("Include former employees"), required=False)

    def __init__(self, *args: Any, job_roles: QuerySet[JobRole], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job_role"].queryset = job_roles


class EmployeeForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = Employee
        fields = [
            "external_id",
            "employee_number",
            "name",
            "email",
            "unit",
            "job_role",
            "weekly_hours",
            "employment_start",
            "employment_end",
            "active",
        ]
        widgets = {
            "employment_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "employment_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.filter(municipality=municipality, active=True)
        self.fields["job_role"].queryset = JobRole.objects.filter(municipality=municipality, active=True)

    def validate_unique(self) -> None:
        """Uniqueness is checked by the service, which knows the municipality."""


class OrgUnitForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "kind", "parent", "external_id", "active"]

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = OrgUnit.objects.filter(municipality=municipality).order_by("path")
        self.fields["parent"].label = _("Parent unit")

    def validate_unique(self) -> None:
        """Uniqueness is checked by the service, which knows the municipality."""


class JobRoleForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = JobRole
        fields = ["title", "code", "job_family", "external_id", "active"]

    def validate_unique(self) -> None:
        """Uniqueness is checked by the service, which knows the municipality."""
