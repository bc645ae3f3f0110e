"""Who receives a learning e-mail, at which address and in which language.

The person themselves; for the manager step the nearest managers over them (the managers of the
deepest unit on their path that someone other than they lead); for the HR step the HR consultants
whose grant covers them (the municipality's administrators when no HR consultant does). A person's
language is their `NotificationPreference` (Danish when they have none); a user without an employee
record reads Danish."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from kapabel.core.access import path_in_subtree
from kapabel.core.models import Role
from kapabel.learning.models import NotificationPreference
from kapabel.organisation.models import Employee, OrgUnit, RoleAssignment


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    language: str
    employee_id: int | None = None


def default_language() -> str:
    return "da" if settings.LANGUAGE_CODE.startswith("da") else "en"


def languages(employee_ids: Iterable[int]) -> dict[int, str]:
    """{employee id: language} for those who chose one."""
    ids = {pk for pk in employee_ids if pk}
    if not ids:
        return {}
    return dict(
        NotificationPreference.objects.filter(employee_id__in=ids).values_list("employee_id", "language")
    )


def person(employee: Employee, chosen: dict[int, str]) -> Recipient | None:
    if not employee.email:
        return None
    return Recipient(employee.email, employee.name, chosen.get(employee.pk, default_language()), employee.pk)


def nearest_managers(employees: Iterable[Employee]) -> dict[int, list[Recipient]]:
    """{employee id: the nearest managers over them who have an e-mail address} in two queries."""
    people = list(employees)
    municipality_ids = {e.municipality_id for e in people}
    if not people:
        return {}
    links: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for unit_id, employee_id, email, name in OrgUnit.managers.through.objects.filter(
        orgunit__municipality_id__in=municipality_ids, orgunit__active=True, employee__active=True
    ).values_list("orgunit_id", "employee_id", "employee__email", "employee__name"):
        links[unit_id].append((employee_id, email, name))
    chosen = languages(m[0] for managers in links.values() for m in managers)
    found: dict[int, list[Recipient]] = {}
    for employee in people:
        found[employee.pk] = []
        for unit_id in reversed([int(p) for p in employee.unit.path.strip("/").split("/") if p]):
            managers = [m for m in links.get(unit_id, []) if m[0] != employee.pk]
            if managers:
                found[employee.pk] = [
                    Recipient(email, name, chosen.get(pk, default_language()), pk)
                    for pk, email, name in managers
                    if email
                ]
                break
    return found


def hr_approvers(employees: Iterable[Employee]) -> dict[int, list[Recipient]]:
    """{employee id: HR consultants whose grant covers them, else their municipality's
    administrators}, in three queries."""
    people = list(employees)
    if not people:
        return {}
    grants = list(
        RoleAssignment.objects.filter(
            role__in=[Role.HR, Role.MUNICIPALITY_ADMIN],
            municipality_id__in={e.municipality_id for e in people},
            user__is_active=True,
        )
        .select_related("user", "unit")
        .order_by("user_id")
    )
    linked = {
        user_id: (pk, email, name)
        for user_id, pk, email, name in Employee.objects.filter(
            user_id__in={g.user_id for g in grants}
        ).values_list("user_id", "pk", "email", "name")
    }
    chosen = languages(pk for pk, _email, _name in linked.values())

    def recipient(grant: RoleAssignment) -> Recipient | None:
        user = grant.user
        own = linked.get(user.pk)
        email = user.email or (own[1] if own else "")
        if not email:
            return None
        name = user.get_full_name() or (own[2] if own else "") or user.get_username()
        language = chosen.get(own[0], default_language()) if own else default_language()
        return Recipient(email, name, language, own[0] if own else None)

    found: dict[int, list[Recipient]] = {}
    for employee in people:
        by_role: dict[str, dict[str, Recipient]] = {Role.HR: {}, Role.MUNICIPALITY_ADMIN: {}}
        for grant in grants:
            if grant.municipality_id != employee.municipality_id:
                continue
            if grant.unit is not None and not path_in_subtree(employee.unit.path, grant.unit.path):
                continue
            own = linked.get(grant.user_id)
            if own is not None and own[0] == employee.pk:
                continue  # nobody approves their own request
            found_recipient = recipient(grant)
            if found_recipient is not None:
                by_role[grant.role].setdefault(found_recipient.email.lower(), found_recipient)
        found[employee.pk] = list((by_role[Role.HR] or by_role[Role.MUNICIPALITY_ADMIN]).values())
    return found
