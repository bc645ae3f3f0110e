"""Writes of single sign-on: a verified login becomes a user with role grants, and the platform
administrators' changes to providers, role mappings and login policies. Each runs in a transaction
and leaves an audit event; a refused login writes nothing."""

from __future__ import annotations

import datetime
import logging
import re
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.access import path_in_subtree, scope_for
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User
from kapabel.organisation import services as organisation_services
from kapabel.organisation.models import Employee, OrgUnit, RoleAssignment
from kapabel.sso import saml
from kapabel.sso.claims import Identity, check_assurance
from kapabel.sso.errors import ACCOUNT_DISABLED, NO_ACCOUNT, SsoRefused
from kapabel.sso.models import (
    ConsumedMessage,
    IdentityProvider,
    LoginPolicy,
    RoleMapping,
    SamlSession,
    SsoGrant,
    SsoIdentity,
)

logger = logging.getLogger("kapabel.sso")

PROVIDER_FIELDS = (
    "municipality",
    "name",
    "slug",
    "protocol",
    "active",
    "saml_entity_id",
    "saml_require_encryption",
    "oidc_issuer",
    "oidc_client_id",
    "oidc_scopes",
    "assurance_attribute",
    "min_assurance",
    "match_attribute",
    "match_field",
    "create_users",
    "name_attribute",
    "email_attribute",
    "roles_attribute",
    "roles_format",
    "unit_constraint",
)
# Edited on the page but never written into the audit log as a value (a secret, or a long document).
PROVIDER_QUIET_FIELDS = ("saml_metadata", "oidc_client_secret")


def actor_for(provider: IdentityProvider) -> str:
    """The audit log's name for what single sign-on does on its own."""
    return f"sso:{provider.slug}"


# --- Login ------------------------------------------------------------------------------------


def _consume(provider: IdentityProvider, identity: Identity) -> None:
    """Refuse a message that was used before (replay); remember this one until it expires."""
    now = timezone.now()
    ConsumedMessage.objects.filter(expires_at__lt=now - datetime.timedelta(hours=1)).delete()
    if not identity.message_id:
        raise SsoRefused("message without id")
    try:
        with transaction.atomic():
            ConsumedMessage.objects.create(
                provider=provider,
                message_id=identity.message_id,
                expires_at=max(identity.expires_at or now, now) + datetime.timedelta(minutes=5),
            )
    except IntegrityError as exc:
        raise SsoRefused("replayed message") from exc


def _new_username(provider: IdentityProvider, identity: Identity) -> str:
    base = slugify(f"{provider.slug}-{identity.subject}")[:140] or provider.slug
    username, counter = base, 1
    while User.objects.filter(username__iexact=username).exists():
        counter += 1
        username = f"{base}-{counter}"
    return username


def _match_employee(provider: IdentityProvider, subject: str) -> Employee | None:
    lookup = {
        IdentityProvider.MatchField.EMPLOYEE_NUMBER: Q(employee_number=subject),
        IdentityProvider.MatchField.EMAIL: Q(email__iexact=subject),
        IdentityProvider.MatchField.EXTERNAL_ID: Q(external_id=subject),
    }[IdentityProvider.MatchField(provider.match_field)]
    found = list(
        Employee.objects.filter(lookup, municipality=provider.municipality, active=True)
        .select_related("user")
        .order_by("pk")[:2]
    )
    if len(found) > 1:
        raise SsoRefused(
            f"identifying attribute matches several employees ({provider.match_field})", NO_ACCOUNT
        )
    return found[0] if found else None


def _split_name(name: str) -> tuple[str, str]:
    parts = name.strip().rsplit(" ", 1)
    return (parts[0][:150], parts[1][:150]) if len(parts) == 2 else (name.strip()[:150], "")


def _user_for(provider: IdentityProvider, identity: Identity, actor: str) -> User:
    known = (
        SsoIdentity.objects.filter(provider=provider, subject=identity.subject).select_related("user").first()
    )
    user: User | None = known.user if known is not None else None
    if user is None:
        employee = _match_employee(provider, identity.subject)
        if employee is None and not provider.create_users:
            raise SsoRefused(f"no employee matches ({provider.match_field})", NO_ACCOUNT)
        user = employee.user if employee is not None and employee.user is not None else None
        if user is None:
            first_name, last_name = _split_name(identity.name or (employee.name if employee else ""))
            user = User(
                username=_new_username(provider, identity),
                first_name=first_name,
                last_name=last_name,
                email=identity.email or (employee.email if employee else ""),
            )
            user.set_unusable_password()  # logs in through its provider only
            user.save()
            audit.record(
                "sso.user.created",
                actor=actor,
                obj=user,
                municipality_id=provider.municipality_id,
                object_repr=user.get_username(),
                changes={"username": [None, user.get_username()]},
            )
            if employee is not None:
                organisation_services.employee_link_user(employee=employee, user=user, actor=actor)
        SsoIdentity.objects.create(provider=provider, subject=identity.subject, user=user)
    if not user.is_active:
        raise SsoRefused("account closed", ACCOUNT_DISABLED)
    return user


def _desired_grants(provider: IdentityProvider, identity: Identity) -> set[tuple[str, int | None]]:
    """(role, unit id or None) for every role value the provider sent that a mapping knows."""
    mappings: dict[str, list[RoleMapping]] = {}
    for mapping in provider.role_mappings.select_related("unit"):
        mappings.setdefault(mapping.value, []).append(mapping)
    named_units = {external for claim in identity.roles for external in claim.units or ()}
    units = {
        unit.external_id: unit
        for unit in OrgUnit.objects.filter(municipality=provider.municipality, external_id__in=named_units)
    }
    desired: set[tuple[str, int | None]] = set()
    for claim in identity.roles:
        for mapping in mappings.get(claim.value, []):
            if claim.units is None:
                desired.add((mapping.role, mapping.unit_id))
                continue
            # The provider limits the privilege to units: exactly those (never the whole municipality),
            # and inside the mapping's own unit when it has one.
            for external in claim.units:
                unit = units.get(external)
                if unit is None:
                    logger.warning(
                        "SSO privilege names an unknown unit; not granted",
                        extra={"provider": provider.slug, "role": mapping.role},
                    )
                elif mapping.unit is None or path_in_subtree(unit.path, mapping.unit.path):
                    desired.add((mapping.role, unit.pk))
    return desired


def _sync_grants(provider: IdentityProvider, user: User, identity: Identity, actor: str) -> dict[str, int]:
    """Replace the user's grants that came from single sign-on in this municipality with those the
    provider sends now; grants made by hand are kept (and not duplicated)."""
    desired = _desired_grants(provider, identity)
    assignments = RoleAssignment.objects.filter(user=user, municipality=provider.municipality)
    marked = set(SsoGrant.objects.filter(assignment__in=assignments).values_list("assignment_id", flat=True))
    kept, revoked, granted = set(), 0, 0
    for assignment in assignments.select_related("user"):
        key = (assignment.role, assignment.unit_id)
        if assignment.pk not in marked:
            kept.add(key)  # granted by hand: stays, whatever the provider says
        elif key in desired and key not in kept:
            kept.add(key)
        else:
            organisation_services.role_revoke(assignment=assignment, actor=actor)
            revoked += 1
    units = {unit.pk: unit for unit in OrgUnit.objects.filter(pk__in={u for _r, u in desired if u})}
    for role, unit_id in sorted(desired - kept, key=lambda key: (key[0], key[1] or 0)):
        assignment = organisation_services.role_grant(
            user=user,
            role=role,
            municipality=provider.municipality,
            unit=units[unit_id] if unit_id else None,
            actor=actor,
        )
        SsoGrant.objects.create(assignment=assignment, provider=provider)
        granted += 1
    return {"granted": granted, "revoked": revoked}


@transaction.atomic
def sso_login(*, provider: IdentityProvider, identity: Identity) -> User:
    """The user a verified identity logs in as, with their role grants brought up to date. Raises
    SsoRefused (and writes nothing) for a replayed message, a too low assurance level, or a person
    the municipality does not know."""
    if not provider.active:
        raise SsoRefused("provider switched off")
    check_assurance(provider, identity)
    actor = actor_for(provider)
    _consume(provider, identity)
    user = _user_for(provider, identity, actor)
    first_name, last_name = _split_name(identity.name) if identity.name else (user.first_name, user.last_name)
    changed = {
        key: value
        for key, value in (
            ("first_name", first_name),
            ("last_name", last_name),
            ("email", identity.email or user.email),
        )
        if getattr(user, key) != value
    }
    if changed:
        for key, value in changed.items():
            setattr(user, key, value)
        user.save(update_fields=list(changed))
    counts = _sync_grants(provider, user, identity, actor)
    SsoIdentity.objects.filter(provider=provider, subject=identity.subject).update(
        last_login_at=timezone.now()
    )
    audit.record(
        "sso.login",
        actor=user,
        obj=user,
        municipality_id=provider.municipality_id,
        object_repr=user.get_username(),
        changes={
            "provider": [None, provider.slug],
            "assurance": [None, identity.assurance],
            **{key: [0, value] for key, value in counts.items() if value},
        },
    )
    return user


def saml_session_record(*, provider: IdentityProvider, identity: Identity, session_key: str) -> None:
    """Remember which Django session a SAML login opened, for a logout sent by the identity provider."""
    SamlSession.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=2)).delete()
    SamlSession.objects.create(
        provider=provider,
        name_id=identity.name_id,
        session_index=identity.session_index,
        session_key=session_key,
    )


def saml_sessions_end(*, provider: IdentityProvider, name_id: str) -> int:
    """End every Django session a SAML login of `name_id` through `provider` opened."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = list(SamlSession.objects.filter(provider=provider, name_id=name_id))
    for row in rows:
        store(session_key=row.session_key).delete()
    SamlSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def saml_session_forget(*, session_key: str) -> None:
    SamlSession.objects.filter(session_key=session_key).delete()


# --- Local login policy -----------------------------------------------------------------------


def local_login_refusal(user: Any) -> str | None:
    """Why `user` may not log in with a password, or None. Platform administrators always may (the
    way in to repair a broken SSO set-up; with a second factor); others not when one of their
    municipalities has switched local passwords off."""
    scope = scope_for(user)
    if scope.is_platform_admin or not scope.municipality_ids:
        return None
    if LoginPolicy.objects.filter(municipality_id__in=scope.municipality_ids, local_login=False).exists():
        return _("Your municipality logs in through single sign-on. Use its button on this page.")
    return None


@transaction.atomic
def login_policy_set(*, municipality: Municipality, local_login: bool, actor: Actor) -> LoginPolicy:
    policy, _created = LoginPolicy.objects.get_or_create(municipality=municipality)
    if policy.local_login != local_login:
        audit.record(
            "sso.login_policy.changed",
            actor=actor,
            obj=policy,
            municipality_id=municipality.pk,
            object_repr=str(municipality),
            changes={"local_login": [policy.local_login, local_login]},
        )
        policy.local_login = local_login
        policy.save(update_fields=["local_login"])
    return policy


# --- Providers and role mappings ----------------------------------------------------------------

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _check_provider(provider: IdentityProvider) -> None:
    errors: dict[str, Any] = {}
    if provider.protocol == IdentityProvider.Protocol.SAML:
        if not provider.saml_metadata.strip():
            errors["saml_metadata"] = _("Paste the identity provider's metadata.")
        else:
            try:
                provider.saml_entity_id = saml.idp_entity_id(provider.saml_metadata)
            except ValidationError as exc:
                errors["saml_metadata"] = exc.messages
        if not provider.min_assurance:
            errors["min_assurance"] = _("A SAML provider following OIOSAML 3 must state an assurance level.")
    else:
        for field in ("oidc_issuer", "oidc_client_id", "oidc_client_secret"):
            if not getattr(provider, field).strip():
                errors[field] = _("Required for OpenID Connect.")
        if provider.roles_format == IdentityProvider.RolesFormat.OIOSAML_BPP:
            errors["roles_format"] = _(
                "The privilege profile is a SAML attribute; choose one value per role."
            )
    if not SLUG_RE.match(provider.slug or ""):
        errors["slug"] = _("Use lower-case letters, digits and dashes.")
    for field in ("match_attribute", "name_attribute", "email_attribute", "roles_attribute"):
        if "cpr" in getattr(provider, field).lower():
            errors[field] = _("Kapabel never uses CPR numbers. Choose another attribute.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def provider_create(*, actor: Actor, **values: Any) -> IdentityProvider:
    provider = IdentityProvider(**values)
    _check_provider(provider)
    audit.create_audited(provider, fields=PROVIDER_FIELDS, action="sso.provider.created", actor=actor)
    return provider


@transaction.atomic
def provider_update(*, provider: IdentityProvider, actor: Actor, **values: Any) -> IdentityProvider:
    quiet = {key: values.pop(key) for key in PROVIDER_QUIET_FIELDS if key in values}
    quiet_changed = sorted(key for key, value in quiet.items() if getattr(provider, key) != value)
    for key, value in quiet.items():
        setattr(provider, key, value)
    changes = audit.update_audited(
        provider,
        fields=PROVIDER_FIELDS,
        values=values,
        action="sso.provider.updated",
        actor=actor,
        check=_check_provider,
    )
    if quiet_changed and not changes:
        audit.record(
            "sso.provider.updated",
            actor=actor,
            obj=provider,
            changes={key: ["…", "…"] for key in quiet_changed},
        )
    return provider


@transaction.atomic
def role_mapping_add(
    *, provider: IdentityProvider, value: str, role: str, unit: OrgUnit | None, actor: Actor
) -> RoleMapping:
    if unit is not None and unit.municipality_id != provider.municipality_id:
        raise ValidationError({"unit": _("The unit belongs to another municipality.")})
    if provider.role_mappings.filter(value=value, role=role).exists():
        raise ValidationError({"value": _("This value already gives this role.")})
    mapping = RoleMapping(provider=provider, value=value.strip(), role=role, unit=unit)
    audit.create_audited(
        mapping,
        fields=("value", "role", "unit"),
        action="sso.role_mapping.created",
        actor=actor,
        municipality_id=provider.municipality_id,
    )
    return mapping


@transaction.atomic
def role_mapping_remove(*, mapping: RoleMapping, actor: Actor) -> None:
    audit.record(
        "sso.role_mapping.removed",
        actor=actor,
        obj=mapping,
        municipality_id=mapping.provider.municipality_id,
        object_repr=str(mapping),
        changes={"value": [mapping.value, None], "role": [mapping.role, None]},
    )
    mapping.delete()
