"""Access rules of the gap analysis, on top of `kapabel.core.access` and the organisation's
permission-checked fetches. Something the user may not see is a 404 (its existence is not revealed).

Which figures a viewer sees in full is decided here too (`can_view_everyone_in`): the selectors
call it and never work out subtrees themselves."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kapabel.competences.models import Competence
from kapabel.core.access import scope_for
from kapabel.core.models import User
from kapabel.gaps.models import GapAggregate
from kapabel.organisation import permissions as org_permissions
from kapabel.organisation.models import Employee, OrgUnit


def get_unit_for_user(user: User, pk: int) -> OrgUnit:
    """A unit whose gap figures the user may see: any unit they may see."""
    return org_permissions.get_unit_for_user(user, pk)


def get_employee_for_user(user: User, pk: int) -> Employee:
    """A person whose competence profile the user may read."""
    return org_permissions.get_employee_for_user(user, pk)


def get_own_employee(user: User) -> Employee | None:
    """The user's own employee record, if they have one."""
    employee_id = scope_for(user).employee_id
    return None if employee_id is None else get_employee_for_user(user, employee_id)


def is_own_profile(user: User, employee: Employee) -> bool:
    return employee.pk == scope_for(user).employee_id


def get_competence_for_user(user: User, unit: OrgUnit, pk: int) -> Competence:
    """A competence for a unit's drill-down (the unit already fetched with `get_unit_for_user`): only
    one with a target somewhere in the unit, so the id leaks nothing from elsewhere."""
    # By the competence's own pk: that lookup turns an id beyond the database's integers into no match.
    if not GapAggregate.objects.filter(unit=unit, competence__pk=pk).exists():
        raise Http404
    competence = Competence.objects.filter(pk=pk).first()
    if competence is None:
        raise Http404
    return competence


def can_view_everyone_in(user: User, unit: OrgUnit) -> bool:
    """True when the user may read every person in the unit's subtree individually, so the unit's
    figures are shown without suppressing small groups."""
    return scope_for(user).reads_everyone_in(unit.municipality_id, unit.path)


def can_manage_settings(user: User, municipality_id: int) -> bool:
    """The importance weights and the smallest group shown: the municipality's administrators."""
    return scope_for(user).is_municipality_admin(municipality_id)


def require_manage_settings(user: User, municipality_id: int) -> None:
    if not can_manage_settings(user, municipality_id):
        raise PermissionDenied
