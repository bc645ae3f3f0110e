"""Who may see and do what in learning, on top of `kapabel.core.access`.

- The catalogue (providers, offers, cohorts, sessions) is visible to everyone in the municipality.
- Enrolments, evidence and internal activities follow the person: visible to the person, to
  managers over them, to HR and coordinators within their grant, and to administrators.
- Booking: a manager books people in their own units (not themselves), HR anyone in their grant,
  an administrator anyone in the municipality. Anyone may request a place for themselves.
- Approving: the manager step by a manager over the person (or an administrator); the HR step by HR
  with a grant over the person (or an administrator). Nobody approves their own request.
- Administering the catalogue and cohorts (create, sessions, attendance, completion, cancelling a
  cohort): HR and coordinators with any grant in the municipality, and administrators.

Fetches return 404 for what the user may not see (its existence is not revealed)."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from kapabel.core.access import AccessScope, path_in_subtree, scope_for
from kapabel.core.models import Role, User
from kapabel.learning import selectors
from kapabel.learning.models import Cohort, Enrolment, Evidence, InternalActivity, Offer, Provider, Session
from kapabel.organisation.models import Employee

BookingRole = Literal["admin", "hr", "manager", "self"]


def _covers(scope: AccessScope, employee: Employee, *roles: Role) -> bool:
    """A grant in one of `roles` over the employee's municipality or a subtree holding their unit."""
    path = employee.unit.path
    return any(
        grant.municipality_id == employee.municipality_id
        and (grant.path is None or path_in_subtree(path, grant.path))
        for grant in scope.grants_for(*roles)
    )


def booking_role(user: User, employee: Employee) -> BookingRole | None:
    """How `user` may put `employee` on a cohort: as an administrator or HR (booked at once), as their
    manager (booked, or sent to HR when the offer needs it), as themselves (a request), or not at all."""
    scope = scope_for(user)
    if scope.employee_id == employee.pk:
        return "self"
    if scope.is_municipality_admin(employee.municipality_id):
        return "admin"
    if _covers(scope, employee, Role.HR):
        return "hr"
    if _covers(scope, employee, Role.MANAGER):
        return "manager"
    return None


def can_approve_manager_step(user: User, employee: Employee) -> bool:
    scope = scope_for(user)
    if scope.employee_id == employee.pk:
        return False
    return scope.is_municipality_admin(employee.municipality_id) or _covers(scope, employee, Role.MANAGER)


def can_approve_hr_step(user: User, employee: Employee) -> bool:
    scope = scope_for(user)
    if scope.employee_id == employee.pk:
        return False
    return scope.is_municipality_admin(employee.municipality_id) or _covers(scope, employee, Role.HR)


def can_act_for(user: User, employee: Employee) -> bool:
    """Cancel on someone's behalf, confirm their evidence, decline a booked place: their manager,
    HR over them, or an administrator (not the person themselves)."""
    scope = scope_for(user)
    if scope.employee_id == employee.pk:
        return False
    return scope.is_municipality_admin(employee.municipality_id) or _covers(
        scope, employee, Role.MANAGER, Role.HR
    )


def can_administer_learning(user: User | Any, municipality_id: int) -> bool:
    """Catalogue and cohort administration in a municipality."""
    scope = scope_for(user)
    return scope.is_municipality_admin(municipality_id) or any(
        grant.municipality_id == municipality_id for grant in scope.grants_for(Role.HR, Role.COORDINATOR)
    )


def can_book_others(user: User | Any, municipality_id: int) -> bool:
    """Books other people in the municipality: a manager (their own people), HR (their grant) or an
    administrator. Which people exactly is `booking_role`'s answer per person."""
    scope = scope_for(user)
    return scope.is_municipality_admin(municipality_id) or any(
        grant.municipality_id == municipality_id for grant in scope.grants_for(Role.MANAGER, Role.HR)
    )


def approves_anywhere(scope: AccessScope) -> bool:
    """Has an approval step to take somewhere (for the menu): a manager, HR or an administrator."""
    return scope.administers_any_municipality or bool(scope.grants_for(Role.MANAGER, Role.HR))


def administers_learning_anywhere(scope: AccessScope) -> bool:
    return scope.administers_any_municipality or bool(scope.grants_for(Role.HR, Role.COORDINATOR))


def require_administer_learning(user: User | Any, municipality_id: int) -> None:
    if not can_administer_learning(user, municipality_id):
        raise PermissionDenied


# --- Permission-checked fetches (404 for what the user may not see) ------------------------------


def get_provider_for_user(user: Any, pk: int) -> Provider:
    return get_object_or_404(selectors.providers_for_user(user), pk=pk)


def get_offer_for_user(user: Any, pk: int) -> Offer:
    return get_object_or_404(selectors.offers_for_user(user, active=None), pk=pk)


def get_cohort_for_user(user: Any, pk: int) -> Cohort:
    return get_object_or_404(selectors.cohorts_for_user(user), pk=pk)


def get_session_for_user(user: Any, pk: int) -> Session:
    return get_object_or_404(selectors.sessions_for_user(user), pk=pk)


def get_enrolment_for_user(user: Any, pk: int) -> Enrolment:
    return get_object_or_404(selectors.enrolments_for_user(user), pk=pk)


def get_evidence_for_user(user: Any, pk: int) -> Evidence:
    return get_object_or_404(selectors.evidence_for_user(user), pk=pk)


def get_activity_for_user(user: Any, pk: int) -> InternalActivity:
    return get_object_or_404(selectors.activities_for_user(user), pk=pk)


def get_employee_for_user(user: Any, pk: int) -> Employee:
    """A person the user may see (including inactive ones, so the service can say why it refuses)."""
    return get_object_or_404(selectors.people_for_user(user), pk=pk)
