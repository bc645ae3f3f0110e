"""Permission-checked fetches for organisation objects. A user who may not see an object gets
404 (its existence is not revealed); one who may see but not change it gets 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from kapabel.core.access import AccessScope, scope_for
from kapabel.core.models import Municipality, Role
from kapabel.organisation import selectors
from kapabel.organisation.models import Employee, HRImport, JobRole, OrgUnit


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


# --- HR import ----------------------------------------------------------------------------------
# Importing HR data rewrites a whole municipality's organisation, so it is for municipality
# administrators and for HR consultants granted the whole municipality (not a subtree).


def can_import_hr(user: Any, municipality_id: int) -> bool:
    scope = scope_for(user)
    return scope.is_municipality_admin(municipality_id) or any(
        grant.municipality_id == municipality_id and grant.path is None for grant in scope.grants_for(Role.HR)
    )


def imports_hr_anywhere(scope: AccessScope) -> bool:
    """Whether the HR import page belongs in this person's menu."""
    return scope.administers_any_municipality or any(g.path is None for g in scope.grants_for(Role.HR))


def require_import_hr(user: Any, municipality_id: int) -> None:
    if not can_import_hr(user, municipality_id):
        raise PermissionDenied


def get_hr_import_for_user(user: Any, pk: int) -> HRImport:
    return get_object_or_404(selectors.hr_imports_for_user(user), pk=pk)
