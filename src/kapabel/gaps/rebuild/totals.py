"""The totals tables in bulk: `GapAggregate` (per unit subtree and competence), `GapPriorityGroup`
(per unit, job role and competence, of the people below target) and `GapTrendAggregate` (per pair of
campaigns, unit subtree and competence).

A key (unit, competence, …) is numbered as one int64: each column's position in a sorted list of the
values it can take (`Space`), in mixed radix. Each chunk's facts and campaign levels are summed per
key with NumPy (`Sums`); at the end the per-unit sums are added to every ancestor (subtree totals)
and compared with the stored rows, read in one query per table: rows that differ are updated, the
missing inserted, the others deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import models

from kapabel.gaps.models import GapAggregate, GapPriorityGroup, GapTrendAggregate
from kapabel.gaps.rebuild import bulk
from kapabel.gaps.rebuild.arrays import (
    NONE,
    Arrays,
    group_starts,
    match,
    pair_codes,
    sort_order,
    spread,
    sum_by,
)
from kapabel.gaps.rebuild.plan import Plan

BULK_LOAD_ROWS = 50_000  # new rows at least, for a first build on PostgreSQL to drop a table's indexes


@dataclass(frozen=True)
class Space:
    """The values a key column can take, sorted."""

    values: np.ndarray

    def index(self, values: np.ndarray) -> np.ndarray:
        """Positions of the values, -1 for a value outside."""
        if not len(self.values):
            return np.full(len(values), -1, dtype=np.int64)
        position = np.minimum(np.searchsorted(self.values, values), len(self.values) - 1)
        return np.where(self.values[position] == values, position, -1)


@dataclass
class Key:
    """The key columns of a totals table and their spaces; `unit`: the position of the unit column."""

    columns: tuple[str, ...]
    spaces: tuple[Space, ...]
    unit: int

    def __post_init__(self) -> None:
        if self.size >= 2**62:  # pragma: no cover - needs millions of units × competences × campaigns
            raise OverflowError("too many keys to number")

    @property
    def size(self) -> int:
        size = 1
        for space in self.spaces:
            size *= max(1, len(space.values))
        return size

    def radix(self, position: int) -> int:
        result = 1
        for space in self.spaces[position + 1 :]:
            result *= max(1, len(space.values))
        return result

    def combine(self, positions: Sequence[np.ndarray]) -> np.ndarray:
        """Positions in the spaces (all valid) -> numbers."""
        code = np.zeros(len(positions[0]), dtype=np.int64)
        for space, position in zip(self.spaces, positions, strict=True):
            code = code * max(1, len(space.values)) + position
        return code

    def encode(self, columns: Sequence[np.ndarray]) -> np.ndarray:
        """Key values -> numbers; -1 when a value lies outside its space."""
        positions = [space.index(column) for space, column in zip(self.spaces, columns, strict=True)]
        outside = np.zeros(len(columns[0]), dtype=bool)
        for position in positions:
            outside |= position < 0
        return np.where(outside, -1, self.combine(positions))

    def decode(self, code: np.ndarray) -> list[np.ndarray]:
        return [
            space.values[(code // self.radix(i)) % len(space.values)] for i, space in enumerate(self.spaces)
        ]

    def subtree(self, plan: Plan, code: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-unit sums added to the unit and every ancestor."""
        if not len(code):
            return code, values
        radix, units = self.radix(self.unit), len(self.spaces[self.unit].values)
        unit = (code // radix) % units  # positions in plan.units (the unit space)
        row, ancestor = spread(unit, plan.ancestors)
        rolled = code[row] + (ancestor - unit[row]) * radix
        return sum_by(rolled, values[row])


DENSE_CELLS = 2**21  # key spaces up to this size are summed in a dense array


@dataclass
class Sums:
    """Sums per key number, added chunk by chunk: into a dense array over the key space when it is
    small, else kept as sorted (code, sums) parts reduced at the end."""

    width: int
    size: int
    dense: np.ndarray | None = None
    codes: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.size <= DENSE_CELLS:
            self.dense = np.zeros((self.size, self.width), dtype=np.int64)

    def add(self, codes: np.ndarray, values: np.ndarray) -> None:
        if not len(codes):
            return
        if self.dense is not None and self.size <= 4 * len(codes):  # counting beats sorting
            for j in range(self.width):  # (float sums of integers: exact far beyond these)
                self.dense[:, j] += np.bincount(codes, weights=values[:, j], minlength=self.size).astype(
                    np.int64
                )
            return
        codes, values = sum_by(codes, values)
        if self.dense is not None:
            self.dense[codes] += values  # (codes distinct now)
            return
        self.codes.append(codes)
        self.values.append(values)

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """The keys with anyone counted (the first counter: people) and their sums, by key."""
        if self.dense is not None:
            codes = np.flatnonzero(self.dense[:, 0])
            return codes.astype(np.int64), self.dense[codes]
        if not self.codes:
            return np.empty(0, dtype=np.int64), np.empty((0, self.width), dtype=np.int64)
        return sum_by(np.concatenate(self.codes), np.concatenate(self.values))


@dataclass(frozen=True, eq=False)  # hashed by identity
class Table:
    model: type[models.Model]
    key: Key
    counters: tuple[str, ...]
    subtree: bool  # totals over the unit's subtree (else the unit's own people)


class Totals:
    """The three tables' sums for one rebuild."""

    def __init__(self, plan: Plan, roles: np.ndarray, campaigns: np.ndarray) -> None:
        self.plan = plan
        self.roles, self.campaigns = Space(roles), Space(campaigns)
        unit, competence = Space(plan.units), Space(plan.competences)
        self.aggregates = Table(
            GapAggregate,
            Key(("unit_id", "competence_id"), (unit, competence), 0),
            ("people", "known", "below", "gap_sum", "weighted_gap_sum"),
            subtree=True,
        )
        self.groups = Table(
            GapPriorityGroup,
            Key(("unit_id", "job_role_id", "competence_id"), (unit, self.roles, competence), 0),
            ("people", "gap_sum", "weighted_gap_sum"),
            subtree=False,
        )
        self.trends = Table(
            GapTrendAggregate,
            Key(
                ("campaign_a_id", "campaign_b_id", "unit_id", "competence_id"),
                (self.campaigns, self.campaigns, unit, competence),
                2,
            ),
            ("people", "gap_a_sum", "gap_b_sum"),
            subtree=True,
        )
        self.sums = {
            table: Sums(len(table.counters), table.key.size)
            for table in (self.aggregates, self.groups, self.trends)
        }

    def add(self, facts: Arrays, levels: Arrays) -> None:
        """A chunk's facts (with levels and gaps) and campaign levels."""
        n = len(facts["employee"])
        if not n:
            return
        unit = self.plan.unit_index(facts["unit"])
        competence = np.searchsorted(self.plan.competences, facts["competence"])  # every target's
        role = np.searchsorted(self.roles.values, facts["job_role"])  # every employee's
        known = facts["level"] != NONE
        gap = np.where(known, facts["gap"], 0)
        weighted = np.where(known, facts["weighted"], 0)
        below = gap > 0
        ones = np.ones(n, dtype=np.int64)
        self.sums[self.aggregates].add(
            self.aggregates.key.combine([unit, competence]),
            np.column_stack([ones, known, below, gap, weighted]).astype(np.int64),
        )
        self.sums[self.groups].add(
            self.groups.key.combine([unit[below], role[below], competence[below]]),
            np.column_stack([ones[below], gap[below], weighted[below]]),
        )
        self.sums[self.trends].add(*self._trend_rows(facts, levels, unit, competence))

    def _trend_rows(
        self, facts: Arrays, levels: Arrays, unit: np.ndarray, competence: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per unit and pair of campaigns (a <= b): people with a level in both, gap sums.
        `unit`, `competence`: the facts' positions in their spaces."""
        if not len(levels["employee"]):
            return np.empty(0, dtype=np.int64), np.empty((0, 3), dtype=np.int64)
        order = sort_order(levels["employee"], levels["competence"], levels["campaign"])
        employee, campaign, level = (levels[name][order] for name in ("employee", "campaign", "level"))
        fact_code, level_code = pair_codes(
            (facts["employee"], facts["competence"]), (employee, levels["competence"][order])
        )
        position = np.searchsorted(fact_code, level_code)  # every level has its fact
        gap = np.maximum(0, facts["target"][position] - level)
        unit, competence = unit[position], competence[position]
        campaign = self.campaigns.index(campaign)  # (every campaign is in the space)
        group = np.zeros(len(employee), dtype=np.int64)
        group[group_starts(position)] = 1  # one group per fact, its campaigns in order
        group = np.cumsum(group)
        codes, values = [], []
        for distance in range(len(employee)):
            first = np.arange(len(employee) - distance)
            second = first + distance
            same = group[first] == group[second]
            if not same.any():
                break
            first, second = first[same], second[same]
            codes.append(
                self.trends.key.combine([campaign[first], campaign[second], unit[first], competence[first]])
            )
            values.append(np.column_stack([np.ones(len(first), dtype=np.int64), gap[first], gap[second]]))
        return np.concatenate(codes), np.concatenate(values)

    def sync(self, batch: int) -> None:
        for table, sums in self.sums.items():
            codes, values = sums.result()
            if table.subtree:
                codes, values = table.key.subtree(self.plan, codes, values)
            _sync(self.plan.municipality_id, table, codes, values, batch)


def _sync(municipality_id: int, table: Table, codes: np.ndarray, values: np.ndarray, batch: int) -> None:
    """Make the municipality's rows of a totals table equal (codes, values): update, insert and
    delete only what differs."""
    name, key = table.model._meta.db_table, table.key
    stored = bulk.read(
        ["id", *key.columns, *table.counters],
        f"FROM {name} WHERE municipality_id = %s",
        [municipality_id],  # noqa: S608
    )
    width = len(key.columns)
    stored_codes = key.encode([stored[:, 1 + i] for i in range(width)])
    where, found = match(codes, stored_codes)
    stored_values = stored[:, 1 + width :]
    keep = np.zeros(len(stored), dtype=bool)
    keep[where[found]] = True
    bulk.delete_ids(name, stored[~keep, 0].tolist(), batch)
    changed = found.copy()
    if len(stored):
        changed[found] = (values[found] != stored_values[where[found]]).any(axis=1)
    if changed.any():
        assignments = ", ".join(f"{c} = %s" for c in table.counters)
        rows = [
            (*v, pk)
            for v, pk in zip(values[changed].tolist(), stored[where[changed], 0].tolist(), strict=True)
        ]
        bulk.execute_many(f"UPDATE {name} SET {assignments} WHERE id = %s", rows)  # noqa: S608
    new = ~found
    if new.any():
        count = int(new.sum())
        again = (  # a first build that makes up most of the table: its indexes built after the load
            bulk.drop_indexes(name)
            if bulk.postgresql() and count >= BULK_LOAD_ROWS and bulk.fewer_rows_than(name, count)
            else []
        )
        bulk.insert_ints(
            name,
            (*key.columns, *table.counters),
            np.column_stack([*key.decode(codes[new]), values[new]]),
            {"municipality_id": municipality_id},
        )
        for statement in again:
            bulk.execute(statement)
