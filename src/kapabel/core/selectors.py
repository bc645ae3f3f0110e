from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kapabel.core.access import scope_for
from kapabel.core.models import AuditEvent


def can_view_audit_log(user: Any) -> bool:
    return scope_for(user).administers_any_municipality


def audit_events_for_user(user: Any, *, action: str = "") -> QuerySet[AuditEvent]:
    """Platform administrators see every event; municipality administrators their municipality's."""
    if not can_view_audit_log(user):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(scope_for(user).admin_municipalities_q()).select_related(
        "municipality"
    )
    if action:
        events = events.filter(action__startswith=action)
    return events
