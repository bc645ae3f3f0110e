"""Aggregate upkeep: the only code that writes `GapFact`, `GapAggregate` and the tables derived
from them (`GapPriorityGroup`, `GapCampaignLevels`, `GapTrendAggregate`; see `snapshots`).

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
the aggregates of its unit and every ancestor (a path of 3–6 units). The same refresh recomputes the
people's levels in every campaign (from their ratings) and moves the priority groups and the trend
totals by the difference. A unit move shifts the moved subtree's totals from the old ancestors to
the new ones without touching people. `rebuild` recomputes everything in bulk (`gaps.rebuild`).

Concurrency: every write here reads stored rows, adds a difference and writes them back, so two
transactions doing it at once for one municipality could lose an update (READ COMMITTED lets both
read the same totals), insert the same new aggregate row twice, or update shared rows in opposite
orders and deadlock. Each entry point therefore first locks the municipality's row (`_lock`) inside
the caller's transaction, before it reads any maintained row, and holds it until that transaction
ends: the upkeep of one municipality runs one transaction at a time, and each sees what the previous
one committed. Other municipalities do not wait. On SQLite, where a write transaction already
excludes every other writer, the lock is a no-op.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import transaction

from kapabel.assessments.models import CurrentLevel
from kapabel.core import jobs
from kapabel.core.access import subtree_q
from kapabel.core.audit import Actor
from kapabel.core.audit.chain import lock_chains
from kapabel.core.models import Municipality
from kapabel.gaps import groups as priority_groups
from kapabel.gaps import rebuild as bulk
from kapabel.gaps import snapshots
from kapabel.gaps.definition import FACT_FIELDS, Fact, TargetContext, person_gaps
from kapabel.gaps.models import (
    GapAggregate,
    GapCampaignLevels,
    GapFact,
    GapPriorityGroup,
    GapTrendAggregate,
)
from kapabel.organisation.models import Employee, OrgUnit

CHUNK = 1000  # employees per refresh batch (keeps IN lists well below SQLite's limit)
COUNTERS = ("people", "known", "below", "gap_sum", "weighted_gap_sum")
AGGREGATE_KEY = ("unit_id", "competence_id")
GROUP_KEY = ("unit_id", "job_role_id", "competence_id")
TREND_KEY = ("campaign_a_id", "campaign_b_id", "unit_id", "competence_id")
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
        if employee_ids is not None:  # by the (employee, competence) index, not the municipality's
            current = CurrentLevel.objects.filter(employee_id__in=employee_ids, level__isnull=False)
        else:
            current = CurrentLevel.objects.filter(municipality_id=municipality_id, level__isnull=False)
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


def _lock(municipality_ids: Iterable[int]) -> None:
    """Take the upkeep lock of these municipalities for the rest of the current transaction (see
    the module docstring), in id order, so writers that touch several cannot deadlock on them.

    The lock is the municipality's own row, which always exists, so nothing is written for it.
    `no_key`: PostgreSQL's FOR NO KEY UPDATE waits only for another upkeep (or an update of the
    municipality itself), not for the many inserts whose foreign key points at the municipality
    (those take FOR KEY SHARE). Call inside a transaction; on PostgreSQL, outside one this raises.

    The writers that take it also audit, which locks the municipality's audit chain: that lock is
    taken first, so every writer meets the two in the same order (no deadlock)."""
    ids = sorted(set(municipality_ids))
    lock_chains(ids)
    list(
        Municipality.objects.select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def rebuild(municipality: Municipality | int, *, actor: Actor = None) -> int:
    """Recompute every fact, aggregate, priority group, campaign level and trend total of a
    municipality from scratch (set-based, `gaps.rebuild`); writes only what differs. Returns the
    number of facts. For the demo, the HR import, a changed weight or source order, and repairs.
    One transaction; on its own (not inside a caller's transaction) with a record of how it ended
    (`kapabel.core.jobs`)."""
    municipality_id = municipality if isinstance(municipality, int) else municipality.pk
    with jobs.long_write("gaps.rebuild", actor=actor, municipality=municipality_id) as run:
        _lock([municipality_id])
        return bulk.rebuild(municipality_id, progress=run.progress)


def _stored_facts(employee_ids: list[int]) -> dict[tuple[int, int], Fact]:
    return {
        (row["employee_id"], row["competence_id"]): Fact(**row)
        for row in GapFact.objects.filter(employee_id__in=employee_ids).values(*FACT_FIELDS)
    }


def _apply_deltas(
    municipality_id: int,
    deltas: dict[tuple[Any, ...], Vector],
    model: type[Any] = GapAggregate,
    key: tuple[str, ...] = AGGREGATE_KEY,
    counters: tuple[str, ...] = COUNTERS,
) -> None:
    """Add `deltas` (key -> counter changes) to a totals table; a row whose first counter (people)
    drops to 0 is deleted. A read-modify-write: the caller holds the municipality's upkeep lock
    (`_lock`), taken before it read anything it compares against."""
    deltas = {k: vector for k, vector in deltas.items() if any(vector)}
    if not deltas:
        return
    filters = {}
    for i, name in enumerate(key):
        values = {k[i] for k in deltas}
        if None not in values:  # NULL is not matched by IN; that column is compared below
            filters[f"{name}__in"] = sorted(values)
    existing = {  # found by the key's index (a unit belongs to one municipality)
        tuple(getattr(row, name) for name in key): row for row in model.objects.filter(**filters)
    }
    to_create, to_update, to_delete = [], [], []
    for k, vector in deltas.items():
        row = existing.get(k)
        if row is None:
            row = model(municipality_id=municipality_id, **dict(zip(key, k, strict=True)))
            to_create.append(row)
        elif row.pk is not None:
            to_update.append(row)
        for name, value in zip(counters, vector, strict=True):
            setattr(row, name, getattr(row, name) + value)
        if getattr(row, counters[0]) == 0 and row.pk is not None:
            to_delete.append(row.pk)
    deleted = set(to_delete)
    to_update = [row for row in to_update if row.pk not in deleted]
    to_create = [row for row in to_create if getattr(row, counters[0]) != 0]
    if to_delete:
        model.objects.filter(pk__in=to_delete).delete()
    if to_update:
        model.objects.bulk_update(to_update, counters, batch_size=2000)
    if to_create:
        model.objects.bulk_create(to_create, batch_size=2000)


def _add(
    deltas: dict[tuple[int, int], Vector], ancestors: dict[int, list[int]], fact: Fact, sign: int
) -> None:
    vector = _contribution(fact)
    for unit_id in ancestors[fact.unit_id]:
        delta = deltas[(unit_id, fact.competence_id)]
        for i, value in enumerate(vector):
            delta[i] += sign * value


@transaction.atomic(savepoint=False)  # the caller's transaction, or one of its own
def _refresh(employee_ids: Iterable[int]) -> None:
    """Recompute these employees' facts, write the difference, move the aggregates by it."""
    if _suspended.get():
        return
    employee_ids = sorted(set(employee_ids))
    by_municipality: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(employee_ids), CHUNK):
        for pk, municipality_id in Employee.objects.filter(
            pk__in=employee_ids[start : start + CHUNK]
        ).values_list("id", "municipality_id"):
            by_municipality[municipality_id].append(pk)
    if not by_municipality:
        return
    _lock(by_municipality)  # before the stored facts and totals are read
    for municipality_id, ids in sorted(by_municipality.items()):
        ids.sort()
        for start in range(0, len(ids), CHUNK):
            _refresh_chunk(municipality_id, ids[start : start + CHUNK])


def _refresh_chunk(municipality_id: int, ids: list[int]) -> None:
    old = _stored_facts(ids)
    new = {(f.employee_id, f.competence_id): f for f in compute_facts(municipality_id, ids)}
    _refresh_facts(municipality_id, old, new)
    _refresh_derived(municipality_id, ids, old, new)


def _refresh_facts(
    municipality_id: int, old: dict[tuple[int, int], Fact], new: dict[tuple[int, int], Fact]
) -> None:
    """Write the facts that differ and move the aggregates by the difference."""
    removed = [key for key in old if key not in new]
    changed = [fact for key, fact in new.items() if old.get(key) != fact]
    if not removed and not changed:
        return
    unit_ids = {old[key].unit_id for key in removed} | {f.unit_id for f in changed}
    unit_ids |= {
        old[(f.employee_id, f.competence_id)].unit_id
        for f in changed
        if (f.employee_id, f.competence_id) in old
    }
    ancestors = _ancestors(unit_ids)
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


def _ancestors(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    return {
        pk: _path_ids(path)
        for pk, path in OrgUnit.objects.filter(pk__in=list(unit_ids)).values_list("id", "path")
    }


def _by_employee(items: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for item in items:
        grouped[item[0]].append(item)
    return grouped


Key = TypeVar("Key", bound=tuple[Any, ...])


def _difference(new: Mapping[Key, list[int]], old: Mapping[Key, list[int]]) -> dict[Key, list[int]]:
    """Per key, new minus old."""
    delta = {key: list(vector) for key, vector in new.items()}
    for key, vector in old.items():
        total = delta.setdefault(key, [0] * len(vector))
        for i, value in enumerate(vector):
            total[i] -= value
    return delta


def _refresh_derived(
    municipality_id: int, ids: list[int], old: dict[tuple[int, int], Fact], new: dict[tuple[int, int], Fact]
) -> None:
    """The employees' priority groups, campaign levels and trend totals, moved by the difference."""
    # Priority groups: per unit (not subtree), from the facts below target.
    touched = {key[0] for key in set(old) ^ set(new)} | {
        key[0] for key, fact in new.items() if key in old and old[key] != fact
    }
    if touched:

        def groups(facts: dict[tuple[int, int], Fact]) -> priority_groups.GroupTotals:
            return priority_groups.group_contributions(
                (f.competence_id, f.unit_id, f.job_role_id, f.gap, f.weighted_gap)
                for key, f in facts.items()
                if key[0] in touched
            )

        _apply_deltas(
            municipality_id,
            _difference(groups(new), groups(old)),
            GapPriorityGroup,
            GROUP_KEY,
            priority_groups.GROUP_COUNTERS,
        )
    # Levels in every campaign, recomputed from the people's ratings for their current targets.
    targets: dict[int, set[int]] = {employee_id: set() for employee_id in ids}
    for employee_id, competence_id in new:
        targets[employee_id].add(competence_id)
    new_levels = snapshots.campaign_levels(municipality_id, targets)
    old_levels = snapshots.stored_levels(ids)
    new_by, old_by = _by_employee(new_levels), _by_employee(old_levels)
    relevel = {
        e
        for e in ids
        if {k: new_levels[k] for k in new_by.get(e, [])} != {k: old_levels[k] for k in old_by.get(e, [])}
    }
    if relevel:
        GapCampaignLevels.objects.filter(employee_id__in=sorted(relevel)).delete()
        GapCampaignLevels.objects.bulk_create(
            [
                GapCampaignLevels(
                    municipality_id=municipality_id,
                    employee_id=employee_id,
                    campaign_id=campaign_id,
                    levels={str(c): level for c, level in sorted(values.items())},
                )
                for (employee_id, campaign_id), values in new_levels.items()
                if employee_id in relevel
            ],
            batch_size=2000,
        )

    # Trend totals: of the people whose targets, units or levels changed.
    def trend_facts(facts: dict[tuple[int, int], Fact]) -> dict[int, list[tuple[Any, ...]]]:
        return _by_employee(
            (f.employee_id, f.competence_id, f.unit_id, f.target_level) for f in facts.values()
        )

    new_trend, old_trend = trend_facts(new), trend_facts(old)
    moved = relevel | {e for e in ids if sorted(new_trend.get(e, [])) != sorted(old_trend.get(e, []))}
    if not moved:
        return

    def totals(trend: dict[int, list[tuple[Any, ...]]], levels: snapshots.Levels) -> snapshots.TrendTotals:
        return snapshots.trend_contributions(
            [item for e in moved for item in trend.get(e, [])],
            {key: value for key, value in levels.items() if key[0] in moved},
        )

    direct = _difference(totals(new_trend, new_levels), totals(old_trend, old_levels))
    ancestors = _ancestors({key[2] for key in direct})
    _apply_deltas(
        municipality_id,
        snapshots.subtree_totals(direct, ancestors, unit_at=2),
        GapTrendAggregate,
        TREND_KEY,
        snapshots.TREND_COUNTERS,
    )


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


@transaction.atomic(savepoint=False)
def unit_moved(unit: OrgUnit, old_path: str) -> None:
    """`unit` (already saved with its new path) moved from `old_path`. Shifts the subtree totals
    from the old ancestors to the new; when unit profiles exist, people below may get new targets
    (nearest unit profile), so they are refreshed as well."""
    if _suspended.get():
        return
    from kapabel.competences.models import Profile, Status

    _lock([unit.municipality_id])  # before the moved unit's totals are read
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
    trend_deltas: dict[tuple[Any, ...], Vector] = {}
    for trend in GapTrendAggregate.objects.filter(unit=unit):
        vector = [getattr(trend, name) for name in snapshots.TREND_COUNTERS]
        pair = (trend.campaign_a_id, trend.campaign_b_id)
        for unit_id in leaving:
            trend_deltas[(*pair, unit_id, trend.competence_id)] = [-v for v in vector]
        for unit_id in joining:
            trend_deltas[(*pair, unit_id, trend.competence_id)] = list(vector)
    _apply_deltas(unit.municipality_id, trend_deltas, GapTrendAggregate, TREND_KEY, snapshots.TREND_COUNTERS)
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
    problems += _verify_derived(municipality_id, expected)
    return sorted(problems)


def _verify_derived(municipality_id: int, expected: dict[tuple[int, int], Fact]) -> list[str]:
    """The priority groups, campaign levels and trend totals against a recomputation."""

    def compare(name: str, want: dict[Any, Any], have: dict[Any, Any]) -> list[str]:
        return [
            f"{name} {key}: stored {have.get(key)} expected {want.get(key)}"
            for key in set(want) | set(have)
            if want.get(key) != have.get(key)
        ]

    groups = priority_groups.group_contributions(
        (f.competence_id, f.unit_id, f.job_role_id, f.gap, f.weighted_gap) for f in expected.values()
    )
    kept_groups: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
    for *key, people, gap_sum, weighted in GapPriorityGroup.objects.filter(
        municipality_id=municipality_id
    ).values_list(*GROUP_KEY, *priority_groups.GROUP_COUNTERS):
        total = kept_groups[tuple(key)]  # a duplicate row adds up (and then differs)
        total[0] += people
        total[1] += gap_sum
        total[2] += weighted
    problems = compare("priority group", groups, dict(kept_groups))
    targets: dict[int, set[int]] = defaultdict(set)
    for employee_id, competence_id in expected:
        targets[employee_id].add(competence_id)
    levels = snapshots.campaign_levels(municipality_id, targets)
    problems += compare("campaign levels", levels, snapshots.stored_levels(municipality_id=municipality_id))
    unit_paths = _unit_paths(municipality_id)
    trend = snapshots.subtree_totals(
        snapshots.trend_contributions(
            ((f.employee_id, f.competence_id, f.unit_id, f.target_level) for f in expected.values()), levels
        ),
        {unit_id: _path_ids(path) for unit_id, path in unit_paths.items()},
        unit_at=2,
    )
    kept_trend = {
        tuple(row[:4]): list(row[4:])
        for row in GapTrendAggregate.objects.filter(municipality_id=municipality_id).values_list(
            *TREND_KEY, *snapshots.TREND_COUNTERS
        )
    }
    problems += compare("trend", trend, kept_trend)
    return problems
