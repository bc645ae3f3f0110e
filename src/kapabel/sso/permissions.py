"""Who may configure single sign-on: platform administrators (a provider's settings decide who gets
which role in a municipality, so a municipality's own administrators may not change them)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kapabel.core.access import AccessScope, scope_for
from kapabel.core.models import Municipality, User
from kapabel.sso.models import IdentityProvider, RoleMapping


def can_manage_sso(scope: AccessScope) -> bool:
    return scope.is_platform_admin


def require_manage_sso(user: User) -> None:
    if not can_manage_sso(scope_for(user)):
        raise PermissionDenied


def get_provider_for_user(user: User, pk: int) -> IdentityProvider:
    require_manage_sso(user)
    provider = IdentityProvider.objects.select_related("municipality").filter(pk=pk).first()
    if provider is None:
        raise Http404
    return provider


def get_role_mapping_for_user(user: User, provider: IdentityProvider, pk: int) -> RoleMapping:
    require_manage_sso(user)
    mapping = provider.role_mappings.filter(pk=pk).first()
    if mapping is None:
        raise Http404
    return mapping


def get_municipality_for_user(user: User, pk: int) -> Municipality:
    require_manage_sso(user)
    municipality = Municipality.objects.filter(pk=pk).first()
    if municipality is None:
        raise Http404
    return municipality
