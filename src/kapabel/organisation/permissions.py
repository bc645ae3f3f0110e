"""Who may see and do what in the organisation: every rule of the app, on top of the access scope
of `kapabel.core.access`, and the permission-checked fetches built on the selectors.

A user who may not see an object gets 404 (its existence is not revealed); one who may see but not
change it gets 403. The helpers take `request.user` as it comes (`User | AnonymousUser`): an
anonymous user has the empty scope, so may see and do nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from kapabel.core.access import AccessScope, scope_for
from kapabel.core.models import Municipality, Role, User
from kapabel.organisation import selectors
from kapabel.organisation.models import Employee, HRImport, JobRole, OrgUnit, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


# --- Permission-checked fetches -----------------------------------------------------------------


def get_employee_for_user(user: User | AnonymousUser, pk: int) -> Employee:
    return get_object_or_404(selectors.employees_for_user(user, active=None), pk=pk)


def get_unit_for_user(user: User | AnonymousUser, pk: int) -> OrgUnit:
    return get_object_or_404(selectors.units_for_user(user), pk=pk)


def get_job_role_for_user(user: User | AnonymousUser, pk: int) -> JobRole:
    return get_object_or_404(selectors.job_roles_for_user(user), pk=pk)


def get_municipality_for_user(user: User | AnonymousUser, pk: int) -> Municipality:
    return get_object_or_404(selectors.municipalities_for_user(user), pk=pk)


def get_hr_import_for_user(user: User | AnonymousUser, pk: int) -> HRImport:
    return get_object_or_404(selectors.hr_imports(municipality_ids=hr_import_municipality_ids(user)), pk=pk)


# --- Reading people -----------------------------------------------------------------------------


def reads_people(user: User | AnonymousUser) -> bool:
    """The lists of employees, units and job roles: managers, HR, coordinators, administrators."""
    return scope_for(user).reads_people


def require_people_reader(user: User | AnonymousUser) -> None:
    if not reads_people(user):
        raise PermissionDenied


def sees_organisation_overview(scope: AccessScope) -> bool:
    """The start page's figures for a whole organisation: HR, coordinators, administrators."""
    return scope.is_platform_admin or bool(
        scope.grants_for(Role.HR, Role.COORDINATOR, Role.MUNICIPALITY_ADMIN)
    )


# --- Changing the organisation ------------------------------------------------------------------


def can_manage_organisation(user: User | AnonymousUser, municipality_id: int | None) -> bool:
    """Creating and changing units, job roles and employees: municipality administrators."""
    return municipality_id is not None and scope_for(user).is_municipality_admin(municipality_id)


def require_manage_organisation(user: User | AnonymousUser, municipality_id: int | None) -> None:
    if not can_manage_organisation(user, municipality_id):
        raise PermissionDenied


# --- HR import ----------------------------------------------------------------------------------
# Importing HR data rewrites a whole municipality's organisation, so it is for municipality
# administrators and for HR consultants granted the whole municipality (not a subtree).


def _hr_import_ids(scope: AccessScope) -> list[int] | None:
    if scope.is_platform_admin:
        return None
    ids = {g.municipality_id for g in scope.grants_for(Role.MUNICIPALITY_ADMIN)}
    ids |= {g.municipality_id for g in scope.grants_for(Role.HR) if g.path is None}
    return sorted(ids)


def hr_import_municipality_ids(user: User | AnonymousUser) -> list[int] | None:
    """Municipalities whose HR data the user may import, and whose imports they see (None: all,
    for platform administrators)."""
    return _hr_import_ids(scope_for(user))


def can_import_hr(user: User | AnonymousUser, municipality_id: int) -> bool:
    ids = hr_import_municipality_ids(user)
    return ids is None or municipality_id in ids


def require_import_hr(user: User | AnonymousUser, municipality_id: int) -> None:
    if not can_import_hr(user, municipality_id):
        raise PermissionDenied


def imports_hr_anywhere(scope: AccessScope) -> bool:
    """Whether the HR import page belongs in this person's menu."""
    ids = _hr_import_ids(scope)
    return ids is None or bool(ids)


def require_imports_hr_anywhere(user: User | AnonymousUser) -> None:
    if not imports_hr_anywhere(scope_for(user)):
        raise PermissionDenied


# --- Logins and role grants -----------------------------------------------------------------------
# Administrators of a municipality manage its logins and grant its roles; platform administrators
# do so everywhere. Nobody grants beyond their own reach: a municipality administrator grants only
# roles of their municipality (never platform administrator), and only over its units.

# The roles granted over a municipality (or a unit subtree of it), in the order forms list them.
MUNICIPAL_ROLES = (Role.HR, Role.COORDINATOR, Role.MUNICIPALITY_ADMIN)


def can_manage_accounts(user: User | AnonymousUser, municipality_id: int | None) -> bool:
    """Listing and creating the municipality's logins and changing their roles."""
    return municipality_id is not None and scope_for(user).is_municipality_admin(municipality_id)


def require_manage_accounts(user: User | AnonymousUser, municipality_id: int | None) -> None:
    if not can_manage_accounts(user, municipality_id):
        raise PermissionDenied


def grantable_roles(user: User | AnonymousUser, municipality_id: int | None) -> list[Role]:
    """The roles the user may grant in the municipality (none outside their reach)."""
    if not can_manage_accounts(user, municipality_id):
        return []
    return list(MUNICIPAL_ROLES)


def can_grant_role(
    user: User | AnonymousUser, role: str, municipality_id: int | None, unit: OrgUnit | None
) -> bool:
    """Whether the user may grant `role` over the municipality (or the unit's subtree)."""
    scope = scope_for(user)
    if role == Role.PLATFORM_ADMIN:
        return scope.is_platform_admin
    if unit is not None and unit.municipality_id != municipality_id:
        return False
    return role in grantable_roles(user, municipality_id)


def can_revoke_role(user: User | AnonymousUser, assignment: RoleAssignment) -> bool:
    """Whether the user may take the grant away: the same reach as granting it, and never their own
    administrator role (another administrator must, so nobody locks a municipality out by mistake)."""
    if assignment.user_id == getattr(user, "pk", None) and assignment.role in (
        Role.MUNICIPALITY_ADMIN,
        Role.PLATFORM_ADMIN,
    ):
        return False
    return can_grant_role(user, assignment.role, assignment.municipality_id, assignment.unit)


def get_account_for_user(user: User | AnonymousUser, municipality_id: int | None, pk: int) -> User:
    """A login of the municipality (an employee's, or one holding a role there) for its
    administrators; 404 for anyone else, and for a login of another municipality."""
    if not can_manage_accounts(user, municipality_id):
        raise PermissionDenied
    assert municipality_id is not None  # can_manage_accounts said so
    return get_object_or_404(selectors.accounts_of_municipality(municipality_id), pk=pk)


def get_role_assignment_for_user(user: User | AnonymousUser, pk: int) -> RoleAssignment:
    """A grant the user may see (one of a municipality they administer); 404 otherwise."""
    return get_object_or_404(selectors.role_assignments_for_admin(user), pk=pk)
