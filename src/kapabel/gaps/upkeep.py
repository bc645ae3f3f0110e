"""Aggregate upkeep: the only code that writes `GapFact` and `GapAggregate`.

Every service that changes an input of the gap analysis calls one function here *inside its own
transaction*, after its own write:

=====================================  ==================================================
writing service                        call
=====================================  ==================================================
assessments.services.ratings_record    ``current_levels_changed(pairs)`` (after CurrentLevel)
  (incl. corrections, source order)    (a changed source order: ``rebuild(municipality)``)
competences profile services           ``profile_targets_changed([profile.pk])`` after
  (targets edited, published, retired)  editing targets of, publishing or retiring a profile
competences individual-target service  ``individual_targets_changed([employee.pk])``
organisation.services (employee_*)     ``employees_changed([employee.pk])``
organisation.services.orgunit_update   ``unit_moved(unit, old_path)`` on a move
organisation.services.employees_bulk   ``employees_changed(ids)``
gap settings (weights)                 ``rebuild(municipality)``
=====================================  ==================================================

How it stays cheap: a person's facts are recomputed with `definition.person_gaps` and compared
with the stored ones; only the difference is written, and each changed fact adds its delta to
the aggregates of its unit and every ancestor (a path of 3–6 units). A unit move shifts the moved
subtree's totals from the old ancestors to the new ones without touching people.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.db import transaction

from kapabel.assessments.models import CurrentLevel
from kapabel.core.access import subtree_q
from kapabel.core.models import Municipality
from kapabel.gaps.definition import FACT_FIELDS, Fact, TargetContext, person_gaps
from kapabel.gaps.models import GapAggregate, GapFact
from kapabel.organisation.models import Employee, OrgUnit

CHUNK = 1000  # employees per refresh batch (keeps IN lists well below SQLite's limit)
REBUILD_CHUNK = 5000
COUNTERS = ("people", "known", "below", "gap_sum", "weighted_gap_sum")
Vector = list[int]


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _contribution(fact: Fact) -> Vector:
    known = fact.level is not None
    return [
        1,
        int(known),
        int(bool(fact.gap)),
        fact.gap or 0,
        fact.weighted_gap or 0,
    ]


def compute_facts(municipality_id: int, employee_ids: Iterable[int] | None = None) -> list[Fact]:
    """Facts from scratch for the municipality (or some of its employees): the reference."""
    employees = Employee.objects.filter(municipality_id=municipality_id, active=True)
    if employee_ids is not None:
        employee_ids = list(employee_ids)
        employees = employees.filter(pk__in=employee_ids)
    rows = list(employees.values_list("id", "unit_id", "unit__path", "job_role_id"))
    if not rows:
        return []
    context = TargetContext(municipality_id, employee_ids)
    rated = context.rated_competence_ids()
    levels: dict[int, dict[int, tuple[int | None, Any]]] = defaultdict(dict)
    if rated:
        current = CurrentLevel.objects.filter(municipality_id=municipality_id, level__isnull=False)
        if employee_ids is not None:
            current = current.filter(employee_id__in=employee_ids)
        if len(rated) < 500:
            current = current.filter(competence_id__in=rated)
        for employee_id, competence_id, level, rated_at in current.values_list(
            "employee_id", "competence_id", "level", "rated_at"
        ).iterator(chunk_size=20000):
            levels[employee_id][competence_id] = (level, rated_at)
    facts: list[Fact] = []
    for employee_id, unit_id, unit_path, job_role_id in rows:
        facts += person_gaps(
            context,
            employee_id=employee_id,
            unit_id=unit_id,
            unit_path=unit_path,
            job_role_id=job_role_id,
            levels=levels.get(employee_id, {}),
        )
    return facts


def aggregate(facts: Iterable[Fact], unit_paths: dict[int, str]) -> dict[tuple[int, int], Vector]:
    """Subtree totals per (unit, competence) from facts: the reference for `GapAggregate`."""
    totals: dict[tuple[int, int], Vector] = {}
    ancestors = {unit_id: _path_ids(path) for unit_id, path in unit_paths.items()}
    for fact in facts:
        vector = _contribution(fact)
        for unit_id in ancestors[fact.unit_id]:
            key = (unit_id, fact.competence_id)
            total = totals.get(key)
            if total is None:
                totals[key] = list(vector)
            else:
                for i, value in enumerate(vector):
                    total[i] += value
    return totals


def _unit_paths(municipality_id: int) -> dict[int, str]:
    return dict(OrgUnit.objects.filter(municipality_id=municipality_id).values_list("id", "path"))


_suspended: ContextVar[bool] = ContextVar("gap_upkeep_suspended", default=False)


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """For bulk writers that call `rebuild` when they are done (the demo, the HR import): inside
    the block the entry points below do nothing, so thousands of small refreshes are not paid for
    and then thrown away. The caller must rebuild every municipality it touched."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


@transaction.atomic
def rebuild(municipality: Municipality | int) -> int:
    """Recompute every fact and aggregate of a municipality from scratch (bulk). Returns the
    number of facts. For the demo, a changed weight or source order, and repairs."""
    municipality_id = municipality if isinstance(municipality, int) else municipality.pk
    GapAggregate.objects.filter(municipality_id=municipality_id).delete()
    GapFact.objects.filter(municipality_id=municipality_id).delete()
    unit_paths = _unit_paths(municipality_id)
    employee_ids = list(
        Employee.objects.filter(municipality_id=municipality_id, active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    totals: dict[tuple[int, int], Vector] = {}
    count = 0
    for start in range(0, len(employee_ids), REBUILD_CHUNK):  # bounded memory at any size
        facts = compute_facts(municipality_id, employee_ids[start : start + REBUILD_CHUNK])
        GapFact.objects.bulk_create(
            (GapFact(municipality_id=municipality_id, **fact.__dict__) for fact in facts), batch_size=5000
        )
        for key, vector in aggregate(facts, unit_paths).items():
            total = totals.setdefault(key, [0] * len(COUNTERS))
            for i, value in enumerate(vector):
                total[i] += value
        count += len(facts)
    GapAggregate.objects.bulk_create(
        (
            GapAggregate(
                municipality_id=municipality_id,
                unit_id=unit_id,
                competence_id=competence_id,
                **dict(zip(COUNTERS, vector, strict=True)),
            )
            for (unit_id, competence_id), vector in totals.items()
        ),
        batch_size=5000,
    )
    return count


def _stored_facts(employee_ids: list[int]) -> dict[tuple[int, int], Fact]:
    return {
        (row["employee_id"], row["competence_id"]): Fact(**row)
        for row in GapFact.objects.filter(employee_id__in=employee_ids).values(*FACT_FIELDS)
    }


def _apply_deltas(municipality_id: int, deltas: dict[tuple[int, int], Vector]) -> None:
    deltas = {key: vector for key, vector in deltas.items() if any(vector)}
    if not deltas:
        return
    units = {unit_id for unit_id, _ in deltas}
    competences = {competence_id for _, competence_id in deltas}
    existing = {
        (row.unit_id, row.competence_id): row
        for row in GapAggregate.objects.filter(unit_id__in=units, competence_id__in=competences)
    }
    to_create, to_update, to_delete = [], [], []
    for key, vector in deltas.items():
        row = existing.get(key)
        if row is None:
            row = GapAggregate(municipality_id=municipality_id, unit_id=key[0], competence_id=key[1])
            to_create.append(row)
        elif row.pk is not None:
            to_update.append(row)
        for name, value in zip(COUNTERS, vector, strict=True):
            setattr(row, name, getattr(row, name) + value)
        if row.people == 0 and row.pk is not None:
            to_delete.append(row.pk)
    to_update = [row for row in to_update if row.pk not in set(to_delete)]
    to_create = [row for row in to_create if row.people != 0]
    if to_delete:
        GapAggregate.objects.filter(pk__in=to_delete).delete()
    if to_update:
        GapAggregate.objects.bulk_update(to_update, COUNTERS, batch_size=2000)
    if to_create:
        GapAggregate.objects.bulk_create(to_create, batch_size=2000)


def _add(
    deltas: dict[tuple[int, int], Vector], ancestors: dict[int, list[int]], fact: Fact, sign: int
) -> None:
    vector = _contribution(fact)
    for unit_id in ancestors[fact.unit_id]:
        delta = deltas[(unit_id, fact.competence_id)]
        for i, value in enumerate(vector):
            delta[i] += sign * value


def _refresh(employee_ids: Iterable[int]) -> None:
    """Recompute these employees' facts, write the difference, move the aggregates by it."""
    if _suspended.get():
        return
    employee_ids = sorted(set(employee_ids))
    for start in range(0, len(employee_ids), CHUNK):
        _refresh_chunk(employee_ids[start : start + CHUNK])


def _refresh_chunk(employee_ids: list[int]) -> None:
    by_municipality: dict[int, list[int]] = defaultdict(list)
    for pk, municipality_id in Employee.objects.filter(pk__in=employee_ids).values_list(
        "id", "municipality_id"
    ):
        by_municipality[municipality_id].append(pk)
    for municipality_id, ids in by_municipality.items():
        old = _stored_facts(ids)
        new = {(f.employee_id, f.competence_id): f for f in compute_facts(municipality_id, ids)}
        removed = [key for key in old if key not in new]
        changed = [fact for key, fact in new.items() if old.get(key) != fact]
        if not removed and not changed:
            continue
        unit_ids = {old[key].unit_id for key in removed} | {f.unit_id for f in changed}
        unit_ids |= {
            old[(f.employee_id, f.competence_id)].unit_id
            for f in changed
            if (f.employee_id, f.competence_id) in old
        }
        ancestors = {
            pk: _path_ids(path)
            for pk, path in OrgUnit.objects.filter(pk__in=unit_ids).values_list("id", "path")
        }
        deltas: dict[tuple[int, int], Vector] = defaultdict(lambda: [0] * len(COUNTERS))

        for key in removed:
            _add(deltas, ancestors, old[key], -1)
        for fact in changed:
            previous = old.get((fact.employee_id, fact.competence_id))
            if previous is not None:
                _add(deltas, ancestors, previous, -1)
            _add(deltas, ancestors, fact, +1)
        if removed:
            for employee_id in {key[0] for key in removed}:
                GapFact.objects.filter(
                    employee_id=employee_id, competence_id__in=[c for e, c in removed if e == employee_id]
                ).delete()
        stale = [fact for fact in changed if (fact.employee_id, fact.competence_id) in old]
        for employee_id in {f.employee_id for f in stale}:
            GapFact.objects.filter(
                employee_id=employee_id,
                competence_id__in=[f.competence_id for f in stale if f.employee_id == employee_id],
            ).delete()
        GapFact.objects.bulk_create(
            [GapFact(municipality_id=municipality_id, **fact.__dict__) for fact in changed], batch_size=5000
        )
        _apply_deltas(municipality_id, deltas)


# --- Entry points (see the table in the module docstring and docs/gaps.md) ----------------------


def employees_changed(employee_ids: Iterable[int]) -> None:
    """An employee was created, moved to another unit, given another job role, deactivated or
    reactivated. Call from organisation services after the write."""
    _refresh(employee_ids)


def current_levels_changed(changes: Iterable[tuple[int, int]] | Iterable[int]) -> None:
    """`CurrentLevel` rows changed: pass (employee id, competence id) pairs or employee ids.
    Call from `assessments.services.ratings_record` after it updated CurrentLevel."""
    ids = {item[0] if isinstance(item, tuple | list) else item for item in changes}
    _refresh(ids)


def individual_targets_changed(employee_ids: Iterable[int]) -> None:
    """Individual targets of these employees were set, changed or removed."""
    _refresh(employee_ids)


def profile_targets_changed(profile_ids: Iterable[int]) -> None:
    """Targets of these profiles changed, or a version was published or retired. Refreshes the
    people the profile's job role or unit (with its subtree) covers."""
    if _suspended.get():
        return
    from kapabel.competences.models import Profile

    employee_ids: set[int] = set()
    for profile in Profile.objects.filter(pk__in=list(profile_ids)).select_related("unit"):
        people = Employee.objects.filter(municipality_id=profile.municipality_id, active=True)
        if profile.kind == Profile.Kind.JOB_ROLE and profile.job_role_id:
            employee_ids |= set(people.filter(job_role_id=profile.job_role_id).values_list("id", flat=True))
        elif profile.kind == Profile.Kind.UNIT and profile.unit is not None:
            employee_ids |= set(
                people.filter(profile.unit.subtree_q("unit__path")).values_list("id", flat=True)
            )
    _refresh(employee_ids)


def unit_moved(unit: OrgUnit, old_path: str) -> None:
    """`unit` (already saved with its new path) moved from `old_path`. Shifts the subtree totals
    from the old ancestors to the new; when unit profiles exist, people below may get new targets
    (nearest unit profile), so they are refreshed as well."""
    if _suspended.get():
        return
    from kapabel.competences.models import Profile, Status

    old_ancestors = set(_path_ids(old_path)) - {unit.pk}
    new_ancestors = set(_path_ids(unit.path)) - {unit.pk}
    leaving, joining = old_ancestors - new_ancestors, new_ancestors - old_ancestors
    deltas: dict[tuple[int, int], Vector] = {}
    for row in GapAggregate.objects.filter(unit=unit):
        vector = [getattr(row, name) for name in COUNTERS]
        for unit_id in leaving:
            deltas[(unit_id, row.competence_id)] = [-v for v in vector]
        for unit_id in joining:
            deltas[(unit_id, row.competence_id)] = list(vector)
    _apply_deltas(unit.municipality_id, deltas)
    if Profile.objects.filter(
        municipality_id=unit.municipality_id, kind=Profile.Kind.UNIT, status=Status.PUBLISHED
    ).exists():
        _refresh(Employee.objects.filter(subtree_q(unit.path, "unit__path")).values_list("id", flat=True))


def verify(municipality: Municipality | int) -> list[str]:
    """Differences between the maintained tables and a recomputation from scratch (empty = equal)."""
    municipality_id = municipality if isinstance(municipality, int) else municipality.pk
    expected = {(f.employee_id, f.competence_id): f for f in compute_facts(municipality_id)}
    stored = {
        (row["employee_id"], row["competence_id"]): Fact(**row)
        for row in GapFact.objects.filter(municipality_id=municipality_id).values(*FACT_FIELDS)
    }
    problems = [
        f"fact {key}: stored {stored.get(key)} expected {expected.get(key)}"
        for key in set(expected) | set(stored)
        if expected.get(key) != stored.get(key)
    ]
    totals = aggregate(expected.values(), _unit_paths(municipality_id))
    kept = {
        (row[0], row[1]): list(row[2:])
        for row in GapAggregate.objects.filter(municipality_id=municipality_id).values_list(
            "unit_id", "competence_id", *COUNTERS
        )
    }
    problems += [
        f"aggregate {key}: stored {kept.get(key)} expected {totals.get(key)}"
        for key in set(totals) | set(kept)
        if totals.get(key) != kept.get(key)
    ]
    return sorted(problems)
