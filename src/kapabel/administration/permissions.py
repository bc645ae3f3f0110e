"""Who may use the administration pages, on top of `kapabel.core.access` and the organisation's rules
for logins and role grants (`organisation.permissions`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from kapabel.core.access import scope_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kapabel.core.models import User


def can_create_municipality(user: User | AnonymousUser) -> bool:
    """A new tenant: platform administrators only (a superuser, or the granted platform role)."""
    return scope_for(user).is_platform_admin


def require_create_municipality(user: User | AnonymousUser) -> None:
    if not can_create_municipality(user):
        raise PermissionDenied


def can_administer(user: User | AnonymousUser, municipality_id: int | None) -> bool:
    """The municipality's administration: its administrators and platform administrators."""
    return municipality_id is not None and scope_for(user).is_municipality_admin(municipality_id)


def require_administer(user: User | AnonymousUser, municipality_id: int | None) -> None:
    if not can_administer(user, municipality_id):
        raise PermissionDenied


def administers_anywhere(user: User | AnonymousUser) -> bool:
    """Whether the administration belongs in the user's menu."""
    return scope_for(user).administers_any_municipality
