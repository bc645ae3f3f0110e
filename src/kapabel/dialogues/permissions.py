"""Who may see and do what with dialogues and plans, on top of `kapabel.core.access`.

Two levels of visibility:

- **That a dialogue exists** (cycle, dates, booking, status): the person, and everyone who reads the
  person's data (managers over the person's current unit, HR and coordinators in their grant,
  administrators). Coverage and the cycle pages are built on this.
- **What was said** (notes, agreements, agreed levels, shared preparations) and **plans**: only the
  person and their manager. "Their manager" is a manager over the person's current unit who also led
  the unit the person was in when the dialogue was held or the plan made; after a move, a manager of
  the new unit reads the earlier dialogues and plans only when the person allows it (`Consent`). HR,
  coordinators and administrators never read them.
- A **preparation** is private to its author until they share it; then the other party reads it.

Fetches answer 404 for what the user may not see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404

from kapabel.core.access import AccessScope, Grant, path_in_subtree, scope_for, subtree_q
from kapabel.core.models import Role, User
from kapabel.dialogues.models import Cycle, Dialogue, GroupDialogue, Plan
from kapabel.organisation.models import Employee, OrgUnit


def _grant_q(grant: Grant, path_field: str, municipality_field: str) -> Q:
    if grant.path is None:
        return Q(**{municipality_field: grant.municipality_id})
    return subtree_q(grant.path, path_field)


def content_q(scope: AccessScope) -> Q:
    """Dialogues or plans (rows with `employee`, `unit`, `municipality`) whose content the user reads."""
    q = Q(pk__in=[])
    if scope.employee_id:
        q |= Q(employee_id=scope.employee_id)
    for grant in scope.grants_for(Role.MANAGER):
        now = _grant_q(grant, "employee__unit__path", "employee__municipality_id")
        then = _grant_q(grant, "unit__path", "municipality_id")
        q |= now & (then | Q(employee__dialogue_consent__new_manager_may_read=True))
    return q


def _covers(scope: AccessScope, municipality_id: int, path: str, *roles: Role) -> bool:
    return any(
        grant.municipality_id == municipality_id and (grant.path is None or path_in_subtree(path, grant.path))
        for grant in scope.grants_for(*roles)
    )


def is_manager_of(user: User | Any, employee: Employee) -> bool:
    """A manager over the person's current unit (not the person themselves)."""
    scope = scope_for(user)
    return scope.employee_id != employee.pk and _covers(
        scope, employee.municipality_id, employee.unit.path, Role.MANAGER
    )


def can_read_content(user: User | Any, obj: Dialogue | Plan) -> bool:
    """The same rule as `content_q`, for one dialogue or plan in memory."""
    scope = scope_for(user)
    if scope.employee_id == obj.employee_id:
        return True
    employee = obj.employee
    if not is_manager_of(user, employee):
        return False
    led_then = _covers(scope, obj.municipality_id, obj.unit.path, Role.MANAGER)
    if led_then:
        return True
    consent = getattr(employee, "dialogue_consent", None)
    return bool(consent and consent.new_manager_may_read)


def side_of(user: User | Any, obj: Dialogue | Plan) -> str | None:
    """ "employee", "manager" or None: in which role the user takes part in a dialogue or plan."""
    scope = scope_for(user)
    if scope.employee_id == obj.employee_id:
        return "employee"
    return "manager" if can_read_content(user, obj) else None


def can_book(user: User | Any, employee: Employee) -> bool:
    """Book (and move) a person's dialogue: their manager, or HR or an administrator over them."""
    scope = scope_for(user)
    if scope.employee_id == employee.pk:
        return False
    return scope.is_municipality_admin(employee.municipality_id) or _covers(
        scope, employee.municipality_id, employee.unit.path, Role.MANAGER, Role.HR
    )


def can_manage_cycles(user: User | Any, unit: OrgUnit) -> bool:
    """Create and close cycles for a unit: HR over it, or an administrator."""
    scope = scope_for(user)
    return scope.is_municipality_admin(unit.municipality_id) or _covers(
        scope, unit.municipality_id, unit.path, Role.HR
    )


def manages_cycles_anywhere(scope: AccessScope) -> bool:
    return scope.administers_any_municipality or bool(scope.grants_for(Role.HR))


def leads_dialogues_anywhere(scope: AccessScope) -> bool:
    """Sees the team and cycle pages: a manager, HR or an administrator."""
    return manages_cycles_anywhere(scope) or bool(scope.grants_for(Role.MANAGER))


def sees_coverage_anywhere(scope: AccessScope) -> bool:
    return scope.reads_people


def readers_suppressed(user: User | Any, unit: OrgUnit) -> bool:
    """Figures for `unit` are suppressed for small groups: the user may not read everyone in it."""
    return not scope_for(user).reads_everyone_in(unit.municipality_id, unit.path)


# --- Querysets and fetches ------------------------------------------------------------------------


def dialogues_visible(user: User | Any) -> Any:
    """Dialogues whose existence the user may see (not necessarily their content)."""
    scope = scope_for(user)
    return Dialogue.objects.filter(scope.employees_q("employee__"))


def plans_visible(user: User | Any) -> Any:
    return Plan.objects.filter(content_q(scope_for(user)))


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def cycles_q(scope: AccessScope) -> Q:
    """Cycles that reach people the user reads: a cycle on a unit in a grant, or on a unit above one
    (a municipality-wide cycle is seen by a team's manager), and the cycles over the person's own unit."""
    if scope.is_platform_admin:
        return Q()
    q = Q(pk__in=[])
    for grant in scope.grants_for(*AccessScope.PEOPLE_READERS):
        if grant.path is None:
            q |= Q(municipality_id=grant.municipality_id)
        else:
            q |= subtree_q(grant.path, "unit__path") | Q(
                municipality_id=grant.municipality_id, unit__path__in=_ancestor_paths(grant.path)
            )
    if scope.employee_unit_path and scope.employee_municipality_id:
        q |= Q(
            municipality_id=scope.employee_municipality_id,
            unit__path__in=_ancestor_paths(scope.employee_unit_path),
        )
    return q


def cycles_visible(user: User | Any) -> Any:
    return Cycle.objects.filter(cycles_q(scope_for(user)))


def groups_visible(user: User | Any) -> Any:
    """Team dialogues: those on a unit the user reads, and those the person takes part in."""
    scope = scope_for(user)
    q = scope.units_q("unit__") if scope.reads_people else Q(pk__in=[])
    if scope.employee_id:
        q |= Q(members__employee_id=scope.employee_id)
    return GroupDialogue.objects.filter(q).distinct()


def get_dialogue_for_user(user: User | Any, pk: int) -> Dialogue:
    return get_object_or_404(
        dialogues_visible(user).select_related(
            "employee__unit", "employee__dialogue_consent", "unit", "cycle", "manager", "group"
        ),
        pk=pk,
    )


def get_plan_for_user(user: User | Any, pk: int) -> Plan:
    return get_object_or_404(
        plans_visible(user).select_related(
            "employee__unit", "employee__dialogue_consent", "unit", "dialogue"
        ),
        pk=pk,
    )


def get_cycle_for_user(user: User | Any, pk: int) -> Cycle:
    return get_object_or_404(cycles_visible(user).select_related("unit"), pk=pk)


def get_group_for_user(user: User | Any, pk: int) -> GroupDialogue:
    return get_object_or_404(groups_visible(user).select_related("unit", "cycle", "manager"), pk=pk)


def can_read_group_goals(user: User | Any, group: GroupDialogue) -> bool:
    """The team's shared goals: its members and managers over its unit."""
    scope = scope_for(user)
    if scope.employee_id and group.members.filter(employee_id=scope.employee_id).exists():
        return True
    return _covers(scope, group.municipality_id, group.unit.path, Role.MANAGER)


def leads_unit(user: User | Any, unit: OrgUnit) -> bool:
    """A manager over the unit."""
    return _covers(scope_for(user), unit.municipality_id, unit.path, Role.MANAGER)


def can_lead_group(user: User | Any, unit: OrgUnit) -> bool:
    """Set up and book a team dialogue: a manager over the team, HR over it, or an administrator."""
    return leads_unit(user, unit) or can_manage_cycles(user, unit)


def get_dialogue_employee(user: User | Any, pk: int) -> Employee:
    """A person the user may see (for the person's own actions: their request and consent)."""
    return get_object_or_404(
        Employee.objects.filter(scope_for(user).employees_q()).select_related("unit"), pk=pk
    )
