"""Check a dataset against the organisation in the database, plan the changes, apply them in bulk.

These are the HR import's bulk write paths (50,000 people in seconds): rows are compared in memory
with one read per table, and only what differs is written, with bulk_create / bulk_update in
batches. `apply` must run inside the caller's transaction (see `services.hrimport_run`), so a crash
or a kill leaves the database as it was. Nothing is ever deleted: people and units missing from a
full import are marked inactive (people with an end date).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kapabel.core.models import Municipality
from kapabel.organisation.hr_import.formats import PLAN2LEARN, Dataset, PersonIn, UnitIn
from kapabel.organisation.hr_import.reading import Problem, mask_cpr
from kapabel.organisation.models import Employee, JobRole, OrgUnit

Progress = Callable[[str, int, int], None]
BATCH = 1000
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


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class Existing:
    """The municipality's organisation as it is, read once (one query per table)."""

    municipality: Municipality
    units: dict[int, dict[str, Any]]
    unit_by_ext: dict[str, int]
    roles: dict[int, dict[str, Any]]
    role_by_ext: dict[str, int]
    role_by_title: dict[str, int]
    employees: dict[str, tuple[Any, ...]]
    managers: set[tuple[int, int]]

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


# --- Unit paths in Kapabel's sheet ------------------------------------------------------------


class UnitPaths:
    """Resolves the sheet's Enhed column: an existing unit's external id, or a path of unit names
    from the top ("Børn og Unge/Fællesadministration/Løn"; the municipality's single top unit may be
    left out). Missing units along a path are created."""

    def __init__(self, existing: Existing):
        self.existing = existing
        self.children = {
            (u["parent_id"], u["name"].casefold()): pk
            for pk, u in sorted(existing.units.items(), reverse=True)
        }
        self.roots = sorted(pk for pk, u in existing.units.items() if u["parent_id"] is None)

    def resolve(self, value: str) -> tuple[Any, list[tuple[Any, str, Any]]] | None:
        """(unit key, [(new key, name, parent key)]) or None when the path has no top unit."""
        if value in self.existing.unit_by_ext:
            return ("pk", self.existing.unit_by_ext[value]), []
        segments = [s.strip() for s in value.split("/") if s.strip()]
        root_names = {self.existing.units[pk]["name"].casefold(): pk for pk in self.roots}
        if segments and segments[0].casefold() in root_names:
            key: Any = ("pk", root_names[segments[0].casefold()])
            segments = segments[1:]
        elif len(self.roots) == 1:
            key = ("pk", self.roots[0])
        elif not self.roots:
            key = None
        else:
            return None
        new: list[tuple[Any, str, Any]] = []
        prefix = [] if key is None else [str(key[1])]
        for name in segments:
            prefix.append(name.casefold())
            found = (
                self.children.get((key[1], name.casefold())) if key is not None and key[0] == "pk" else None
            )
            if found is not None:
                key = ("pk", found)
            else:
                new_key = ("new", "/".join(prefix))
                new.append((new_key, name[:200], key))
                key = new_key
        return key, new


# --- Checking -----------------------------------------------------------------------------------


def _check(dataset: Dataset, existing: Existing) -> list[tuple[Problem, Any]]:
    """Problems that need the database or the whole dataset, each with the item it invalidates."""
    found: list[tuple[Problem, Any]] = []
    file_units = {u.external_id: u for u in dataset.units}
    for unit in dataset.units:
        if unit.parent and unit.parent not in file_units and unit.parent not in existing.unit_by_ext:
            problem = Problem(
                "unknown_parent",
                unit.file,
                unit.line,
                "Parentid",
                {"unit": mask_cpr(unit.external_id), "parent": mask_cpr(unit.parent)},
            )
            found.append((problem, unit))
    found += _cycles(dataset.units, file_units, existing)

    file_roles = {r.external_id for r in dataset.job_roles}
    paths = UnitPaths(existing)
    for person in dataset.people:
        if dataset.format == PLAN2LEARN:
            if person.unit not in file_units and person.unit not in existing.unit_by_ext:
                problem = Problem(
                    "unknown_unit",
                    person.ref_file,
                    person.ref_line,
                    "AfdelingsId",
                    {"value": mask_cpr(person.unit)},
                )
                found.append((problem, person))
            elif person.job_role and person.job_role not in file_roles | existing.role_by_ext.keys():
                problem = Problem(
                    "unknown_job_code",
                    person.ref_file,
                    person.ref_line,
                    "StillingskodeId",
                    {"value": mask_cpr(person.job_role)},
                )
                found.append((problem, person))
        elif paths.resolve(person.unit) is None:
            roots = ", ".join(existing.units[pk]["name"] for pk in paths.roots)
            problem = Problem(
                "unit_path_root",
                person.file,
                person.line,
                "Enhed",
                {"value": mask_cpr(person.unit), "roots": roots},
            )
            found.append((problem, person))

    people = {p.external_id for p in dataset.people}
    for manager in dataset.managers:
        if manager.person not in people and manager.person not in existing.employees:
            problem = Problem(
                "unknown_person", manager.file, manager.line, "BrugerId", {"value": mask_cpr(manager.person)}
            )
            found.append((problem, manager))
        elif manager.unit not in file_units and manager.unit not in existing.unit_by_ext:
            problem = Problem(
                "unknown_unit", manager.file, manager.line, "AfdelingsID", {"value": mask_cpr(manager.unit)}
            )
            found.append((problem, manager))
    return found


def _cycles(
    units: list[UnitIn], file_units: dict[str, UnitIn], existing: Existing
) -> list[tuple[Problem, Any]]:
    """Cycles in the unit tree as it would be after the import (file parents, else the current ones)."""

    def key_of_pk(pk: int) -> tuple[str, Any]:
        ext = existing.units[pk]["external_id"]
        return ("e", ext) if ext in file_units else ("p", pk)

    def parent_of(key: tuple[str, Any]) -> tuple[str, Any] | None:
        if key[0] == "e":
            parent = file_units[key[1]].parent
            if not parent:
                return None
            if parent in file_units:
                return ("e", parent)
            pk = existing.unit_by_ext.get(parent)
            return key_of_pk(pk) if pk is not None else None
        parent_pk = existing.units[key[1]]["parent_id"]
        return key_of_pk(parent_pk) if parent_pk is not None else None

    state: dict[tuple[str, Any], int] = {}  # 1: on the current walk, 2: known to reach a top unit
    found = []
    for unit in units:
        walk: list[tuple[str, Any]] = []
        key: tuple[str, Any] | None = ("e", unit.external_id)
        while key is not None and key not in state:
            state[key] = 1
            walk.append(key)
            key = parent_of(key)
        if key is not None and state[key] == 1:
            cycle = walk[walk.index(key) :]
            names = " → ".join(
                file_units[k[1]].external_id if k[0] == "e" else existing.units[k[1]]["name"] for k in cycle
            )
            for member in cycle:
                if member[0] == "e":
                    item = file_units[member[1]]
                    problem = Problem(
                        "cycle",
                        item.file,
                        item.line,
                        "Parentid",
                        {"unit": mask_cpr(item.external_id), "cycle": mask_cpr(names)},
                    )
                    found.append((problem, item))
        for member in walk:
            state[member] = 2
    return found


def check(dataset: Dataset, existing: Existing) -> list[Problem]:
    """Report every problem, and leave the dataset with only the rows that can be imported: rows
    that depend on a removed row (a unit below an invalid unit) are reported and removed in turn."""
    problems: list[Problem] = []
    while True:
        found = _check(dataset, existing)
        if not found:
            return problems
        problems += [problem for problem, _ in found]
        bad = {id(item) for _, item in found}
        dataset.units = [u for u in dataset.units if id(u) not in bad]
        dataset.people = [p for p in dataset.people if id(p) not in bad]
        dataset.managers = [m for m in dataset.managers if id(m) not in bad]


# --- Planning -----------------------------------------------------------------------------------


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
        if len(self.sample) < SAMPLE_SIZE:
            plain = {k: [_show(v) for v in pair] for k, pair in changes.items()}
            self.sample.append({"kind": kind, "action": action, "id": ident, "name": name, "changes": plain})


def _show(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def build_plan(dataset: Dataset, existing: Existing, *, progress: Progress = _no_progress) -> Plan:
    """What the import would change, computed in memory from a checked dataset."""
    plan = Plan()
    today = datetime.date.today()
    unit_names = {pk: u["name"] for pk, u in existing.units.items()}

    # Job roles: plan2learn by job code id; the sheet by title.
    role_key: dict[str, Any] = {}
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

    # Units.
    unit_key: dict[str, Any] = {u: ("pk", pk) for u, pk in existing.unit_by_ext.items()}
    for unit in dataset.units:
        if unit.external_id not in existing.unit_by_ext:
            unit_key[unit.external_id] = ("new", unit.external_id)
    for unit in dataset.units:
        parent = unit_key[unit.parent] if unit.parent else None
        key = unit_key[unit.external_id]
        if key[0] == "new":
            values = {"name": unit.name, "external_id": unit.external_id, "kind": _kind(parent)}
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
                shown["parent"] = [
                    unit_names.get(current["parent_id"]),
                    _unit_label(parent, unit_names),
                ]
            plan.note(
                "unit", "moved" if "parent" in changed else "updated", unit.external_id, unit.name, shown
            )
    if dataset.format == PLAN2LEARN and dataset.full:
        seen_units = set(dataset.seen_units)
        for pk, current in existing.units.items():
            if current["external_id"] and current["external_id"] not in seen_units and current["active"]:
                plan.unit_updates.setdefault(pk, {})["active"] = False
                plan.counts["units_deactivated"] += 1
                plan.note("unit", "deactivated", current["external_id"], current["name"], {})

    # People.
    paths = UnitPaths(existing) if dataset.format != PLAN2LEARN else None
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
                    values = {"name": name, "external_id": "", "kind": _kind(parent)}
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
        seen = set(dataset.seen_people)
        for ext, row in existing.employees.items():
            if ext not in seen and row[10]:
                end = row[9]
                plan.deactivate.append((row[0], end is None or end > today))
                plan.counts["employees_deactivated"] += 1
                plan.note("employee", "deactivated", ext, row[2], {"active": [True, False]})

    _plan_managers(plan, dataset, existing, unit_key, paths)
    progress("plan", total, total)
    return plan


def _kind(parent: Any) -> str:
    return OrgUnit.Kind.MUNICIPALITY if parent is None else OrgUnit.Kind.DEPARTMENT


def _unit_label(key: Any, names: dict[int, str]) -> str | None:
    if key is None:
        return None
    return names.get(key[1]) if key[0] == "pk" else str(key[1]).rsplit("/", 1)[-1]


def _sheet_role(title: str, existing: Existing, plan: Plan) -> Any:
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
        shown["unit"] = [unit_names.get(current["unit_id"]), _unit_label(unit, unit_names)]
    if "job_role" in changed:
        shown["job_role"] = [current["job_role_id"], job[1] if job else None]
    plan.note("employee", "moved" if "unit" in changed else "updated", person.external_id, person.name, shown)


def _plan_managers(
    plan: Plan, dataset: Dataset, existing: Existing, unit_key: dict[str, Any], paths: UnitPaths | None
) -> None:
    def person_key(ext: str) -> Any:
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


# --- Applying -----------------------------------------------------------------------------------


def apply(plan: Plan, existing: Existing, *, progress: Progress = _no_progress) -> None:
    """Write the plan. Call inside a transaction: it is all or nothing only together with that."""
    municipality = existing.municipality
    steps = 5
    progress("write", 0, steps)

    role_pk: dict[Any, int | None] = {}
    new_roles = [JobRole(municipality=municipality, **values) for values in plan.new_roles.values()]
    JobRole.objects.bulk_create(new_roles, batch_size=BATCH)
    for key, role in zip(plan.new_roles, new_roles, strict=True):
        role_pk[key] = role.pk
    for fields, objs in _grouped(plan.role_updates.items(), lambda pk, ch: JobRole(pk=pk, **ch)):
        JobRole.objects.bulk_update(objs, fields, batch_size=BATCH)
    progress("write", 1, steps)

    unit_pk = _apply_units(plan, existing)
    progress("write", 2, steps)

    def resolve(key: Any, pks: dict[Any, int | None]) -> int | None:
        if key is None:
            return None
        return key[1] if key[0] == "pk" else pks[key]

    new_people = []
    for values in plan.new_employees:
        values = dict(values)
        values["unit_id"] = resolve(values.pop("unit"), unit_pk)
        values["job_role_id"] = resolve(values.pop("job_role", None), role_pk)
        new_people.append(Employee(municipality=municipality, **values))
    Employee.objects.bulk_create(new_people, batch_size=BATCH)
    progress("write", 3, steps)

    def employee(pk: int, changed: dict[str, Any]) -> Employee:
        obj = Employee(pk=pk)
        for name, value in changed.items():
            if name == "unit":
                obj.unit_id = resolve(value, unit_pk)  # type: ignore[assignment]
            elif name == "job_role":
                obj.job_role_id = resolve(value, role_pk)
            else:
                setattr(obj, name, value)
        return obj

    for fields, objs in _grouped(plan.employee_updates, employee):
        Employee.objects.bulk_update(objs, fields, batch_size=500)
    today = datetime.date.today()
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
        person_pk: dict[Any, int | None] = {("new", e.external_id): e.pk for e in new_people}
        rows = [
            through(orgunit_id=resolve(unit, unit_pk), employee_id=resolve(who, person_pk))
            for unit, who in sorted(plan.managers_add, key=str)
        ]
        through.objects.bulk_create(rows, batch_size=BATCH)
    progress("write", steps, steps)


def _grouped(items: Any, build: Callable[[int, dict[str, Any]], Any]) -> list[tuple[list[str], list[Any]]]:
    """Updates grouped by the set of fields they change, so each bulk_update writes only those."""
    groups: dict[tuple[str, ...], list[Any]] = {}
    for pk, changed in items:
        fields = tuple(sorted(changed))
        groups.setdefault(fields, []).append(build(pk, changed))
    return [(list(fields), objs) for fields, objs in groups.items()]


def _apply_units(plan: Plan, existing: Existing) -> dict[Any, int | None]:
    """Create new units level by level, apply renames and moves, then recompute every materialised
    path and depth in the municipality from the parent links (1,500 units: cheap, and always right)."""
    municipality = existing.municipality
    unit_pk: dict[Any, int | None] = {}
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
            parent_id = None if parent is None else parent[1] if parent[0] == "pk" else unit_pk[parent]
            rows.append(OrgUnit(municipality=municipality, parent_id=parent_id, **values))
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
            parent = changed["parent"]
            unit.parent_id = None if parent is None else parent[1] if parent[0] == "pk" else unit_pk[parent]
            parents[pk] = unit.parent_id
            fields.append("parent")
        updates.append((tuple(sorted(fields)), unit))
    for group in {f for f, _ in updates}:
        OrgUnit.objects.bulk_update([u for f, u in updates if f == group], list(group), batch_size=BATCH)

    paths: dict[int, tuple[str, int]] = {}

    def path_of(pk: int) -> tuple[str, int]:
        chain = []
        node: int | None = pk
        while node is not None and node not in paths:
            chain.append(node)
            node = parents[node]
        base, depth = paths[node] if node is not None else ("/", -1)
        for member in reversed(chain):
            base, depth = f"{base}{member}/", depth + 1
            paths[member] = (base, depth)
        return paths[pk]

    changed_paths = []
    for pk in parents:
        path, depth = path_of(pk)
        current = existing.units.get(pk)
        if current is None or current["path"] != path or current["depth"] != depth:
            changed_paths.append(OrgUnit(pk=pk, path=path, depth=depth))
    OrgUnit.objects.bulk_update(changed_paths, ["path", "depth"], batch_size=BATCH)
    return unit_pk
