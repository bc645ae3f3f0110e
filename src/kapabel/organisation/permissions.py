"""Permission-checked fetches for organisation objects. A user who may not see an object gets
404 (its existence is not revealed); one who may see but not change it gets 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from kapabel.core.access import scope_for
from kapabel.organisation import selectors
from kapabel.organisation.models import Employee, JobRole, Municipality, OrgUnit


def get_employee_for_user(user: Any, pk: int) -> Employee:
    return get_object_or_404(selectors.employees_for_user(user, active=None), pk=pk)


def get_unit_for_user(user: Any, pk: int) -> OrgUnit:
    return get_object_or_404(selectors.units_for_user(user), pk=pk)


def get_job_role_for_user(user: Any, pk: int) -> JobRole:
    return get_object_or_404(selectors.job_roles_for_user(user), pk=pk)


def get_municipality_for_user(user: Any, pk: int) -> Municipality:
    return get_object_or_404(selectors.municipalities_for_user(user), pk=pk)


def can_manage_organisation(user: Any, municipality_id: int) -> bool:
    """Creating and changing units, job roles and employees: municipality administrators."""
    return scope_for(user).is_municipality_admin(municipality_id)


def require_manage_organisation(user: Any, municipality_id: int) -> None:
    if not can_manage_organisation(user, municipality_id):
        raise PermissionDenied
