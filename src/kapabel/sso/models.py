"""Single sign-on as data: the identity providers of each municipality (SAML 2.0 following OIOSAML 3,
or OpenID Connect), how their attributes map onto Kapabel's people and role grants, and whether a
municipality's staff may still log in with a local password.

A shared installation serves several municipalities, each with its own identity provider(s); a login
through a provider can only ever match people and grant roles in that provider's municipality."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kapabel.core.models import Municipality, Role
from kapabel.organisation.models import OrgUnit, RoleAssignment

# OIOSAML 3 (the Danish SAML profile) names the NSIS assurance level in this attribute, with the
# values Low, Substantial and High; the AuthnContextClassRef carries the same level as a URI.
NSIS_LOA_ATTRIBUTE = "https://data.gov.dk/concept/core/nsis/loa"
NSIS_LOA_CLASS_PREFIX = "https://data.gov.dk/concept/core/nsis/loa/"
# OIOSAML's Basic Privilege Profile (KOMBIT's Context Handler): a base64-encoded XML list of privileges,
# each with constraints such as the organisation units it is limited to.
OIOSAML3_PRIVILEGES_ATTRIBUTE = "https://data.gov.dk/model/core/eid/privilegesIntermediate"
KOMBIT_ORG_UNIT_CONSTRAINT = "http://sts.kombit.dk/constraints/orgenhed/1"


class AssuranceLevel(models.TextChoices):
    """NSIS assurance levels, lowest first (the order is used to compare them)."""

    LOW = "low", _("Low")
    SUBSTANTIAL = "substantial", _("Substantial")
    HIGH = "high", _("High")


ASSURANCE_ORDER = [AssuranceLevel.LOW, AssuranceLevel.SUBSTANTIAL, AssuranceLevel.HIGH]

# Roles an identity provider may grant: never platform administrator (a provider belongs to one
# municipality), and never employee or manager, which follow from the organisation.
SSO_ROLES = [
    (Role.HR.value, Role.HR.label),
    (Role.COORDINATOR.value, Role.COORDINATOR.label),
    (Role.MUNICIPALITY_ADMIN.value, Role.MUNICIPALITY_ADMIN.label),
]


def refuse_cpr_attribute(value: str) -> None:
    """People are never matched or identified by CPR number (the project's rule: no CPR anywhere)."""
    if "cpr" in value.lower():
        raise ValidationError(_("Kapabel never uses CPR numbers. Choose another attribute."))


class IdentityProvider(models.Model):
    class Protocol(models.TextChoices):
        SAML = "saml", _("SAML 2.0 (OIOSAML 3)")
        OIDC = "oidc", _("OpenID Connect")

    class MatchField(models.TextChoices):
        EMPLOYEE_NUMBER = "employee_number", _("Employee number")
        EMAIL = "email", _("Work e-mail")
        EXTERNAL_ID = "external_id", _("External id (from the HR data)")

    class RolesFormat(models.TextChoices):
        VALUES = "values", _("One value per role")
        OIOSAML_BPP = "bpp", _("OIOSAML basic privilege profile (base64 XML)")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Shown on the login page, e.g. “Aarhus Kommune (AD FS)”.")
    )
    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        help_text=_("Part of the provider's addresses in Kapabel; lower-case letters, digits and dashes."),
    )
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices)
    active = models.BooleanField(_("active"), default=True)

    # SAML: the identity provider's metadata (its entity ID, endpoints and certificates).
    saml_metadata = models.TextField(_("IdP metadata (XML)"), blank=True)
    saml_entity_id = models.CharField(_("IdP entity ID"), max_length=500, blank=True, editable=False)
    saml_require_encryption = models.BooleanField(
        _("require encrypted assertions"),
        default=True,
        help_text=_("OIOSAML 3 requires encrypted assertions; turn off only for a provider that cannot."),
    )

    # OpenID Connect: the issuer (discovery at /.well-known/openid-configuration) and the client.
    oidc_issuer = models.URLField(_("issuer"), blank=True)
    oidc_client_id = models.CharField(_("client ID"), max_length=200, blank=True)
    oidc_client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    oidc_scopes = models.CharField(_("scopes"), max_length=300, blank=True, default="openid email profile")

    # Assurance: the attribute or claim holding the NSIS level, and the lowest level let in.
    assurance_attribute = models.CharField(
        _("assurance level attribute"), max_length=300, blank=True, default=NSIS_LOA_ATTRIBUTE
    )
    min_assurance = models.CharField(
        _("lowest assurance level"),
        max_length=20,
        choices=AssuranceLevel.choices,
        blank=True,
        default=AssuranceLevel.SUBSTANTIAL,
        help_text=_("Logins below this NSIS level are refused. Empty: not checked (OpenID Connect only)."),
    )

    # Who the person is: the attribute whose value is looked up in the municipality's employees.
    match_attribute = models.CharField(
        _("identifying attribute"), max_length=300, validators=[refuse_cpr_attribute]
    )
    match_field = models.CharField(
        _("matched against"), max_length=20, choices=MatchField.choices, default=MatchField.EMPLOYEE_NUMBER
    )
    create_users = models.BooleanField(
        _("create unknown people"),
        default=False,
        help_text=_("Give a login to someone who is not among the municipality's employees."),
    )
    name_attribute = models.CharField(_("name attribute"), max_length=300, blank=True)
    email_attribute = models.CharField(_("e-mail attribute"), max_length=300, blank=True)

    # Roles: the attribute holding the person's roles (job functions), and how it is written.
    roles_attribute = models.CharField(_("roles attribute"), max_length=300, blank=True)
    roles_format = models.CharField(
        _("roles format"), max_length=10, choices=RolesFormat.choices, default=RolesFormat.VALUES
    )
    unit_constraint = models.CharField(
        _("unit constraint name"),
        max_length=300,
        blank=True,
        default=KOMBIT_ORG_UNIT_CONSTRAINT,
        help_text=_("In the privilege profile: the constraint naming the units (their external ids)."),
    )

    created_at = models.DateTimeField(auto_now_add=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        ordering = ["municipality__name", "name"]

    def __str__(self) -> str:
        return self.name


class RoleMapping(models.Model):
    """One role value from the provider and the Kapabel role it gives. With a unit the grant covers
    that unit's subtree (unless the provider limits the privilege to units itself)."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="role_mappings")
    value = models.CharField(_("value from the provider"), max_length=500)
    role = models.CharField(_("role in Kapabel"), max_length=32, choices=SSO_ROLES)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )

    class Meta:
        verbose_name = _("role mapping")
        verbose_name_plural = _("role mappings")
        ordering = ["value", "role"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "value", "role"], name="sso_rolemapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.value} → {self.role}"


class LoginPolicy(models.Model):
    """How a municipality's people log in. Without a row local passwords are allowed."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    local_login = models.BooleanField(
        _("local passwords allowed"),
        default=True,
        help_text=_("Off: the municipality's people log in only through single sign-on."),
    )

    class Meta:
        verbose_name = _("login policy")
        verbose_name_plural = _("login policies")

    def __str__(self) -> str:
        return str(self.municipality)


class SsoIdentity(models.Model):
    """A person as one provider knows them (the identifying attribute's value), and their login."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="identities")
    subject = models.CharField(max_length=300)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="sso_identity_unique_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.provider.slug}:{self.user_id}"


class SsoGrant(models.Model):
    """Marks a role grant as made by single sign-on: replaced at each login through the
    municipality's providers. Grants without this mark were made by hand and are left alone."""

    assignment = models.OneToOneField(RoleAssignment, on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.provider.slug}: {self.assignment_id}"


class ConsumedMessage(models.Model):
    """SAML assertions (and OpenID Connect ID tokens) already used to log in, kept until they expire:
    a second use is a replay and is refused. The unique key decides between two parallel uses."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "message_id"], name="sso_consumed_unique"),
        ]

    def __str__(self) -> str:
        return self.message_id


class SamlSession(models.Model):
    """A SAML login's NameID and SessionIndex and the Django session it opened, so a logout request
    from the identity provider (single logout) ends the right sessions."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    name_id = models.CharField(max_length=500, db_index=True)
    session_index = models.CharField(max_length=200, blank=True)
    session_key = models.CharField(max_length=40, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.session_key[:6]}…"
