"""The municipality's organisation as it is before an import, read once (one query per table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from kapabel.core.models import Municipality
from kapabel.organisation.models import Employee, JobRole, OrgUnit

# A progress callback: (stage, done, total).
Progress: TypeAlias = Callable[[str, int, int], None]

# How the plan names a unit, job role or person: ("pk", primary key) for a row that exists,
# ("new", an identifier unique within the import) for one the import creates.
Key: TypeAlias = tuple[str, Any]

EMPLOYEE_VALUES = (
    "pk",
    "external_id",
    "name",
    "email",
    "unit_id",
    "job_role_id",
    "employee_number",
    "weekly_hours",
    "employment_start",
    "employment_end",
    "active",
)


def no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class Existing:
    """The municipality's units, job roles, employees and managers, as plain values."""

    municipality: Municipality
    units: dict[int, dict[str, Any]]
    unit_by_ext: dict[str, int]
    roles: dict[int, dict[str, Any]]
    role_by_ext: dict[str, int]
    role_by_title: dict[str, int]
    employees: dict[str, tuple[Any, ...]]  # by external id, the values of EMPLOYEE_VALUES
    managers: set[tuple[int, int]]  # (unit pk, employee pk)

    @classmethod
    def load(cls, municipality: Municipality) -> Existing:
        units = {
            row["pk"]: dict[str, Any](row)
            for row in OrgUnit.objects.filter(municipality=municipality).values(
                "pk", "external_id", "name", "parent_id", "active", "path", "depth"
            )
        }
        roles = {
            row["pk"]: dict[str, Any](row)
            for row in JobRole.objects.filter(municipality=municipality).values(
                "pk", "external_id", "title", "code", "active"
            )
        }
        employees = {
            row[1]: row
            for row in Employee.objects.filter(municipality=municipality).values_list(*EMPLOYEE_VALUES)
        }
        through = OrgUnit.managers.through
        managers = set(
            through.objects.filter(orgunit__municipality=municipality).values_list(
                "orgunit_id", "employee_id"
            )
        )
        return cls(
            municipality,
            units,
            {u["external_id"]: pk for pk, u in units.items() if u["external_id"]},
            roles,
            {r["external_id"]: pk for pk, r in roles.items() if r["external_id"]},
            {r["title"].casefold(): pk for pk, r in sorted(roles.items(), reverse=True)},
            employees,
            managers,
        )
