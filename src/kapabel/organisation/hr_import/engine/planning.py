"""Planning: what an import would change, computed in memory from a checked dataset and the
organisation as it is. Nothing here writes; `applying.apply` carries a plan out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kapabel.organisation.hr_import.engine.existing import (
    EMPLOYEE_VALUES,
    Existing,
    Key,
    Progress,
    no_progress,
)
from kapabel.organisation.hr_import.engine.unit_tree import UnitPaths, kind_for, unit_label
from kapabel.organisation.hr_import.formats import PLAN2LEARN, Dataset, PersonIn

SAMPLE_SIZE = 25
COUNT_KEYS = [
    "units_created",
    "units_updated",
    "units_moved",
    "units_deactivated",
    "job_roles_created",
    "job_roles_updated",
    "employees_created",
    "employees_updated",
    "employees_moved",
    "employees_deactivated",
    "employees_unchanged",
    "managers_added",
    "managers_removed",
]


@dataclass
class Plan:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    sample: list[dict[str, Any]] = field(default_factory=list)
    new_roles: dict[Any, dict[str, Any]] = field(default_factory=dict)
    role_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    new_units: list[tuple[Any, dict[str, Any], Any]] = field(default_factory=list)  # key, values, parent
    unit_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    new_employees: list[dict[str, Any]] = field(default_factory=list)
    employee_updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    deactivate: list[tuple[int, bool]] = field(default_factory=list)  # pk, set the end date
    managers_add: set[tuple[Any, Any]] = field(default_factory=set)
    managers_remove: set[tuple[int, int]] = field(default_factory=set)

    @property
    def changes(self) -> int:
        return sum(n for key, n in self.counts.items() if key != "employees_unchanged")

    def note(self, kind: str, action: str, ident: str, name: str, changes: dict[str, Any]) -> None:
        """Keep the first changes as a sample for the preview."""
        if len(self.sample) < SAMPLE_SIZE:
            plain = {k: [_show(v) for v in pair] for k, pair in changes.items()}
            self.sample.append({"kind": kind, "action": action, "id": ident, "name": name, "changes": plain})


def _show(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def build_plan(dataset: Dataset, existing: Existing, *, progress: Progress = no_progress) -> Plan:
    """What the import would change, computed in memory from a checked dataset."""
    plan = Plan()
    unit_names = {pk: u["name"] for pk, u in existing.units.items()}
    role_key = _plan_roles(plan, dataset, existing)
    unit_key = _plan_units(plan, dataset, existing, unit_names)
    paths = UnitPaths(existing) if dataset.format != PLAN2LEARN else None
    _plan_people(plan, dataset, existing, unit_names, role_key, unit_key, paths, progress)
    _plan_managers(plan, dataset, existing, unit_key, paths)
    progress("plan", len(dataset.people), len(dataset.people))
    return plan


def _plan_roles(plan: Plan, dataset: Dataset, existing: Existing) -> dict[str, Key]:
    """Job roles in the file (plan2learn, by job code id; the sheet names them by title per person).
    Returns each file role's key."""
    role_key: dict[str, Key] = {}
    for role in dataset.job_roles:
        pk = existing.role_by_ext.get(role.external_id)
        values = {"title": role.title, "code": role.code, "active": role.active}
        if pk is None:
            plan.new_roles[("new", role.external_id)] = {"external_id": role.external_id, **values}
            role_key[role.external_id] = ("new", role.external_id)
            plan.counts["job_roles_created"] += 1
            plan.note("job_role", "created", role.external_id, role.title, {})
        else:
            role_key[role.external_id] = ("pk", pk)
            changed = {k: v for k, v in values.items() if existing.roles[pk][k] != v}
            if changed:
                plan.role_updates[pk] = changed
                plan.counts["job_roles_updated"] += 1
                plan.note("job_role", "updated", role.external_id, role.title,
                          {k: [existing.roles[pk][k], v] for k, v in changed.items()})  # fmt: skip
    return role_key


def _plan_units(
    plan: Plan, dataset: Dataset, existing: Existing, unit_names: dict[int, str]
) -> dict[str, Key]:
    """Units in the file (plan2learn): created, renamed, moved, reactivated; and in a full import
    the units missing from it made inactive. Returns every known unit's key by external id."""
    unit_key: dict[str, Key] = {u: ("pk", pk) for u, pk in existing.unit_by_ext.items()}
    for unit in dataset.units:
        if unit.external_id not in existing.unit_by_ext:
            unit_key[unit.external_id] = ("new", unit.external_id)
    for unit in dataset.units:
        parent = unit_key[unit.parent] if unit.parent else None
        key = unit_key[unit.external_id]
        if key[0] == "new":
            values = {"name": unit.name, "external_id": unit.external_id, "kind": kind_for(parent)}
            plan.new_units.append((key, values, parent))
            plan.counts["units_created"] += 1
            plan.note("unit", "created", unit.external_id, unit.name, {})
            continue
        current = existing.units[key[1]]
        unit_changes: dict[str, Any] = {}
        if current["name"] != unit.name:
            unit_changes["name"] = unit.name
        if not current["active"]:
            unit_changes["active"] = True
        current_parent = ("pk", current["parent_id"]) if current["parent_id"] else None
        if parent != current_parent:
            unit_changes["parent"] = parent
            plan.counts["units_moved"] += 1
        if unit_changes:
            plan.unit_updates[key[1]] = unit_changes
            plan.counts["units_updated"] += 1
            shown = {k: [current[k], v] for k, v in unit_changes.items() if k != "parent"}
            if "parent" in unit_changes:
                shown["parent"] = [unit_names.get(current["parent_id"]), unit_label(parent, unit_names)]
            action = "moved" if "parent" in unit_changes else "updated"
            plan.note("unit", action, unit.external_id, unit.name, shown)
    if dataset.format == PLAN2LEARN and dataset.full:
        seen_units = set(dataset.seen_units)
        for pk, current in existing.units.items():
            if current["external_id"] and current["external_id"] not in seen_units and current["active"]:
                plan.unit_updates.setdefault(pk, {})["active"] = False
                plan.counts["units_deactivated"] += 1
                plan.note("unit", "deactivated", current["external_id"], current["name"], {})
    return unit_key


def _plan_people(
    plan: Plan,
    dataset: Dataset,
    existing: Existing,
    unit_names: dict[int, str],
    role_key: dict[str, Key],
    unit_key: dict[str, Key],
    paths: UnitPaths | None,
    progress: Progress,
) -> None:
    """People: created or changed (with the sheet's units along their paths), and in a full import
    those missing from it made inactive."""
    provided = set(dataset.provided)
    total = len(dataset.people)
    for done, person in enumerate(dataset.people, start=1):
        if done % 5000 == 0:
            progress("plan", done, total)
        if paths is not None:
            resolved = paths.resolve(person.unit)
            assert resolved is not None  # checked
            unit, new = resolved
            for new_key, name, parent in new:
                if all(k != new_key for k, _, _ in plan.new_units):
                    values = {"name": name, "external_id": "", "kind": kind_for(parent)}
                    plan.new_units.append((new_key, values, parent))
                    plan.counts["units_created"] += 1
                    plan.note("unit", "created", "", name, {})
            job = _sheet_role(person.job_role, existing, plan) if "job_role" in provided else None
        else:
            unit = unit_key[person.unit]
            job = role_key.get(person.job_role) or (
                ("pk", existing.role_by_ext[person.job_role]) if person.job_role else None
            )
        _plan_person(plan, person, unit, job, provided, existing, unit_names)

    if dataset.full:
        today = timezone.localdate()
        seen = set(dataset.seen_people)
        for ext, row in existing.employees.items():
            if ext not in seen and row[10]:
                end = row[9]
                plan.deactivate.append((row[0], end is None or end > today))
                plan.counts["employees_deactivated"] += 1
                plan.note("employee", "deactivated", ext, row[2], {"active": [True, False]})


def _sheet_role(title: str, existing: Existing, plan: Plan) -> Key | None:
    if not title:
        return None
    pk = existing.role_by_title.get(title.casefold())
    if pk is not None:
        return ("pk", pk)
    key = ("new", "title:" + title.casefold())
    if key not in plan.new_roles:
        plan.new_roles[key] = {"external_id": "", "title": title, "code": "", "active": True}
        plan.counts["job_roles_created"] += 1
        plan.note("job_role", "created", "", title, {})
    return key


def _plan_person(
    plan: Plan,
    person: PersonIn,
    unit: Any,
    job: Any,
    provided: set[str],
    existing: Existing,
    unit_names: dict[int, str],
) -> None:
    values: dict[str, Any] = {"name": person.name, "unit": unit, "active": person.active}
    if "email" in provided:
        values["email"] = person.email
    if "job_role" in provided:
        values["job_role"] = job
    if "employee_number" in provided:
        values["employee_number"] = person.employee_number or ""
    if "weekly_hours" in provided:
        values["weekly_hours"] = person.weekly_hours
    if "employment_start" in provided or person.start is not None:
        values["employment_start"] = person.start
    if "employment_end" in provided:
        values["employment_end"] = person.end
    row = existing.employees.get(person.external_id)
    if row is None:
        plan.new_employees.append({"external_id": person.external_id, **values})
        plan.counts["employees_created"] += 1
        plan.note("employee", "created", person.external_id, person.name, {})
        return
    current = dict(zip(EMPLOYEE_VALUES, row, strict=True))
    current["unit"] = ("pk", current["unit_id"])
    current["job_role"] = ("pk", current["job_role_id"]) if current["job_role_id"] else None
    changed = {k: v for k, v in values.items() if current[k] != v}
    if not changed:
        plan.counts["employees_unchanged"] += 1
        return
    plan.employee_updates.append((current["pk"], changed))
    plan.counts["employees_updated"] += 1
    shown = {k: [current[k], v] for k, v in changed.items() if k not in ("unit", "job_role")}
    if "unit" in changed:
        plan.counts["employees_moved"] += 1
        shown["unit"] = [unit_names.get(current["unit_id"]), unit_label(unit, unit_names)]
    if "job_role" in changed:
        shown["job_role"] = [
            _role_title(current["job_role"], existing, plan),
            _role_title(job, existing, plan),
        ]
    plan.note("employee", "moved" if "unit" in changed else "updated", person.external_id, person.name, shown)


def _role_title(key: Key | None, existing: Existing, plan: Plan) -> str | None:
    """A job role's title for the preview (never its database id)."""
    if key is None:
        return None
    if key[0] == "pk":
        return str(existing.roles[key[1]]["title"])
    return str(plan.new_roles[key]["title"])


def _plan_managers(
    plan: Plan, dataset: Dataset, existing: Existing, unit_key: dict[str, Key], paths: UnitPaths | None
) -> None:
    def person_key(ext: str) -> Key:
        row = existing.employees.get(ext)
        return ("pk", row[0]) if row is not None else ("new", ext)

    desired: set[tuple[Any, Any]] = set()
    if dataset.format == PLAN2LEARN:
        # leder.csv is the whole truth about the managers of the units in the file.
        for manager in dataset.managers:
            desired.add((unit_key[manager.unit], person_key(manager.person)))
        file_unit_pks = {
            unit_key[u.external_id][1] for u in dataset.units if unit_key[u.external_id][0] == "pk"
        }
        current = {pair for pair in existing.managers if pair[0] in file_unit_pks}
        plan.managers_remove = {pair for pair in current if (("pk", pair[0]), ("pk", pair[1])) not in desired}
        plan.managers_add = {
            pair
            for pair in desired
            if not (pair[0][0] == pair[1][0] == "pk" and (pair[0][1], pair[1][1]) in existing.managers)
        }
    else:
        assert paths is not None
        for person in dataset.people:
            if person.manager is None:
                continue
            resolved = paths.resolve(person.unit)
            assert resolved is not None
            unit, who = resolved[0], person_key(person.external_id)
            exists = unit[0] == who[0] == "pk" and (unit[1], who[1]) in existing.managers
            if person.manager and not exists:
                plan.managers_add.add((unit, who))
            elif not person.manager and exists:
                plan.managers_remove.add((unit[1], who[1]))
    plan.counts["managers_added"] = len(plan.managers_add)
    plan.counts["managers_removed"] = len(plan.managers_remove)
