"""`upkeep.rebuild`: every maintained gap table of a municipality recomputed from scratch, set-based.

The per-person upkeep applies `definition.person_gaps` and `snapshots.campaign_levels` person by
person; at 50,000 people × 40 competences that is two million Python calls, and writing every row
again costs as much. Here the same definitions are applied to whole sets, 5,000 employees at a time
(bounded memory):

- each distinct target set (job-role profile × unit profiles on the path, or a person's own with
  individual targets) is resolved once by `TargetContext.targets_for` and written to a temporary
  table, with the chunk's people; the database computes the facts in one INSERT … SELECT joining
  them with `CurrentLevel` (targets that earlier competences map into get their level from NumPy,
  `person_gaps`' rule), and sums them per unit, job role and competence in one GROUP BY;
- the levels in campaigns and the trend totals are computed with NumPy from the chunk's ratings.

Only rows that differ from what is stored are written: a first build inserts everything, a rebuild
over unchanged data (an HR import that moved units) writes the totals that changed. New weights are
applied to the stored facts with one UPDATE first (a weight is a function of the importance).
`upkeep.verify` compares every table with the reference implementations (`upkeep.compute_facts`,
`snapshots.campaign_levels`); the tests run it after rebuilds of random data.
"""

from __future__ import annotations

import datetime
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, models

from kapabel.assessments.models import CurrentLevel, Rating
from kapabel.competences.models import Importance
from kapabel.core import jobs
from kapabel.gaps.definition import TargetContext
from kapabel.gaps.models import (
    GapAggregate,
    GapCampaignLevels,
    GapFact,
    GapPriorityGroup,
    GapTrendAggregate,
    TargetSource,
)
from kapabel.gaps.snapshots import level_order
from kapabel.organisation.models import Employee, OrgUnit

CHUNK = 5000  # employees per chunk: ~200,000 facts at 40 competences
ID_BATCH = 5000  # ids per DELETE … IN (…)
SQLITE_CACHE_KIB = -262144  # negative: KiB, i.e. 256 MB of page cache during a rebuild on SQLite
NONE = -1  # "no value" in the integer arrays (levels, gaps, weights are >= 0, ids >= 1)
NO_TIME = np.iinfo(np.int64).min
SOURCES = list(TargetSource.values)
IMPORTANCES = list(Importance.values)
FACT_COLUMNS = (
    "employee_id",
    "competence_id",
    "unit_id",
    "job_role_id",
    "target_level",
    "target_source",
    "importance",
    "weight",
    "level",
    "gap",
    "weighted_gap",
)
AGGREGATE_COUNTERS = ("people", "known", "below", "gap_sum", "weighted_gap_sum")
# Temporary tables of one rebuild (per database connection): the employees of the chunk with their
# target set, the target sets, the levels of targets others map into, the chunk's new facts.
EMPLOYEES, TARGETS, MAPPED, FACTS = (
    "gaps_rebuild_employee",
    "gaps_rebuild_target",
    "gaps_rebuild_mapped",
    "gaps_rebuild_fact",
)
TEMPORARY = {
    EMPLOYEES: "employee_id bigint, combo integer, unit_id bigint, job_role_id bigint",
    TARGETS: "combo integer, competence_id bigint, target_level integer, target_source varchar(20),"
    " importance varchar(20), weight integer, mapped integer",
    MAPPED: "employee_id bigint, competence_id bigint, level integer",
    FACTS: "employee_id bigint, competence_id bigint, unit_id bigint, job_role_id bigint,"
    " target_level integer, target_source varchar(20), importance varchar(20), weight integer,"
    " level integer, gap integer, weighted_gap integer",
}
Arrays = dict[str, np.ndarray]


def _ints(values: Iterable[Any], count: int = -1) -> np.ndarray:
    return np.fromiter(values, dtype=np.int64, count=count)


def _fetch(sql: str, params: Sequence[Any], width: int) -> np.ndarray:
    """An integer query result as an (n, width) array."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return np.empty((0, width), dtype=np.int64)
    return _ints(itertools.chain.from_iterable(rows), len(rows) * width).reshape(len(rows), width)


def _in(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def _case(column: str, values: Sequence[str]) -> str:
    """SQL mapping a text column to the position of its value in `values` (else -1)."""
    quoted = (value.replace("'", "''") for value in values)
    whens = " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(quoted))
    return f"CASE {column} {whens} ELSE -1 END"


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """values ∈ sorted_set, elementwise (no sort of `values`, unlike np.isin)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    position = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[position] == values


def _group_starts(*columns: np.ndarray) -> np.ndarray:
    """Start positions of the runs of equal rows in columns already sorted by them."""
    n = len(columns[0])
    if n == 0:
        return np.empty(0, dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for column in columns:
        change[1:] |= column[1:] != column[:-1]
    return np.flatnonzero(change)


def _reduce(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum `values` over equal rows of `keys` (both (n, k) arrays)."""
    if len(keys) == 0:
        return keys, values
    order = np.lexsort(keys.T[::-1])
    keys, values = keys[order], values[order]
    starts = _group_starts(*keys.T)
    return keys[starts], np.add.reduceat(values, starts, axis=0)


def _codes(new: Sequence[np.ndarray], old: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One int64 code per row for two sets of key columns, equal codes for equal keys."""
    code_new = np.zeros(len(new[0]), dtype=np.int64)
    code_old = np.zeros(len(old[0]), dtype=np.int64)
    span = 1
    for column_new, column_old in zip(new, old, strict=True):
        values, inverse = np.unique(np.concatenate([column_new, column_old]), return_inverse=True)
        radix = max(1, len(values))
        span *= radix
        if span >= 2**62:  # pragma: no cover - needs billions of distinct keys
            raise OverflowError("too many distinct keys")
        code_new = code_new * radix + inverse[: len(column_new)]
        code_old = code_old * radix + inverse[len(column_new) :]
    return code_new, code_old


def _match(code_new: np.ndarray, code_old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each new row: the index of the stored row with the same code (or -1), and whether found."""
    if not len(code_old):
        return np.full(len(code_new), -1, dtype=np.int64), np.zeros(len(code_new), dtype=bool)
    order = np.argsort(code_old, kind="stable")
    sorted_old = code_old[order]
    position = np.minimum(np.searchsorted(sorted_old, code_new), len(sorted_old) - 1)
    found = sorted_old[position] == code_new
    return np.where(found, order[position], -1), found


def _nullable(values: np.ndarray) -> list[Any]:
    """Integers with NONE as None, as Python values for the database."""
    result: list[Any] = values.tolist()
    if (values == NONE).any():
        result = [None if v == NONE else v for v in result]
    return result


def _execute_many(sql: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _delete_ids(model: type[models.Model], ids: Sequence[int]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(ids), ID_BATCH):
            batch = list(ids[start : start + ID_BATCH])
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({_in(batch)})", batch)  # noqa: S608


def _insert_sql(model: type[models.Model], columns: Sequence[str]) -> str:
    placeholders = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608


# --- What the whole municipality shares ---------------------------------------------------------


@dataclass
class Plan:
    """Everything loaded once per rebuild: targets, units, source order, equivalent competences."""

    municipality_id: int
    context: TargetContext
    unit_paths: dict[int, str]
    order: list[str]
    rated: dict[int, list[int]] = field(default_factory=dict)  # rated competence -> its targets
    nontrivial: dict[int, list[int]] = field(default_factory=dict)  # target -> candidates, if > 1
    combos: dict[Any, Arrays] = field(default_factory=dict)
    chains: dict[int, tuple[int, ...]] = field(default_factory=dict)
    numbers: dict[Any, int] = field(default_factory=dict)  # target set key -> its number

    @classmethod
    def load(cls, municipality_id: int) -> Plan:
        context = TargetContext(municipality_id)
        unit_paths = dict(OrgUnit.objects.filter(municipality_id=municipality_id).values_list("id", "path"))
        plan = cls(municipality_id, context, unit_paths, level_order(municipality_id))
        for target, group in context.equivalents.items():
            for competence_id in group:
                plan.rated.setdefault(competence_id, []).append(target)
            if len(group) > 1:
                plan.nontrivial[target] = group
        return plan

    def unit_chain(self, unit_id: int) -> tuple[int, ...]:
        """The unit profiles on the unit's path, nearest first (what `targets_for` layers)."""
        chain = self.chains.get(unit_id)
        if chain is None:
            ids = [int(part) for part in self.unit_paths[unit_id].strip("/").split("/") if part]
            chain = tuple(
                self.context.unit_profile[u] for u in reversed(ids) if u in self.context.unit_profile
            )
            self.chains[unit_id] = chain
        return chain

    def targets(self, employee_id: int, job_role_id: int | None, unit_id: int) -> tuple[int, Arrays]:
        """The person's target set: its number and its arrays (competence, level, source,
        importance, weight), shared by everyone with the same job-role profile and unit profiles and
        no individual target. A new set is written to the temporary target table."""
        if employee_id in self.context.individual:
            key: Any = ("employee", employee_id)
        else:
            key = (self.context.role_profile.get(job_role_id or 0), self.unit_chain(unit_id))
        found = self.combos.get(key)
        if found is None:
            targets = sorted(
                self.context.targets_for(employee_id, job_role_id, self.unit_paths[unit_id]).items()
            )
            found = {
                "competence": _ints((c for c, _ in targets), len(targets)),
                "target": _ints((t.level for _, t in targets), len(targets)),
                "source": _ints((SOURCES.index(t.source) for _, t in targets), len(targets)),
                "importance": _ints((IMPORTANCES.index(t.importance) for _, t in targets), len(targets)),
                "weight": _ints(
                    (self.context.weights.get(t.importance, 1) for _, t in targets), len(targets)
                ),
            }
            self.combos[key] = found
            self.numbers[key] = number = len(self.numbers)
            self._write_targets(number, found)
        return self.numbers[key], found

    def _write_targets(self, number: int, targets: Arrays) -> None:
        mapped = np.isin(targets["competence"], list(self.nontrivial)).astype(np.int64)
        rows = list(
            zip(
                [number] * len(targets["competence"]),
                targets["competence"].tolist(),
                targets["target"].tolist(),
                [SOURCES[i] for i in targets["source"].tolist()],
                [IMPORTANCES[i] for i in targets["importance"].tolist()],
                targets["weight"].tolist(),
                mapped.tolist(),
                strict=True,
            )
        )
        _execute_many(f"INSERT INTO {TARGETS} VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)  # noqa: S608


# --- One chunk of employees -------------------------------------------------------------------


def _facts(plan: Plan, employees: np.ndarray) -> Arrays:
    """The facts of active employees (id, unit, job role or NONE) without their levels, sorted by
    employee and competence; the employees go to the temporary employee table with their target set."""
    groups: dict[int, list[int]] = defaultdict(list)
    targets: dict[int, Arrays] = {}
    rows = []
    for i, (employee_id, unit_id, job_role_id) in enumerate(employees.tolist()):
        role = None if job_role_id == NONE else job_role_id
        number, targets[number] = plan.targets(employee_id, role, unit_id)
        groups[number].append(i)
        rows.append((employee_id, number, unit_id, role))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {EMPLOYEES}")  # noqa: S608
    _execute_many(f"INSERT INTO {EMPLOYEES} VALUES (%s, %s, %s, %s)", rows)  # noqa: S608
    parts: dict[str, list[np.ndarray]] = defaultdict(list)
    for key, members in groups.items():
        found, member_array = targets[key], np.array(members, dtype=np.int64)
        width = len(found["competence"])
        if width == 0:
            continue
        for name, column in zip(("employee", "unit", "job_role"), employees[member_array].T, strict=True):
            parts[name].append(np.repeat(column, width))
        for name, values in found.items():
            parts[name].append(np.tile(values, len(members)))
    names = ("employee", "unit", "job_role", "competence", "target", "source", "importance", "weight")
    facts = {
        name: np.concatenate(parts[name]) if parts[name] else np.empty(0, dtype=np.int64) for name in names
    }
    order = np.lexsort((facts["competence"], facts["employee"]))
    return {name: values[order] for name, values in facts.items()}


def _microseconds(value: datetime.datetime | None) -> int:
    if value is None:
        return int(NO_TIME)
    return (value - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)) // datetime.timedelta(microseconds=1)


def _write_mapped_levels(plan: Plan, facts: Arrays, employee_ids: list[int]) -> None:
    """The current level of facts whose target others map into (`person_gaps`' rule, in NumPy), to
    the temporary table the facts are joined with; the other facts join `CurrentLevel` directly."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MAPPED}")  # noqa: S608
    if not plan.nontrivial or not len(facts["employee"]):
        return
    where = np.flatnonzero(np.isin(facts["competence"], list(plan.nontrivial)))
    if not len(where):
        return
    level = np.full(len(facts["employee"]), NONE, dtype=np.int64)
    _mapped_levels(plan, facts, employee_ids, level)
    known = where[level[where] != NONE]
    rows = list(
        zip(
            facts["employee"][known].tolist(),
            facts["competence"][known].tolist(),
            level[known].tolist(),
            strict=True,
        )
    )
    _execute_many(f"INSERT INTO {MAPPED} VALUES (%s, %s, %s)", rows)  # noqa: S608


def _mapped_levels(plan: Plan, facts: Arrays, employee_ids: list[int], level: np.ndarray) -> None:
    """Targets that earlier competences map into: of the candidates with a level, the one rated
    last (the first in id order when times tie or are missing), as `person_gaps` picks it."""
    candidates = sorted({c for group in plan.nontrivial.values() for c in group})
    rows = CurrentLevel.objects.filter(
        employee_id__in=employee_ids, competence_id__in=candidates, level__isnull=False
    ).values_list("employee_id", "competence_id", "level", "rated_at")
    found: dict[tuple[int, int], tuple[int, int]] = {
        (e, c): (lv or 0, _microseconds(at)) for e, c, lv, at in rows.iterator(chunk_size=20000)
    }  # (levels are not NULL here)
    employees, competences = facts["employee"], facts["competence"]
    for target, group in plan.nontrivial.items():
        where = np.flatnonzero(competences == target)
        if not len(where):
            continue
        people = employees[where].tolist()
        chosen = np.full(len(where), NONE, dtype=np.int64)
        latest = np.full(len(where), NO_TIME, dtype=np.int64)
        for candidate in group:  # in id order, as person_gaps walks them
            values = [found.get((e, candidate)) for e in people]
            has = np.array([v is not None for v in values], dtype=bool)
            lv = np.array([v[0] if v else NONE for v in values], dtype=np.int64)
            at = np.array([v[1] if v else NO_TIME for v in values], dtype=np.int64)
            take = has & ((chosen == NONE) | ((at != NO_TIME) & ((latest == NO_TIME) | (at > latest))))
            chosen[take], latest[take] = lv[take], at[take]
        level[where] = chosen


def _campaign_levels(plan: Plan, facts: Arrays, employee_ids: list[int]) -> Arrays:
    """Each fact's level in each campaign (`snapshots.campaign_levels`), known levels only, sorted
    by employee, campaign, competence."""
    empty = {name: np.empty(0, dtype=np.int64) for name in ("employee", "campaign", "competence", "level")}
    sources = [s for s in plan.order if s]
    if not len(facts["employee"]) or not plan.rated or not sources:
        return empty
    table = Rating._meta.db_table
    ratings = _fetch(
        f"SELECT id, campaign_id, employee_id, competence_id, {_case('source', sources)},"  # noqa: S608
        f" COALESCE(level, {NONE}) FROM {table} WHERE employee_id IN ({_in(employee_ids)})"
        # The unary + keeps SQLite from choosing an index on these columns (without statistics it
        # would scan every unsuperseded rating of the database for each chunk) over the employee's.
        " AND +campaign_id IS NOT NULL AND +unit_id IS NULL AND +superseded_by_id IS NULL",
        employee_ids,
        6,
    )
    ratings = ratings[ratings[:, 4] >= 0]  # a source outside the order never counts
    if not len(ratings):
        return empty
    # A rating counts for every target its competence is (or maps into).
    rated = np.array(sorted(plan.rated), dtype=np.int64)
    ratings = ratings[_member(ratings[:, 3], rated)]
    counts = np.array([len(plan.rated[c]) for c in rated.tolist()], dtype=np.int64)
    flat_targets = _ints(t for c in rated.tolist() for t in plan.rated[c])
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    index = np.searchsorted(rated, ratings[:, 3])
    repeat = counts[index]
    row = np.repeat(np.arange(len(ratings)), repeat)
    within = np.arange(len(row)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    target = flat_targets[offsets[index[row]] + within]
    rating_id, campaign, employee, source, level = (ratings[row, i] for i in (0, 1, 2, 4, 5))
    # Only the person's own target competences (the facts are sorted by employee, competence).
    keep = _member((employee << 32) | target, (facts["employee"] << 32) | facts["competence"])
    rating_id, campaign, employee, target, source, level = (
        a[keep] for a in (rating_id, campaign, employee, target, source, level)
    )
    if not len(employee):
        return empty
    # Latest per employee, campaign, target, source: by (rated_at, id); rated_at is only read for
    # the few groups with more than one rating.
    order = np.lexsort((rating_id, source, target, campaign, employee))
    rating_id, campaign, employee, target, source, level = (
        a[order] for a in (rating_id, campaign, employee, target, source, level)
    )
    starts = _group_starts(employee, campaign, target, source)
    ends = np.append(starts[1:], len(employee))
    pick = ends - 1  # the highest id of each group
    crowded = np.flatnonzero(ends - starts > 1)
    if len(crowded):
        members = np.concatenate([np.arange(starts[g], ends[g]) for g in crowded]).tolist()
        times: dict[int, Any] = {}
        for begin in range(0, len(members), ID_BATCH):
            batch = rating_id[members[begin : begin + ID_BATCH]].tolist()
            times.update(Rating.objects.filter(pk__in=batch).values_list("id", "rated_at"))
        for g in crowded.tolist():
            span = range(starts[g], ends[g])
            pick[g] = max(span, key=lambda i: (times[int(rating_id[i])], int(rating_id[i])))
    campaign, employee, target, source, level = (a[pick] for a in (campaign, employee, target, source, level))
    # First source in the order whose latest rating has a level.
    known = level != NONE
    campaign, employee, target, source, level = (
        a[known] for a in (campaign, employee, target, source, level)
    )
    order = np.lexsort((source, target, campaign, employee))
    campaign, employee, target, level = (a[order] for a in (campaign, employee, target, level))
    first = _group_starts(employee, campaign, target)
    return {
        "employee": employee[first],
        "campaign": campaign[first],
        "competence": target[first],
        "level": level[first],
    }


# --- Totals ---------------------------------------------------------------------------------


@dataclass
class Totals:
    """Per-chunk sums of one table, reduced at the end."""

    width: int
    keys: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        if len(keys):
            keys, values = _reduce(keys, values)
            self.keys.append(keys)
            self.values.append(values)

    def result(self, key_width: int) -> tuple[np.ndarray, np.ndarray]:
        if not self.keys:
            return np.empty((0, key_width), dtype=np.int64), np.empty((0, self.width), dtype=np.int64)
        return _reduce(np.concatenate(self.keys), np.concatenate(self.values))


Pair = tuple[np.ndarray, np.ndarray]


def _chunk_totals(employee_ids: list[int]) -> tuple[Pair, Pair]:
    """The chunk's facts summed per unit and competence (heatmap) and per unit, job role and
    competence below target (priority groups), from one GROUP BY in the database."""
    rows = _fetch(
        f"SELECT unit_id, COALESCE(job_role_id, {NONE}), competence_id, COUNT(*), COUNT(level),"  # noqa: S608
        " SUM(CASE WHEN gap > 0 THEN 1 ELSE 0 END), COALESCE(SUM(gap), 0), COALESCE(SUM(weighted_gap), 0)"
        f" FROM {GapFact._meta.db_table} WHERE employee_id IN ({_in(employee_ids)})"
        " GROUP BY unit_id, job_role_id, competence_id",
        employee_ids,
        8,
    )
    below = rows[:, 5] > 0  # people below target; their gap and weighted gap sums are the row's
    return (
        (rows[:, [0, 2]], rows[:, 3:]),
        (rows[below][:, :3], rows[below][:, [5, 6, 7]]),
    )


def _trend_rows(facts: Arrays, levels: Arrays) -> tuple[np.ndarray, np.ndarray]:
    """Per unit and pair of campaigns (a <= b): people with a level in both, gap sums."""
    if not len(levels["employee"]):
        return np.empty((0, 4), dtype=np.int64), np.empty((0, 3), dtype=np.int64)
    order = np.lexsort((levels["campaign"], levels["competence"], levels["employee"]))
    employee, competence, campaign, level = (
        levels[name][order] for name in ("employee", "competence", "campaign", "level")
    )
    fact_code = (facts["employee"] << 32) | facts["competence"]
    position = np.searchsorted(fact_code, (employee << 32) | competence)  # every level has its fact
    target, unit = facts["target"][position], facts["unit"][position]
    gap = np.maximum(0, target - level)
    group = np.zeros(len(employee), dtype=np.int64)
    group[_group_starts(employee, competence)] = 1
    group = np.cumsum(group)
    keys, values = [], []
    for distance in range(len(employee)):
        first = np.arange(len(employee) - distance)
        second = first + distance
        same = group[first] == group[second]
        if not same.any():
            break
        first, second = first[same], second[same]
        keys.append(np.column_stack([campaign[first], campaign[second], unit[first], competence[first]]))
        values.append(np.column_stack([np.ones(len(first), dtype=np.int64), gap[first], gap[second]]))
    return np.concatenate(keys), np.concatenate(values)


def _subtree(plan: Plan, keys: np.ndarray, values: np.ndarray, unit_at: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit totals added to the unit and every ancestor."""
    if not len(keys):
        return keys, values
    units = sorted(plan.unit_paths)
    path_ids = {u: [int(p) for p in plan.unit_paths[u].strip("/").split("/") if p] for u in units}
    unit_array = np.array(units, dtype=np.int64)
    counts = np.array([len(path_ids[u]) for u in units], dtype=np.int64)
    flat = _ints(a for u in units for a in path_ids[u])
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    index = np.searchsorted(unit_array, keys[:, unit_at])
    repeat = counts[index]
    row = np.repeat(np.arange(len(keys)), repeat)
    within = np.arange(len(row)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    rolled = keys[row].copy()
    rolled[:, unit_at] = flat[offsets[index[row]] + within]
    return _reduce(rolled, values[row])


def _sync(
    model: type[models.Model],
    municipality_id: int,
    key_columns: Sequence[str],
    counters: Sequence[str],
    keys: np.ndarray,
    values: np.ndarray,
    null_key: str | None = None,
) -> None:
    """Make the municipality's rows of a totals table equal (keys, values): update, insert, delete
    only what differs. `null_key`: a key column stored as NULL where the arrays hold NONE."""
    table = model._meta.db_table
    selected = ", ".join(
        [f"COALESCE({c}, {NONE})" if c == null_key else c for c in key_columns] + list(counters)
    )
    stored = _fetch(
        f"SELECT id, {selected} FROM {table} WHERE municipality_id = %s",  # noqa: S608
        [municipality_id],
        1 + len(key_columns) + len(counters),
    )
    width = len(key_columns)
    code_new, code_old = _codes(list(keys.T), list(stored[:, 1 : 1 + width].T))
    match, found = _match(code_new, code_old)
    stored_values = stored[:, 1 + width :]
    changed = found & np.any(values != stored_values[np.maximum(match, 0)], axis=1) if len(stored) else found
    keep = np.zeros(len(stored), dtype=bool)
    keep[match[found]] = True
    _delete_ids(model, stored[~keep, 0].tolist())
    if changed.any():
        assignments = ", ".join(f"{c} = %s" for c in counters)
        rows = [
            (*v, i) for v, i in zip(values[changed].tolist(), stored[match[changed], 0].tolist(), strict=True)
        ]
        _execute_many(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)  # noqa: S608
    new = ~found
    if new.any():
        columns = ["municipality_id", *key_columns, *counters]
        key_values = [
            _nullable(column) if name == null_key else column.tolist()
            for name, column in zip(key_columns, keys[new].T, strict=True)
        ]
        rows = list(
            zip([municipality_id] * int(new.sum()), *key_values, *values[new].T.tolist(), strict=True)
        )
        _execute_many(_insert_sql(model, columns), rows)


# --- Writing a chunk ------------------------------------------------------------------------


_NEW_FACTS = f"""
    SELECT employee_id, competence_id, unit_id, job_role_id, target_level, target_source, importance,
        weight, level,
        CASE WHEN level IS NULL THEN NULL WHEN target_level > level THEN target_level - level ELSE 0 END
            AS gap,
        CASE WHEN level IS NULL THEN NULL WHEN target_level > level THEN (target_level - level) * weight
            ELSE 0 END AS weighted_gap
    FROM (
        SELECT e.employee_id, t.competence_id, e.unit_id, e.job_role_id, t.target_level, t.target_source,
            t.importance, t.weight, CASE WHEN t.mapped = 1 THEN m.level ELSE c.level END AS level
        FROM {EMPLOYEES} e
        JOIN {TARGETS} t ON t.combo = e.combo
        LEFT JOIN {CurrentLevel._meta.db_table} c ON t.mapped = 0 AND c.employee_id = e.employee_id
            AND c.competence_id = t.competence_id AND c.level IS NOT NULL
        LEFT JOIN {MAPPED} m ON t.mapped = 1 AND m.employee_id = e.employee_id
            AND m.competence_id = t.competence_id
    ) x
"""  # noqa: S608 - table names only


def _write_facts(municipality_id: int, employee_ids: list[int]) -> None:
    """Make the chunk's `GapFact` rows equal the facts the temporary tables give, in SQL: a chunk
    with no facts yet gets them in one INSERT … SELECT; otherwise the rows that differ in any column
    are deleted and the missing ones inserted."""
    table, columns = GapFact._meta.db_table, ", ".join(FACT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE employee_id IN ({_in(employee_ids)}) LIMIT 1",  # noqa: S608
            employee_ids,
        )
        if cursor.fetchone() is None:
            cursor.execute(
                f"INSERT INTO {table} (municipality_id, {columns}) SELECT %s, x.* FROM ({_NEW_FACTS}) x",  # noqa: S608
                [municipality_id],
            )
            return
        cursor.execute(f"DELETE FROM {FACTS}")  # noqa: S608
        cursor.execute(f"INSERT INTO {FACTS} ({columns}) {_NEW_FACTS}")  # noqa: S608
        same = " AND ".join(
            f"COALESCE(t.{c}, {NONE}) = COALESCE({table}.{c}, {NONE})"
            if c in ("job_role_id", "level", "gap", "weighted_gap")
            else f"t.{c} = {table}.{c}"
            for c in FACT_COLUMNS
        )
        cursor.execute(
            f"DELETE FROM {table} WHERE employee_id IN ({_in(employee_ids)})"  # noqa: S608
            f" AND NOT EXISTS (SELECT 1 FROM {FACTS} t WHERE {same})",
            employee_ids,
        )
        cursor.execute(
            f"INSERT INTO {table} (municipality_id, {columns}) SELECT %s, {columns} FROM {FACTS} t"  # noqa: S608
            f" WHERE NOT EXISTS (SELECT 1 FROM {table} f WHERE f.employee_id = t.employee_id"
            " AND f.competence_id = t.competence_id)",
            [municipality_id],
        )


def _sync_campaign_levels(municipality_id: int, levels: Arrays, employee_ids: list[int]) -> None:
    """Make the chunk's `GapCampaignLevels` rows equal the computed levels. The JSON is written as
    text, in the form `json.dumps` gives a dict with the competences in order (as the upkeep
    writes it), so on SQLite an unchanged row is recognised by its text."""
    order = np.lexsort((levels["competence"], levels["campaign"], levels["employee"]))
    employee, campaign, competence, level = (
        levels[name][order] for name in ("employee", "campaign", "competence", "level")
    )
    starts = _group_starts(employee, campaign).tolist()
    ends = [*starts[1:], len(employee)] if starts else []
    pairs = [f'"{c}": {v}' for c, v in zip(competence.tolist(), level.tolist(), strict=True)]
    computed = {
        key: "{" + ", ".join(pairs[s:e]) + "}"
        for key, s, e in zip(
            zip(employee[starts].tolist(), campaign[starts].tolist(), strict=True), starts, ends, strict=True
        )
    }
    table = GapCampaignLevels._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, employee_id, campaign_id, levels FROM {table}"  # noqa: S608
            f" WHERE employee_id IN ({_in(employee_ids)})",
            employee_ids,
        )
        stored = cursor.fetchall()
    stale = []
    for pk, employee_id, campaign_id, stored_levels in stored:
        text = computed.get((employee_id, campaign_id))
        if text is not None and (
            text == stored_levels
            or (not isinstance(stored_levels, str) and json.loads(text) == stored_levels)  # jsonb
        ):
            del computed[(employee_id, campaign_id)]
        else:
            stale.append(pk)
    _delete_ids(GapCampaignLevels, stale)
    columns = ["municipality_id", "employee_id", "campaign_id", "levels"]
    rows = [(municipality_id, e, c, text) for (e, c), text in computed.items()]
    _execute_many(_insert_sql(GapCampaignLevels, columns), rows)


def _apply_weights(plan: Plan, employee_ids: list[int]) -> None:
    """A weight is a function of the importance: bring the stored facts to the current weights in
    one statement, so new weights do not make every fact differ (and be deleted and written again)."""
    case = (
        "CASE importance "
        + " ".join(f"WHEN '{k}' THEN {int(v)}" for k, v in plan.context.weights.items())
        + " ELSE 1 END"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {GapFact._meta.db_table} SET weight = {case}, weighted_gap = gap * {case}"  # noqa: S608
            f" WHERE employee_id IN ({_in(employee_ids)}) AND weight <> {case}",
            employee_ids,
        )


def rebuild(municipality_id: int) -> int:
    """Recompute every maintained table of the municipality; returns the number of facts. Call in
    a transaction (`upkeep.rebuild` does)."""
    with connection.cursor() as cursor:
        for name, columns in TEMPORARY.items():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
        cursor.execute(f"CREATE INDEX {FACTS}_key ON {FACTS} (employee_id, competence_id)")
        cache = None
        if connection.vendor == "sqlite":
            # Millions of index entries are written in no particular order: with SQLite's default
            # page cache (2 MB) most of them cost a page read and write; for the rebuild, 256 MB.
            cursor.execute("PRAGMA cache_size")
            cache = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
    try:
        return _rebuild(municipality_id)
    finally:
        with connection.cursor() as cursor:
            for name in TEMPORARY:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
            if cache is not None:
                cursor.execute(f"PRAGMA cache_size = {int(cache)}")


def _rebuild(municipality_id: int) -> int:
    plan = Plan.load(municipality_id)
    employees = _fetch(
        f"SELECT id, unit_id, COALESCE(job_role_id, {NONE}), CASE WHEN active THEN 1 ELSE 0 END"  # noqa: S608
        f" FROM {Employee._meta.db_table} WHERE municipality_id = %s ORDER BY id",
        [municipality_id],
        4,
    )
    aggregates, groups, trends = Totals(5), Totals(3), Totals(3)
    count = 0
    for start in range(0, len(employees), CHUNK):
        chunk = employees[start : start + CHUNK]
        ids = chunk[:, 0].tolist()
        active = chunk[chunk[:, 3] == 1]
        _apply_weights(plan, ids)
        facts = _facts(plan, active[:, :3])
        _write_mapped_levels(plan, facts, active[:, 0].tolist())
        _write_facts(municipality_id, ids)
        jobs.checkpoint("gaps.rebuild", "facts")
        levels = _campaign_levels(plan, facts, active[:, 0].tolist())
        _sync_campaign_levels(municipality_id, levels, ids)
        chunk_aggregates, chunk_groups = _chunk_totals(ids)
        aggregates.add(*chunk_aggregates)
        groups.add(*chunk_groups)
        trends.add(*_trend_rows(facts, levels))
        count += len(facts["employee"])
    _sync(
        GapAggregate,
        municipality_id,
        ("unit_id", "competence_id"),
        AGGREGATE_COUNTERS,
        *_subtree(plan, *aggregates.result(2), unit_at=0),
    )
    _sync(
        GapPriorityGroup,
        municipality_id,
        ("unit_id", "job_role_id", "competence_id"),
        ("people", "gap_sum", "weighted_gap_sum"),
        *groups.result(3),
        null_key="job_role_id",
    )
    _sync(
        GapTrendAggregate,
        municipality_id,
        ("campaign_a_id", "campaign_b_id", "unit_id", "competence_id"),
        ("people", "gap_a_sum", "gap_b_sum"),
        *_subtree(plan, *trends.result(4), unit_at=2),
    )
    return count
