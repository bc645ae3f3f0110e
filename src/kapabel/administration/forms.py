"""Forms of the administration pages. They parse and check the shape of the input; the rules (unique
codes, who may grant what, passwords) are the services', whose errors come back onto the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kapabel.competences import starter
from kapabel.core.forms import DesignSystemFormMixin
from kapabel.core.models import Role
from kapabel.organisation.models import OrgUnit

CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"})


def starter_choices(exclude: set[str] | frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    return [(item.key, item.name) for item in starter.catalogue() if item.key not in exclude]


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order, each indented by its depth, so the select reads as the organisation."""

    def label_from_instance(self, obj: OrgUnit) -> str:  # type: ignore[override]  # narrower than Model
        return "\u2003" * obj.depth + obj.name


class AdministratorFields(forms.Form):
    """A login's name, e-mail and password (twice), shared by the new-user and new-municipality forms.
    `prefix_fields` names them admin_… in the municipality form."""

    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits and not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class UserCreateForm(DesignSystemFormMixin, AdministratorFields):
    """A new login of the municipality: linked to an employee (by employee number), given a role, or both."""

    employee_number = forms.CharField(
        label=_("Employee number"),
        required=False,
        help_text=_("Links the login to this employee of the municipality (employee number or external id)."),
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    unit = UnitChoiceField(
        label=_("For the unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("The whole municipality"),
        help_text=_("HR consultants and coordinators can be limited to a unit and its subunits."),
    )

    def __init__(self, *args: Any, roles: list[Role], units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("No role"))] + [(role.value, role.label) for role in roles]
        self.fields["unit"].queryset = units


class RoleGrantForm(DesignSystemFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    unit = UnitChoiceField(
        label=_("For the unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("The whole municipality"),
        help_text=_("HR consultants and coordinators can be limited to a unit and its subunits."),
    )

    def __init__(self, *args: Any, roles: list[Role], units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        self.fields["unit"].queryset = units


class UserSearchForm(DesignSystemFormMixin, forms.Form):
    q = forms.CharField(label=_("Search by username, name or e-mail"), required=False, max_length=150)


class MunicipalityForm(DesignSystemFormMixin, forms.Form):
    """A new municipality, its starter frameworks and (optionally) its first administrator."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example Aarhus Kommune."))
    kommunekode = forms.CharField(
        label=_("Municipality code"),
        max_length=10,
        help_text=_("The three-digit municipality code, for example 751 for Aarhus."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-width-xs"}),
    )
    cvr = forms.CharField(
        label=_("CVR number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-width-s"}),
    )
    starters = forms.MultipleChoiceField(
        label=_("Starter frameworks"), required=False, widget=CHECKBOXES, choices=starter_choices
    )
    admin_username = forms.CharField(
        label=_("Username"),
        max_length=150,
        required=False,
        help_text=_("A new login, or an existing user's username (then leave the password empty)."),
    )
    admin_first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    admin_last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    admin_email = forms.EmailField(label=_("E-mail"), required=False)
    admin_password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("For a new login: at least 10 characters, not only digits and not a common password."),
    )
    admin_password2 = forms.CharField(
        label=_("Password again"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    ADMIN_FIELDS = ("admin_username", "admin_first_name", "admin_last_name", "admin_email", "admin_password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(data.get(name) for name in self.ADMIN_FIELDS) and not data.get("admin_username"):
            self.add_error(
                "admin_username", _("Give the administrator's username, or leave all their fields empty.")
            )
        if data.get("admin_password", "") != data.get("admin_password2", ""):
            self.add_error("admin_password2", _("The two passwords are not the same."))
        return data

    def field_groups(self) -> dict[str, list[forms.BoundField]]:
        """The fields by fieldset, for the template."""
        return {
            "municipality": [self["name"], self["kommunekode"], self["cvr"]],
            "administrator": [self[name] for name in (*self.ADMIN_FIELDS, "admin_password2")],
        }


class StarterForm(DesignSystemFormMixin, forms.Form):
    starters = forms.MultipleChoiceField(label=_("Starter frameworks"), widget=CHECKBOXES)

    def __init__(self, *args: Any, installed: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starters"].choices = starter_choices(installed)
        # What the checkboxes show: the starters the municipality does not have yet.
        self.available = [item for item in starter.catalogue() if item.key not in installed]
