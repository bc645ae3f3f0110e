"""Reads of the organisation, always scoped to what the acting user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from kapabel.core.access import scope_for
from kapabel.core.models import Municipality
from kapabel.organisation.models import Employee, HRImport, JobRole, OrgUnit


def municipalities_for_user(user: Any) -> QuerySet[Municipality]:
    scope = scope_for(user)
    if scope.is_platform_admin:
        return Municipality.objects.all()
    return Municipality.objects.filter(pk__in=sorted(scope.municipality_ids))


def units_for_user(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(scope_for(user).units_q()).select_related("municipality", "parent")


def job_roles_for_user(user: Any) -> QuerySet[JobRole]:
    return JobRole.objects.filter(scope_for(user).municipalities_q()).select_related("municipality")


def employees_for_user(
    user: Any,
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
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(email__icontains=search)
            | Q(employee_number__iexact=search)
            | Q(external_id__iexact=search)
        )
    return queryset


def unit_headcounts(units: list[OrgUnit]) -> dict[int, int]:
    """Active employees in each unit's whole subtree, in one query for all the units."""
    if not units:
        return {}
    paths = {unit.pk: unit.path for unit in units}
    direct = dict(
        Employee.objects.filter(active=True, unit__municipality_id__in={u.municipality_id for u in units})
        .filter(Q(*[Q(unit__path__gte=p, unit__path__lt=p + "~") for p in paths.values()], _connector=Q.OR))
        .values_list("unit__path")
        .annotate(n=Count("id"))
        .values_list("unit__path", "n")
    )
    return {
        pk: sum(n for unit_path, n in direct.items() if unit_path.startswith(path))
        for pk, path in paths.items()
    }


def unit_children(unit: OrgUnit, user: Any) -> QuerySet[OrgUnit]:
    return units_for_user(user).filter(parent=unit).order_by("name")


def unit_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """The chain from the root to the parent, for breadcrumbs (one query)."""
    by_id = OrgUnit.objects.in_bulk(unit.ancestor_ids())
    return [by_id[pk] for pk in unit.ancestor_ids() if pk in by_id]


def top_units_for_user(user: Any) -> list[OrgUnit]:
    """The highest units the user can see: those whose parent is not visible to them."""
    units = list(units_for_user(user).order_by("path"))
    visible_paths: list[str] = []
    tops = []
    for unit in units:  # sorted by path, so an ancestor always comes before its descendants
        if not any(unit.path.startswith(p) for p in visible_paths):
            tops.append(unit)
            visible_paths.append(unit.path)
    return sorted(tops, key=lambda u: (u.municipality.name, u.name))


def team_overview(user: Any) -> list[dict[str, Any]]:
    """For a manager: each unit they lead with its headcount and people (their own units only)."""
    scope = scope_for(user)
    from kapabel.core.models import Role

    paths = [grant.path for grant in scope.grants_for(Role.MANAGER) if grant.path]
    units = list(OrgUnit.objects.filter(path__in=paths).order_by("name"))
    counts = unit_headcounts(units)
    return [{"unit": unit, "headcount": counts.get(unit.pk, 0)} for unit in units]


def municipality_overview(user: Any) -> dict[str, Any]:
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


def hr_import_municipality_ids(user: Any) -> list[int] | None:
    """Municipalities whose HR data the user may import (None: all, for platform administrators)."""
    from kapabel.core.models import Role

    scope = scope_for(user)
    if scope.is_platform_admin:
        return None
    ids = {g.municipality_id for g in scope.grants_for(Role.MUNICIPALITY_ADMIN)}
    ids |= {g.municipality_id for g in scope.grants_for(Role.HR) if g.path is None}
    return sorted(ids)


def hr_import_municipalities_for_user(user: Any) -> QuerySet[Municipality]:
    ids = hr_import_municipality_ids(user)
    return Municipality.objects.all() if ids is None else Municipality.objects.filter(pk__in=ids)


def hr_imports_for_user(user: Any) -> QuerySet[HRImport]:
    """Import records the user may see: those of the municipalities they may import into. The
    stored rows (`payload`) are never loaded for lists."""
    ids = hr_import_municipality_ids(user)
    queryset = HRImport.objects.select_related("municipality").defer("payload")
    return queryset if ids is None else queryset.filter(municipality_id__in=ids)
