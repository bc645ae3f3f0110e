"""Access rules of the shell's own pages, on top of `kapabel.core.access`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from kapabel.core.access import scope_for
from kapabel.core.models import User


def can_view_audit_log(user: User) -> bool:
    """Platform administrators and municipality administrators read the audit log."""
    return scope_for(user).administers_any_municipality


def require_view_audit_log(user: User) -> None:
    if not can_view_audit_log(user):
        raise PermissionDenied
