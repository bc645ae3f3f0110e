"""Writes to accounts and roles."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.access import forget_scope
from kapabel.core.models import Role, RoleAssignment


@transaction.atomic
def role_grant(
    *, user: Any, role: str, municipality: Any = None, unit: Any = None, actor: Any
) -> RoleAssignment:
    """Give `user` a granted role (HR, coordinator, municipality or platform administrator)."""
    if role in (Role.EMPLOYEE, Role.MANAGER):
        raise ValidationError(
            {"role": _("Employee and manager roles follow from the organisation and cannot be granted.")}
        )
    if role == Role.PLATFORM_ADMIN:
        municipality, unit = None, None
    elif municipality is None:
        raise ValidationError({"municipality": _("Choose the municipality the role applies to.")})
    if unit is not None and unit.municipality_id != municipality.pk:
        raise ValidationError({"unit": _("The unit belongs to another municipality.")})
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, municipality=municipality, unit=unit
    )
    if created:
        audit.record(
            "core.role.granted",
            actor=actor,
            obj=assignment,
            municipality_id=municipality.pk if municipality else None,
            object_repr=f"{user.get_username()}: {role}",
            changes={"role": [None, role], "unit": [None, unit.pk if unit else None]},
        )
    forget_scope(user)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: Any) -> None:
    audit.record(
        "core.role.revoked",
        actor=actor,
        obj=assignment,
        municipality_id=assignment.municipality_id,
        object_repr=f"{assignment.user.get_username()}: {assignment.role}",
        changes={"role": [assignment.role, None]},
    )
    assignment.delete()
    forget_scope(assignment.user)
