"""`GapFact` in bulk: one chunk of employees at a time.

The facts are computed in NumPy (`person_gaps`' rules on whole arrays): each person's target set
(resolved once per distinct set, `Plan.target_set`) repeated per person, with the current level from
`CurrentLevel` (for targets that earlier competences map into, the candidate rated last). They are
compared with the stored facts, read packed (`bulk.read`); only the people whose facts differ in any
column are written again: their rows deleted, and their new rows inserted by one INSERT … SELECT
that joins temporary tables (the people with their target set; the target sets; the levels of
mapped targets) with `CurrentLevel`, so no fact row passes through Python. A first build inserts
everything that way; a rebuild over unchanged data writes nothing. New weights are brought to the
stored facts with one UPDATE first (a weight is a function of the importance), so they do not make
every row differ.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import numpy as np

from kapabel.assessments.models import CurrentLevel
from kapabel.gaps.models import GapFact
from kapabel.gaps.rebuild import bulk, pgcopy
from kapabel.gaps.rebuild.arrays import NO_TIME, NONE, Arrays, distinct, member, pair_codes
from kapabel.gaps.rebuild.plan import IMPORTANCES, SOURCES, Plan

# Temporary tables (per database connection): the people whose facts are written, with their target
# set; the target sets; the levels of targets that others map into.
EMPLOYEES, TARGETS, MAPPED = "gaps_rebuild_employee", "gaps_rebuild_target", "gaps_rebuild_mapped"
TEMPORARY = {
    EMPLOYEES: "employee_id bigint, combo integer, unit_id bigint, job_role_id bigint",
    TARGETS: "combo integer, competence_id bigint, target_level integer, target_source varchar(20),"
    " importance varchar(20), weight integer, mapped integer",
    MAPPED: "employee_id bigint, competence_id bigint, level integer",
}
TEMPORARY_INDEXES = {TARGETS: "combo, competence_id", MAPPED: "employee_id, competence_id"}
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
TABLE = GapFact._meta.db_table
BULK_LOAD_FACTS = 100_000  # facts to insert at least, for `bulk_load` to drop an index


def _case(column: str, values: list[str]) -> str:
    """SQL: the position of a text column's value in `values`, else -2 (not NONE: that is NULL)."""
    quoted = (value.replace("'", "''") for value in values)
    return f"CASE {column} " + " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(quoted)) + " ELSE -2 END"


@dataclass
class Chunk:
    """Employees with consecutive ids (id, unit, job role or NONE, active 0/1, target set number or
    NONE), sorted by id."""

    rows: np.ndarray

    @property
    def ids(self) -> np.ndarray:
        return self.rows[:, 0]

    @property
    def active(self) -> np.ndarray:
        return self.rows[self.rows[:, 3] == 1]

    @property
    def numbers(self) -> np.ndarray:
        return self.active[:, 4]

    @property
    def bounds(self) -> list[int]:
        return [int(self.rows[0, 0]), int(self.rows[-1, 0])]


def compute(plan: Plan, chunk: Chunk) -> Arrays:
    """The chunk's facts, sorted by employee and competence: employee, unit, job_role (NONE),
    competence, target, source, importance (codes), weight, level, gap, weighted (NONE: unknown)."""
    active = chunk.active
    used, local = np.unique(chunk.numbers, return_inverse=True)
    sets = [plan.targets_by_number[n] for n in used.tolist()]
    widths = np.array([len(s["competence"]) for s in sets], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
    repeat = widths[local] if len(local) else np.empty(0, dtype=np.int64)
    row = np.repeat(np.arange(len(active)), repeat)
    within = np.arange(len(row)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    at = offsets[local[row]] + within if len(row) else row
    facts = {"employee": active[row, 0], "unit": active[row, 1], "job_role": active[row, 2]}
    for name in ("competence", "target", "source", "importance", "weight"):
        flat = np.concatenate([s[name] for s in sets]) if sets else np.empty(0, dtype=np.int64)
        facts[name] = flat[at]
    facts["level"] = _levels(plan, chunk, facts)
    known = facts["level"] != NONE
    facts["gap"] = np.where(known, np.maximum(0, facts["target"] - facts["level"]), NONE)
    facts["weighted"] = np.where(known, facts["gap"] * facts["weight"], NONE)
    return facts


def target_sets(plan: Plan, active: np.ndarray) -> np.ndarray:
    """The number of each active employee's target set: looked up once per (job role, unit), and
    per person with individual targets."""
    numbers = np.empty(len(active), dtype=np.int64)
    if not len(active):
        return numbers
    pair = pair_codes((active[:, 2] - NONE, active[:, 1]))[0]  # (job role or NONE, unit)
    _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    shared = [
        plan.target_set(0, None if r == NONE else r, u) for u, r in active[first][:, 1:3].tolist()
    ]  # (employee 0: nobody, so no individual targets)
    numbers[:] = np.array(shared, dtype=np.int64)[inverse.ravel()]
    individual = np.flatnonzero(
        member(active[:, 0], np.array(sorted(plan.context.individual), dtype=np.int64))
    )
    for i in individual.tolist():
        e, u, r = active[i, :3].tolist()
        numbers[i] = plan.target_set(e, None if r == NONE else r, u)
    return numbers


def _levels(plan: Plan, chunk: Chunk, facts: Arrays) -> np.ndarray:
    """Each fact's current level (NONE: unknown), by `person_gaps`' rule."""
    level = np.full(len(facts["employee"]), NONE, dtype=np.int64)
    if not len(level) or not plan.rated:
        return level
    low, high = chunk.bounds
    current = bulk.read(
        ["employee_id", "competence_id", "level"],
        f"FROM {CurrentLevel._meta.db_table} WHERE employee_id BETWEEN %s AND %s AND level IS NOT NULL",  # noqa: S608
        [low, high],
        [bulk.sure(low, high), plan.bounds["competence"], plan.bounds["level"]],
    )
    fact_code, current_code = pair_codes(
        (facts["employee"], facts["competence"]), (current[:, 0], current[:, 1])
    )  # the facts are sorted by (employee, competence), and so are their codes
    position = np.minimum(np.searchsorted(fact_code, current_code), len(fact_code) - 1)
    hit = fact_code[position] == current_code
    level[position[hit]] = current[hit, 2]
    if plan.nontrivial:
        _mapped_levels(plan, chunk, facts, level)
    return level


def _microseconds(value: datetime.datetime | None) -> int:
    if value is None:
        return int(NO_TIME)
    return (value - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)) // datetime.timedelta(microseconds=1)


def _mapped_levels(plan: Plan, chunk: Chunk, facts: Arrays, level: np.ndarray) -> None:
    """Targets that earlier competences map into: of the candidates with a level, the one rated
    last (the first in id order when times tie or are missing), as `person_gaps` picks it."""
    candidates = sorted({c for group in plan.nontrivial.values() for c in group})
    rows = CurrentLevel.objects.filter(
        employee_id__in=chunk.active[:, 0].tolist(), competence_id__in=candidates, level__isnull=False
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


def bulk_load(plan: Plan, employees: np.ndarray, count: int) -> list[str]:
    """A first build that makes up most of the table: drop the table's secondary indexes (SQLite:
    the (unit, competence) index; PostgreSQL: every index and unique constraint but the primary key,
    `bulk.drop_indexes`) and return the statements that build them again after the inserts (sorting
    all entries once costs far less than inserting them one by one). Inside the rebuild's
    transaction: a failed rebuild takes the drop back with everything else. On SQLite readers go on
    seeing the index; on PostgreSQL they wait for the table until the rebuild commits (a first build:
    the table holds little else)."""
    if count < BULK_LOAD_FACTS or not len(employees):
        return []
    with bulk.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {TABLE} WHERE employee_id BETWEEN %s AND %s AND municipality_id = %s LIMIT 1",  # noqa: S608
            [int(employees[0, 0]), int(employees[-1, 0]), plan.municipality_id],
        )
        if cursor.fetchone() is not None or not bulk.fewer_rows_than(TABLE, count):
            return []
        if bulk.postgresql():
            return bulk.drop_indexes(TABLE)
        (index,) = [i.name for i in GapFact._meta.indexes if i.fields == ["unit", "competence"]]
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [index])
        found = cursor.fetchone()
        if found is None:
            return []
        cursor.execute(f'DROP INDEX "{index}"')
    return [str(found[0])]


# --- Comparing with the stored facts and writing the difference --------------------------------


def _stored(plan: Plan, chunk: Chunk) -> np.ndarray:
    """The stored facts of the chunk's employees, columns as `_new` gives them."""
    low, high = chunk.bounds
    b = plan.bounds
    level = b["level"]
    stored = bulk.read(
        [
            "employee_id",
            "competence_id",
            "unit_id",
            "job_role_id",
            "target_level",
            _case("target_source", SOURCES),
            _case("importance", IMPORTANCES),
            "weight",
            "level",
            "gap",
            "weighted_gap",
        ],
        f"FROM {TABLE} WHERE employee_id BETWEEN %s AND %s",  # noqa: S608
        [low, high],
        [
            bulk.sure(low, high),
            b["competence"],
            b["unit"],
            b["job_role"],
            level,
            bulk.sure(-2, len(SOURCES) - 1),
            bulk.sure(-2, len(IMPORTANCES) - 1),
            b["weight"],
            level,
            level,
            b["weighted"],
        ],
    )
    return stored[member(stored[:, 0], chunk.ids)]  # (ids in between may be another municipality's)


def _new(facts: Arrays) -> np.ndarray:
    names = ("employee", "competence", "unit", "job_role", "target", "source", "importance", "weight")
    return np.column_stack([facts[n] for n in (*names, "level", "gap", "weighted")])


def sync(plan: Plan, chunk: Chunk, facts: Arrays, batch: int, *, fresh: bool = False) -> None:
    """Make the chunk's stored facts equal `facts`: the people with any difference are written again.
    `fresh`: a first build (`bulk_load` found none of these people's facts), so there is nothing to
    read (on PostgreSQL the table's indexes are dropped then, and each read would scan it)."""
    stored = np.empty((0, len(FACT_COLUMNS)), dtype=np.int64) if fresh else _stored(plan, chunk)
    if len(stored):
        stored = _reweigh(plan, chunk, stored)
    new = _new(facts)
    new_code, stored_code = pair_codes((new[:, 0], new[:, 1]), (stored[:, 0], stored[:, 1]))
    position = np.minimum(np.searchsorted(new_code, stored_code), max(0, len(new_code) - 1))
    if len(new):
        same = (new_code[position] == stored_code) & (new[position] == stored).all(axis=1)
    else:
        same = np.zeros(len(stored), dtype=bool)
    matched = np.zeros(len(new), dtype=bool)
    matched[position[same]] = True
    changed = distinct(np.concatenate([stored[~same, 0], new[~matched, 0]]))
    if not len(changed):
        return
    with_rows = distinct(stored[:, 0])
    gone = changed[member(changed, with_rows)].tolist()
    with bulk.connection.cursor() as cursor:
        for start in range(0, len(gone), batch):
            ids = gone[start : start + batch]
            cursor.execute(f"DELETE FROM {TABLE} WHERE employee_id IN ({bulk.placeholders(ids)})", ids)  # noqa: S608
    _write(plan, chunk, facts, changed)


def _reweigh(plan: Plan, chunk: Chunk, stored: np.ndarray) -> np.ndarray:
    """New weights: applied to the stored facts by one UPDATE, so only other differences remain."""
    weight = plan.weight_of(stored[:, 6])
    if (stored[:, 7] == weight).all():
        return stored
    case = (
        "CASE importance "
        + " ".join(f"WHEN '{k}' THEN {int(v)}" for k, v in plan.context.weights.items())
        + " ELSE 1 END"
    )
    employee_ids = distinct(stored[stored[:, 7] != weight, 0]).tolist()
    with bulk.connection.cursor() as cursor:
        for start in range(0, len(employee_ids), 5000):
            ids = employee_ids[start : start + 5000]
            cursor.execute(
                f"UPDATE {TABLE} SET weight = {case}, weighted_gap = gap * {case}"  # noqa: S608
                f" WHERE employee_id IN ({bulk.placeholders(ids)}) AND weight <> {case}",
                ids,
            )
    stored = stored.copy()
    stored[:, 7] = weight
    stored[:, 10] = np.where(stored[:, 9] == NONE, NONE, stored[:, 9] * weight)
    return stored


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
            AND c.employee_id BETWEEN %s AND %s
        LEFT JOIN {MAPPED} m ON t.mapped = 1 AND m.employee_id = e.employee_id
            AND m.competence_id = t.competence_id
    ) x
"""  # noqa: S608 - table names only


def _write(plan: Plan, chunk: Chunk, facts: Arrays, employee_ids: np.ndarray) -> None:
    """Insert the facts of these employees (none stored now): on PostgreSQL straight from the arrays
    by binary COPY; on SQLite by one INSERT … SELECT (a row through Python costs more there)."""
    if bulk.postgresql():
        writing = member(facts["employee"], employee_ids)
        text_columns = {
            FACT_COLUMNS.index("target_source"): SOURCES,
            FACT_COLUMNS.index("importance"): IMPORTANCES,
        }
        pgcopy.write(
            TABLE, FACT_COLUMNS, _new(facts)[writing], {"municipality_id": plan.municipality_id}, text_columns
        )
        return
    active = chunk.active
    writing = member(active[:, 0], employee_ids)
    if not writing.any():
        return
    bulk.execute(f"DELETE FROM {EMPLOYEES}")  # noqa: S608
    rows = active[writing]
    numbers = chunk.numbers[writing]
    bulk.insert(
        EMPLOYEES,
        ("employee_id", "combo", "unit_id", "job_role_id"),
        zip(
            rows[:, 0].tolist(),
            numbers.tolist(),
            rows[:, 1].tolist(),
            [None if r == NONE else r for r in rows[:, 2].tolist()],
            strict=True,
        ),
    )
    _write_targets(plan, sorted(set(numbers.tolist())))
    bulk.execute(f"DELETE FROM {MAPPED}")  # noqa: S608
    if plan.nontrivial:
        mapped = (
            member(facts["employee"], employee_ids)
            & np.isin(facts["competence"], list(plan.nontrivial))
            & (facts["level"] != NONE)
        )
        bulk.insert(
            MAPPED,
            ("employee_id", "competence_id", "level"),
            zip(
                facts["employee"][mapped].tolist(),
                facts["competence"][mapped].tolist(),
                facts["level"][mapped].tolist(),
                strict=True,
            ),
        )
    columns = ", ".join(FACT_COLUMNS)
    bulk.execute(
        f"INSERT INTO {TABLE} (municipality_id, {columns}) SELECT %s, x.* FROM ({_NEW_FACTS}) x",  # noqa: S608
        [plan.municipality_id, *chunk.bounds],  # (the chunk's current levels: a range of the index)
    )


def _write_targets(plan: Plan, numbers: list[int]) -> None:
    """The target sets not yet in the temporary table."""
    new = [n for n in numbers if n not in plan.written]
    rows: list[tuple[Any, ...]] = []
    for number in new:
        targets = plan.targets_by_number[number]
        mapped = np.isin(targets["competence"], list(plan.nontrivial)).astype(np.int64)
        rows += zip(
            [number] * len(targets["competence"]),
            targets["competence"].tolist(),
            targets["target"].tolist(),
            [SOURCES[i] for i in targets["source"].tolist()],
            [IMPORTANCES[i] for i in targets["importance"].tolist()],
            targets["weight"].tolist(),
            mapped.tolist(),
            strict=True,
        )
    plan.written.update(new)
    bulk.insert(
        TARGETS,
        ("combo", "competence_id", "target_level", "target_source", "importance", "weight", "mapped"),
        rows,
    )
