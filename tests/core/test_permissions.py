"""The audit log's access rule (core.permissions) and its scoped read (core.selectors)."""

from __future__ import annotations

import pytest

from kapabel.core import permissions, selectors
from kapabel.core.models import AuditEvent


@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("employee", False),
        ("manager", False),
        ("hr", False),
        ("coordinator", False),
        ("admin", True),
        ("platform_admin", True),
        ("other_municipality_admin", True),
    ],
)
def test_who_reads_the_audit_log(world, persona, allowed):
    assert permissions.can_view_audit_log(world.user(persona)) is allowed


def test_audit_events_are_scoped_to_the_administrators_municipalities(world):
    own = selectors.audit_events_for_user(world.user("admin"))
    assert own.exists() and set(own.values_list("municipality_id", flat=True)) == {world.a.pk}
    other = selectors.audit_events_for_user(world.user("other_municipality_admin"))
    assert set(other.values_list("municipality_id", flat=True)) == {world.b.pk}
    everything = selectors.audit_events_for_user(world.user("platform_admin"))
    assert everything.count() == AuditEvent.objects.count()
    assert not selectors.audit_events_for_user(world.user("manager")).exists()
    units = selectors.audit_events_for_user(world.user("admin"), action="organisation.unit")
    assert units.exists() and all(
        a.startswith("organisation.unit") for a in units.values_list("action", flat=True)
    )
