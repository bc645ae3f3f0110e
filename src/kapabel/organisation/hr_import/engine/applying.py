"""Applying a plan: bulk writes in batches, only what differs. Call inside the caller's transaction
(see `services.hrimport_apply`), so a crash or a kill leaves the database as it was."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from kapabel.core import jobs
from kapabel.organisation.hr_import.engine.existing import Existing, Key, Progress, no_progress
from kapabel.organisation.hr_import.engine.planning import Plan
from kapabel.organisation.hr_import.engine.unit_tree import materialised_paths
from kapabel.organisation.models import Employee, JobRole, OrgUnit

BATCH = 1000


def _pk(key: Key, created: dict[Any, int]) -> int:
    """The primary key of an existing row, or of one created earlier in this import."""
    return int(key[1]) if key[0] == "pk" else created[key]


def _pk_or_none(key: Key | None, created: dict[Any, int]) -> int | None:
    return None if key is None else _pk(key, created)


def apply(plan: Plan, existing: Existing, *, progress: Progress = no_progress) -> None:
    """Write the plan. Call inside a transaction: it is all or nothing only together with that."""
    municipality = existing.municipality
    steps = 5
    progress("write", 0, steps)

    role_pk: dict[Any, int] = {}
    new_roles = [JobRole(municipality=municipality, **values) for values in plan.new_roles.values()]
    JobRole.objects.bulk_create(new_roles, batch_size=BATCH)
    for key, role in zip(plan.new_roles, new_roles, strict=True):
        role_pk[key] = role.pk
    for fields, objs in _grouped(plan.role_updates.items(), lambda pk, ch: JobRole(pk=pk, **ch)):
        JobRole.objects.bulk_update(objs, fields, batch_size=BATCH)
    progress("write", 1, steps)

    unit_pk = _apply_units(plan, existing)
    progress("write", 2, steps)

    new_people = []
    for values in plan.new_employees:
        values = dict(values)
        values["unit_id"] = _pk(values.pop("unit"), unit_pk)
        values["job_role_id"] = _pk_or_none(values.pop("job_role", None), role_pk)
        new_people.append(Employee(municipality=municipality, **values))
    Employee.objects.bulk_create(new_people, batch_size=BATCH)
    progress("write", 3, steps)
    jobs.checkpoint("organisation.hr_import", "employees")  # the fault tests may stop here

    def employee(pk: int, changed: dict[str, Any]) -> Employee:
        obj = Employee(pk=pk)
        for name, value in changed.items():
            if name == "unit":
                obj.unit_id = _pk(value, unit_pk)
            elif name == "job_role":
                obj.job_role_id = _pk_or_none(value, role_pk)
            else:
                setattr(obj, name, value)
        return obj

    for fields, objs in _grouped(plan.employee_updates, employee):
        Employee.objects.bulk_update(objs, fields, batch_size=500)
    today = timezone.localdate()
    for start in range(0, len(plan.deactivate), BATCH):
        chunk = plan.deactivate[start : start + BATCH]
        with_end = [pk for pk, set_end in chunk if set_end]
        without_end = [pk for pk, set_end in chunk if not set_end]
        if with_end:
            Employee.objects.filter(pk__in=with_end).update(active=False, employment_end=today)
        if without_end:
            Employee.objects.filter(pk__in=without_end).update(active=False)
    progress("write", 4, steps)

    through = OrgUnit.managers.through
    for unit_id, employee_id in sorted(plan.managers_remove):
        through.objects.filter(orgunit_id=unit_id, employee_id=employee_id).delete()
    if plan.managers_add:
        person_pk: dict[Any, int] = {("new", e.external_id): e.pk for e in new_people}
        rows = [
            through(orgunit_id=_pk(unit, unit_pk), employee_id=_pk(who, person_pk))
            for unit, who in sorted(plan.managers_add, key=str)
        ]
        through.objects.bulk_create(rows, batch_size=BATCH)
    progress("write", steps, steps)


def _grouped(
    items: Iterable[tuple[int, dict[str, Any]]], build: Callable[[int, dict[str, Any]], Any]
) -> list[tuple[list[str], list[Any]]]:
    """Updates grouped by the set of fields they change, so each bulk_update writes only those."""
    groups: dict[tuple[str, ...], list[Any]] = {}
    for pk, changed in items:
        fields = tuple(sorted(changed))
        groups.setdefault(fields, []).append(build(pk, changed))
    return [(list(fields), objs) for fields, objs in groups.items()]


def _apply_units(plan: Plan, existing: Existing) -> dict[Any, int]:
    """Create new units level by level, apply renames and moves, then recompute every materialised
    path and depth in the municipality from the parent links (1,500 units: cheap, and always right)."""
    municipality = existing.municipality
    unit_pk: dict[Any, int] = {}
    parents: dict[int, int | None] = {pk: u["parent_id"] for pk, u in existing.units.items()}
    pending = list(plan.new_units)
    while pending:
        ready: list[tuple[Any, dict[str, Any], Any]] = []
        waiting: list[tuple[Any, dict[str, Any], Any]] = []
        for item in pending:
            parent = item[2]
            (ready if parent is None or parent[0] == "pk" or parent in unit_pk else waiting).append(item)
        rows = []
        for _key, values, parent in ready:
            rows.append(OrgUnit(municipality=municipality, parent_id=_pk_or_none(parent, unit_pk), **values))
        OrgUnit.objects.bulk_create(rows, batch_size=BATCH)
        for (key, _values, _parent), unit in zip(ready, rows, strict=True):
            unit_pk[key] = unit.pk
            parents[unit.pk] = unit.parent_id
        if not ready:  # cannot happen after `check`; never loop forever
            raise RuntimeError("unit tree has a cycle")
        pending = waiting

    updates = []
    for pk, changed in plan.unit_updates.items():
        unit = OrgUnit(pk=pk, **{k: v for k, v in changed.items() if k != "parent"})
        fields: list[str] = [k for k in changed if k != "parent"]
        if "parent" in changed:
            unit.parent_id = _pk_or_none(changed["parent"], unit_pk)
            parents[pk] = unit.parent_id
            fields.append("parent")
        updates.append((tuple(sorted(fields)), unit))
    for group in {f for f, _ in updates}:
        OrgUnit.objects.bulk_update([u for f, u in updates if f == group], list(group), batch_size=BATCH)

    paths = materialised_paths(parents)
    changed_paths = []
    for pk in parents:
        path, depth = paths[pk]
        current = existing.units.get(pk)
        if current is None or current["path"] != path or current["depth"] != depth:
            changed_paths.append(OrgUnit(pk=pk, path=path, depth=depth))
    OrgUnit.objects.bulk_update(changed_paths, ["path", "depth"], batch_size=BATCH)
    return unit_pk
