"""Reads of single sign-on: the providers offered on the login page, one provider by its short name,
and the administration lists (scoped to platform administrators by `permissions`)."""

from __future__ import annotations

from django.db.models import QuerySet

from kapabel.core.models import Municipality
from kapabel.sso.models import IdentityProvider, LoginPolicy, RoleMapping


def active_providers() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(active=True).select_related("municipality")


def active_provider(slug: str) -> IdentityProvider | None:
    return active_providers().filter(slug=slug).first()


def saml_providers_for_issuer(entity_id: str) -> QuerySet[IdentityProvider]:
    """Active SAML providers with this IdP entity ID (one IdP may serve several municipalities)."""
    return active_providers().filter(protocol=IdentityProvider.Protocol.SAML, saml_entity_id=entity_id)


def provider_by_id(pk: int | None) -> IdentityProvider | None:
    if pk is None:
        return None
    return IdentityProvider.objects.select_related("municipality").filter(pk=pk).first()


def providers() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.select_related("municipality").order_by("municipality__name", "name")


def role_mappings(provider: IdentityProvider) -> QuerySet[RoleMapping]:
    return provider.role_mappings.select_related("unit").order_by("value", "role")


def municipalities_with_policy() -> list[tuple[Municipality, bool]]:
    """Every municipality and whether its people may log in with a local password."""
    off = set(LoginPolicy.objects.filter(local_login=False).values_list("municipality_id", flat=True))
    return [
        (municipality, municipality.pk not in off) for municipality in Municipality.objects.order_by("name")
    ]
