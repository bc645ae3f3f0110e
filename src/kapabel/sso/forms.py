from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from kapabel.core.forms import DesignSystemFormMixin
from kapabel.organisation.models import OrgUnit
from kapabel.sso.models import SSO_ROLES, IdentityProvider

SAML_FIELDS = ["saml_metadata", "saml_require_encryption"]
OIDC_FIELDS = ["oidc_issuer", "oidc_client_id", "oidc_client_secret", "oidc_scopes"]
COMMON_FIELDS = [
    "municipality",
    "name",
    "slug",
    "active",
    "min_assurance",
    "assurance_attribute",
    "match_attribute",
    "match_field",
    "create_users",
    "name_attribute",
    "email_attribute",
    "roles_attribute",
    "roles_format",
    "unit_constraint",
]


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Addresses without a scheme mean https (Django 6's default, asked for now)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ProviderForm(DesignSystemFormMixin, forms.ModelForm):
    """One form per protocol: the protocol's own fields, then what both share."""

    class Meta:
        model = IdentityProvider
        fields = COMMON_FIELDS + SAML_FIELDS + OIDC_FIELDS
        formfield_callback = _formfield
        widgets = {
            "saml_metadata": forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
            "oidc_client_secret": forms.PasswordInput(render_value=True),
        }

    def __init__(self, *args: Any, protocol: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = SAML_FIELDS if protocol == IdentityProvider.Protocol.SAML else OIDC_FIELDS
        for name in [*SAML_FIELDS, *OIDC_FIELDS]:
            if name not in own:
                del self.fields[name]
        if protocol == IdentityProvider.Protocol.OIDC:
            del self.fields["unit_constraint"]
            self.fields["roles_format"].choices = [
                (IdentityProvider.RolesFormat.VALUES.value, IdentityProvider.RolesFormat.VALUES.label)
            ]
        required = (
            ["saml_metadata", "min_assurance"]
            if protocol == IdentityProvider.Protocol.SAML
            else OIDC_FIELDS[:3]
        )
        for name in required:
            self.fields[name].required = True
        self.order_fields(["municipality", "name", "slug", "active", *own])


class RoleMappingForm(DesignSystemFormMixin, forms.Form):
    value = forms.CharField(
        label=_("Value from the provider"),
        max_length=500,
        help_text=_("E.g. a privilege URI from the privilege profile, a group or an app role."),
    )
    role = forms.ChoiceField(label=_("Role in Kapabel"), choices=SSO_ROLES)
    unit = forms.ModelChoiceField(
        label=_("Limited to unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("Empty: the whole municipality, unless the provider names units itself."),
    )

    def __init__(self, *args: Any, provider: IdentityProvider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.filter(
            municipality=provider.municipality, active=True
        ).order_by("path")


class LoginPolicyForm(forms.Form):
    local_login = forms.BooleanField(required=False)
