"""How a user's access scope is read from the organisation: their employee record, the units they
lead and their role grants. Registered with `kapabel.core.access` when the app starts."""

from __future__ import annotations

from kapabel.core.access import AccessScope, Grant
from kapabel.core.models import Role, User
from kapabel.organisation.models import Employee, OrgUnit, RoleAssignment


def resolve_scope(user: User) -> AccessScope:
    employee = (
        Employee.objects.filter(user=user, active=True)
        .select_related("unit")
        .only("id", "municipality_id", "unit__path")
        .first()
    )
    grants: list[Grant] = []
    platform_admin = user.is_superuser
    for assignment in RoleAssignment.objects.filter(user=user).select_related("unit"):
        if assignment.role == Role.PLATFORM_ADMIN:
            platform_admin = True
        elif assignment.municipality_id is not None:
            path = assignment.unit.path if assignment.unit is not None else None
            if assignment.role == Role.MUNICIPALITY_ADMIN:
                path = None  # an administrator always covers the whole municipality
            grants.append(Grant(Role(assignment.role), assignment.municipality_id, path))
    if employee is not None:
        for unit_path, municipality_id in OrgUnit.objects.filter(managers=employee, active=True).values_list(
            "path", "municipality_id"
        ):
            grants.append(Grant(Role.MANAGER, municipality_id, unit_path))
    return AccessScope(
        user_id=user.pk,
        is_platform_admin=platform_admin,
        employee_id=employee.pk if employee else None,
        employee_municipality_id=employee.municipality_id if employee else None,
        employee_unit_path=employee.unit.path if employee else None,
        grants=tuple(grants),
    )
