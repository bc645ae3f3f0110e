"""Reads of the organisation, always scoped to what the acting user may see.

Selectors take the acting user (or a scope already checked by `permissions`) and build on the
access scope's Q helpers and `subtree_q` / `path_in_subtree`; who may see what is decided in
`kapabel.core.access` and `organisation.permissions`, never here."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet

from kapabel.core.access import path_in_subtree, scope_for, subtree_q
from kapabel.core.models import Municipality, Role, User
from kapabel.core.tenancy import municipalities_for
from kapabel.organisation.models import Employee, HRImport, JobRole, OrgUnit, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def municipalities_for_user(user: User | AnonymousUser) -> QuerySet[Municipality]:
    """The municipalities the user belongs to through any role (all for a platform administrator)."""
    return municipalities_for(scope_for(user))


def municipalities(*, ids: Collection[int] | None) -> QuerySet[Municipality]:
    """Municipalities by id, from a list a permission helper gave (None: all of them)."""
    return Municipality.objects.all() if ids is None else Municipality.objects.filter(pk__in=sorted(ids))


def units_for_user(user: User | AnonymousUser) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(scope_for(user).units_q()).select_related("municipality", "parent")


def job_roles_for_user(user: User | AnonymousUser) -> QuerySet[JobRole]:
    return JobRole.objects.filter(scope_for(user).municipalities_q()).select_related("municipality")


def employees_for_user(
    user: User | AnonymousUser,
    *,
    search: str = "",
    unit: OrgUnit | None = None,
    job_role: JobRole | None = None,
    active: bool | None = True,
) -> QuerySet[Employee]:
    """Employees the user may see, optionally narrowed to a unit's subtree, a job role or a name."""
    queryset = Employee.objects.filter(scope_for(user).employees_q()).select_related(
        "unit", "job_role", "municipality"
    )
    if active is not None:
        queryset = queryset.filter(active=active)
    if unit is not None:
        queryset = queryset.filter(unit.subtree_q("unit__path"))
    if job_role is not None:
        queryset = queryset.filter(job_role=job_role)
    return search_employees(queryset, search) if search else queryset


def search_employees(queryset: QuerySet[Employee], search: str) -> QuerySet[Employee]:
    """Narrow an already scoped queryset to a search: every word must match the name (or the
    whole text the e-mail, employee number or external id)."""
    search = search.strip()
    if not search:
        return queryset
    by_name = Q()
    for word in search.split():
        by_name &= Q(name__icontains=word)
    return queryset.filter(
        by_name
        | Q(email__icontains=search)
        | Q(employee_number__iexact=search)
        | Q(external_id__iexact=search)
    )


def unit_headcounts(units: list[OrgUnit]) -> dict[int, int]:
    """Active employees in each unit's whole subtree, in one query for all the units."""
    if not units:
        return {}
    paths = {unit.pk: unit.path for unit in units}
    direct = dict(
        Employee.objects.filter(active=True, unit__municipality_id__in={u.municipality_id for u in units})
        .filter(Q(*[subtree_q(path, "unit__path") for path in paths.values()], _connector=Q.OR))
        .values_list("unit__path")
        .annotate(n=Count("id"))
        .values_list("unit__path", "n")
    )
    return {
        pk: sum(n for unit_path, n in direct.items() if path_in_subtree(unit_path, path))
        for pk, path in paths.items()
    }


def unit_children(unit: OrgUnit, user: User | AnonymousUser) -> QuerySet[OrgUnit]:
    return units_for_user(user).filter(parent=unit).order_by("name")


def unit_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """The chain from the root to the parent, for breadcrumbs (one query)."""
    by_id = OrgUnit.objects.in_bulk(unit.ancestor_ids())
    return [by_id[pk] for pk in unit.ancestor_ids() if pk in by_id]


def top_units_for_user(user: User | AnonymousUser) -> list[OrgUnit]:
    """The highest units the user can see: those whose parent is not visible to them."""
    units = list(units_for_user(user).order_by("path"))
    visible_paths: list[str] = []
    tops = []
    for unit in units:  # sorted by path, so an ancestor always comes before its descendants
        if not any(path_in_subtree(unit.path, path) for path in visible_paths):
            tops.append(unit)
            visible_paths.append(unit.path)
    return sorted(tops, key=lambda u: (u.municipality.name, u.name))


def team_overview(user: User | AnonymousUser) -> list[dict[str, Any]]:
    """For a manager: each unit they lead with its headcount and people (their own units only)."""
    paths = [grant.path for grant in scope_for(user).grants_for(Role.MANAGER) if grant.path]
    units = list(OrgUnit.objects.filter(path__in=paths).order_by("name"))
    counts = unit_headcounts(units)
    return [{"unit": unit, "headcount": counts.get(unit.pk, 0)} for unit in units]


def municipality_overview(user: User | AnonymousUser) -> dict[str, Any]:
    """For HR and administrators: headline figures and the top units they can see."""
    tops = top_units_for_user(user)
    if len(tops) == 1:  # one municipality root: its forvaltninger say more than the root itself
        tops = list(unit_children(tops[0], user)) or tops
    counts = unit_headcounts(tops)
    return {
        "employees": employees_for_user(user).count(),
        "units": units_for_user(user).filter(active=True).count(),
        "job_roles": job_roles_for_user(user).filter(active=True).count(),
        "top_units": [{"unit": unit, "headcount": counts.get(unit.pk, 0)} for unit in tops],
    }


def hr_imports(*, municipality_ids: Collection[int] | None) -> QuerySet[HRImport]:
    """Import records of these municipalities (None: all), as `permissions.hr_import_municipality_ids`
    gives them for a user. The stored rows (`payload`) are never loaded for lists."""
    queryset = HRImport.objects.select_related("municipality").defer("payload", "upload")
    return (
        queryset
        if municipality_ids is None
        else queryset.filter(municipality_id__in=sorted(municipality_ids))
    )


# --- Logins and role grants -----------------------------------------------------------------------


def accounts_of_municipality(municipality_id: int, *, search: str = "") -> QuerySet[User]:
    """The logins that belong to a municipality: linked to one of its employees, or holding a role
    there. Each comes with its employee record and only this municipality's grants (`grants_here`),
    so a list page costs three queries however many logins it shows."""
    queryset = (
        User.objects.filter(
            Q(employee__municipality_id=municipality_id)
            | Q(role_assignments__municipality_id=municipality_id)
        )
        .distinct()
        .select_related("employee", "employee__unit")
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.filter(municipality_id=municipality_id)
                .select_related("unit")
                .order_by("role", "unit__path"),
                to_attr="grants_here",
            )
        )
        .order_by("username")
    )
    if search:
        queryset = queryset.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
            | Q(employee__name__icontains=search)
        )
    return queryset


def role_assignments_for_admin(user: User | AnonymousUser) -> QuerySet[RoleAssignment]:
    """Role grants in the municipalities the user administers (all for platform administrators)."""
    return RoleAssignment.objects.filter(scope_for(user).admin_municipalities_q()).select_related(
        "user", "unit", "municipality"
    )


def employee_by_number(municipality_id: int, number: str) -> Employee | None:
    """The municipality's employee with this employee number (or external id), if there is one."""
    return (
        Employee.objects.filter(municipality_id=municipality_id)
        .filter(Q(employee_number=number) | Q(external_id=number))
        .select_related("user")
        .order_by("-active", "pk")
        .first()
    )


def units_of_municipality(municipality_id: int) -> QuerySet[OrgUnit]:
    """The municipality's active units in tree order (for choosing the subtree a grant covers)."""
    return OrgUnit.objects.filter(municipality_id=municipality_id, active=True).order_by("path")


def account_by_username(username: str) -> User | None:
    """The login with this username (case-insensitive), for the platform's own setup steps."""
    return User.objects.filter(username__iexact=username).first()


def recent_hr_imports(*, municipality_ids: Collection[int] | None, limit: int = 3) -> list[HRImport]:
    """The latest HR imports (not dry runs) of these municipalities, for the start page."""
    return list(hr_imports(municipality_ids=municipality_ids).filter(dry_run=False)[:limit])


def employee_ids_matching(text: str, municipality_ids: Iterable[int] | None) -> list[int]:
    """Employees whose name or e-mail contains `text`, or whose employee number or external id is
    `text` (the audit log's search by person, registered with kapabel.core.audit.search)."""
    people = Employee.objects.filter(
        Q(name__icontains=text) | Q(email__icontains=text) | Q(employee_number=text) | Q(external_id=text)
    )
    if municipality_ids is not None:
        people = people.filter(municipality_id__in=list(municipality_ids))
    return list(people.order_by("pk").values_list("pk", flat=True)[:1000])


def employee_names(ids: Iterable[int]) -> dict[int, str]:
    """{employee id: name} (the audit log page names whom an event is about)."""
    return dict(Employee.objects.filter(pk__in=list(ids)).values_list("pk", "name"))
