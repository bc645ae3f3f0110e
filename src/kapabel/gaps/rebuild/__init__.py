"""`upkeep.rebuild`: every maintained gap table of a municipality recomputed from scratch, set-based.

The per-person upkeep applies `definition.person_gaps` and `snapshots.campaign_levels` person by
person; at 50,000 people × 40 competences that is two million Python calls. Here the same definitions
are applied with NumPy to whole sets of employees, CHUNK at a time (bounded memory):

- `facts`: each person's target set (resolved once per distinct set) and current level, as arrays;
  compared with the stored `GapFact` rows, and the people whose facts differ written again by one
  INSERT … SELECT from temporary tables;
- `campaigns`: the levels in every campaign from the chunk's ratings, compared with the stored
  `GapCampaignLevels` snapshots;
- `totals`: the heatmap, priority-group and trend totals summed per chunk, rolled up to every
  ancestor unit at the end and compared with the stored rows.

Reads go through `bulk.read` (a query's integer columns as one array, without a Python object per
value; binary COPY on PostgreSQL, `pgcopy`). Only rows that differ are written: a first build
inserts everything, a rebuild over unchanged data writes nothing, one after an HR import that moved
units writes what moved. The caller's transaction makes it atomic (`upkeep.rebuild`): readers see
the old tables or the new ones. `upkeep.verify` compares every table with the reference
implementations; the tests run it after rebuilds of random data.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from django.db import connection

from kapabel.assessments.models import Campaign
from kapabel.gaps.rebuild import bulk, campaigns, facts, totals
from kapabel.gaps.rebuild.arrays import NONE, distinct
from kapabel.gaps.rebuild.plan import Plan
from kapabel.organisation.models import Employee

# Employees per chunk: ~100,000 facts and ~200,000 ratings at 40 competences. Larger chunks were
# slower (their arrays no longer fit in the processor's caches).
CHUNK = 2500
ID_BATCH = 5000  # ids per DELETE … IN (…)
SQLITE_CACHE_KIB = -262144  # negative: KiB, i.e. 256 MB of page cache during a rebuild on SQLite

# PostgreSQL, for the rebuild's transaction (set back at its end): one process per query (the
# rebuild's reads are range scans of one chunk; on a small server parallel workers only compete
# with it); sorts and hashes in memory, not in temporary files; the indexes dropped for a first
# build are built again from memory.
POSTGRESQL_SETTINGS = {
    "max_parallel_workers_per_gather": "0",
    "work_mem": "64MB",
    "maintenance_work_mem": "256MB",
}

__all__ = ["CHUNK", "ID_BATCH", "rebuild"]


def _no_progress(stage: str) -> None:
    return None


def rebuild(municipality_id: int, progress: Callable[[str], None] = _no_progress) -> int:
    """Recompute every maintained table of the municipality; returns the number of facts. Call in
    a transaction (`upkeep.rebuild` does, as a long write whose `run.progress` is `progress`: it
    names the stage reached — "facts" once a chunk's facts are written, then "campaigns" and
    "totals" — and is where the kill tests stop the rebuild, tests/ops/test_kill.py)."""
    with connection.cursor() as cursor:
        for name, columns in facts.TEMPORARY.items():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
        for name, columns in facts.TEMPORARY_INDEXES.items():
            cursor.execute(f"CREATE INDEX {name}_key ON {name} ({columns})")
        cache = None
        saved: dict[str, str] = {}
        if connection.vendor == "postgresql":
            for name, value in POSTGRESQL_SETTINGS.items():
                cursor.execute(f"SHOW {name}")
                saved[name] = cursor.fetchone()[0]
                cursor.execute(f"SET LOCAL {name} = %s", [value])
        if connection.vendor == "sqlite":
            # Millions of index entries are written in no particular order: with SQLite's default
            # page cache (2 MB) most of them cost a page read and write; for the rebuild, 256 MB.
            cursor.execute("PRAGMA cache_size")
            cache = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
    try:
        return _rebuild(municipality_id, progress)
    finally:
        with connection.cursor() as cursor:
            for name in facts.TEMPORARY:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
            if cache is not None:
                cursor.execute(f"PRAGMA cache_size = {int(cache)}")
            for name, value in saved.items():
                cursor.execute(f"SET LOCAL {name} = %s", [value])


def _rebuild(municipality_id: int, progress: Callable[[str], None]) -> int:
    plan = Plan.load(municipality_id)
    employees = bulk.read(
        ["id", "unit_id", "job_role_id", "CASE WHEN active THEN 1 ELSE 0 END"],
        f"FROM {Employee._meta.db_table} WHERE municipality_id = %s",  # noqa: S608
        [municipality_id],
    )
    employees = employees[np.argsort(employees[:, 0])]
    active = employees[:, 3] == 1
    numbers = np.full(len(employees), NONE, dtype=np.int64)
    numbers[active] = facts.target_sets(plan, employees[active])
    employees = np.column_stack([employees, numbers])
    widths = np.array([len(t["competence"]) for t in plan.targets_by_number], dtype=np.int64)
    rebuild_index = facts.bulk_load(plan, employees, int(widths[numbers[active]].sum()) if len(widths) else 0)
    campaign_ids = np.array(
        list(Campaign.objects.order_by("id").values_list("id", flat=True)), dtype=np.int64
    )
    roles = distinct(np.append(employees[:, 2], NONE))
    sums = totals.Totals(plan, roles, campaign_ids)
    count = 0
    for start in range(0, len(employees), CHUNK):
        chunk = facts.Chunk(employees[start : start + CHUNK])
        chunk_facts = facts.compute(plan, chunk)
        facts.sync(plan, chunk, chunk_facts, ID_BATCH, fresh=bool(rebuild_index))
        progress("facts")
        levels = campaigns.compute(plan, chunk, chunk_facts, ID_BATCH)
        campaigns.sync(plan, chunk, levels, ID_BATCH)
        progress("campaigns")
        sums.add(chunk_facts, levels)
        count += len(chunk_facts["employee"])
    for statement in rebuild_index:
        bulk.execute(statement)
    sums.sync(ID_BATCH)
    progress("totals")
    return count
