"""Reads of the shell's own data, scoped to the acting user through `kapabel.core.access`."""

from __future__ import annotations

from django.db.models import QuerySet

from kapabel.core.access import scope_for
from kapabel.core.models import AuditEvent, User


def audit_events_for_user(user: User, *, action: str = "") -> QuerySet[AuditEvent]:
    """Platform administrators see every event; municipality administrators their municipality's;
    anyone else none (the caller checks `permissions.can_view_audit_log` to answer 403)."""
    events = AuditEvent.objects.filter(scope_for(user).admin_municipalities_q()).select_related(
        "municipality"
    )
    if action:
        events = events.filter(action__startswith=action)
    return events
