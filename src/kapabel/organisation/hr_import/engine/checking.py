"""Checking a dataset against the database and against itself, before anything is planned."""

from __future__ import annotations

from typing import Any

from kapabel.organisation.hr_import.engine.existing import Existing
from kapabel.organisation.hr_import.engine.unit_tree import UnitPaths, cycles
from kapabel.organisation.hr_import.formats import PLAN2LEARN, Dataset
from kapabel.organisation.hr_import.reading import Problem, mask_cpr


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
    found += cycles(dataset.units, file_units, existing)

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
