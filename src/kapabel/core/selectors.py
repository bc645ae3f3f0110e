"""Reads of the shell's own data, scoped to the acting user through `kapabel.core.access`."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kapabel.core.access import scope_for
from kapabel.core.audit import search
from kapabel.core.audit.present import object_type_label
from kapabel.core.models import AuditEvent, Municipality, User


def audit_events_for_user(
    user: User,
    *,
    action: str = "",
    municipality_id: int | None = None,
    filters: search.AuditFilters | None = None,
) -> QuerySet[AuditEvent]:
    """Platform administrators see every event; municipality administrators their municipality's;
    anyone else none (the caller checks `permissions.can_view_audit_log` to answer 403).

    With `municipality_id` (the page's current municipality): that municipality's events, and for a
    platform administrator also the platform's own (events of no municipality)."""
    scope = scope_for(user)
    events: QuerySet[AuditEvent] = AuditEvent.objects.filter(scope.admin_municipalities_q())
    municipality_ids: list[int] | None = None
    if municipality_id is not None:
        here = Q(municipality_id=municipality_id)
        if scope.is_platform_admin:
            here |= Q(municipality__isnull=True)
        events = events.filter(here)
        municipality_ids = [municipality_id]
    elif not scope.is_platform_admin:
        municipality_ids = sorted(
            {g.municipality_id for g in scope.grants if scope.is_municipality_admin(g.municipality_id)}
        )
    if action:
        events = events.filter(action__startswith=action)
    if filters is not None:
        events = search.apply(events, filters, municipality_ids)
    return events.select_related("actor", "municipality")


def audit_object_types(events: QuerySet[AuditEvent]) -> list[tuple[str, str]]:
    """The object types among `events`, as (code, label) sorted by label: the filter's choices."""
    codes = events.order_by().values_list("object_type", flat=True).distinct()
    return sorted(
        ((code, object_type_label(code)) for code in codes if code), key=lambda pair: pair[1].casefold()
    )


def municipality(pk: int) -> Municipality | None:
    return Municipality.objects.filter(pk=pk).first()
