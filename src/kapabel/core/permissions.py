"""Access rules of the shell's own pages, on top of `kapabel.core.access`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from kapabel.core.access import scope_for
from kapabel.core.models import User


def can_view_audit_log(user: User) -> bool:
    """Platform administrators and municipality administrators read the audit log (each
    municipality administrator only their own municipality's)."""
    return scope_for(user).administers_any_municipality


def require_view_audit_log(user: User) -> None:
    if not can_view_audit_log(user):
        raise PermissionDenied


def audit_log_municipality(user: User, current: int | None) -> int | None:
    """Which municipality's log the page shows: the current one (the header's) if the user
    administers it, else the first they administer; None if they administer none (403)."""
    scope = scope_for(user)
    if current is not None and scope.is_municipality_admin(current):
        return current
    administered = sorted(
        g.municipality_id for g in scope.grants if scope.is_municipality_admin(g.municipality_id)
    )
    return administered[0] if administered else None
