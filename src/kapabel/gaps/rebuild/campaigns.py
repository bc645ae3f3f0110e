"""`GapCampaignLevels` in bulk: each fact's level in each campaign (`snapshots.campaign_levels`'
definition) computed with NumPy from the chunk's ratings, read packed (`bulk.read`), and compared with
the stored snapshots as JSON text; only the (person, campaign) rows that differ are written."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from kapabel.assessments.models import Rating
from kapabel.gaps.models import GapCampaignLevels
from kapabel.gaps.rebuild import bulk
from kapabel.gaps.rebuild.arrays import (
    NONE,
    Arrays,
    empty,
    group_starts,
    member,
    pair_codes,
    sort_order,
    spread,
)
from kapabel.gaps.rebuild.facts import Chunk
from kapabel.gaps.rebuild.plan import Plan

TABLE = GapCampaignLevels._meta.db_table
LEVEL_NAMES = ("employee", "campaign", "competence", "level")


def compute(plan: Plan, chunk: Chunk, facts: Arrays, batch: int) -> Arrays:
    """Each fact's level in each campaign, known levels only, sorted by employee, campaign,
    competence (the fact's target competence)."""
    sources = [s for s in plan.order if s]
    if not len(facts["employee"]) or not plan.rated or not sources:
        return empty(*LEVEL_NAMES)
    low, high = chunk.bounds
    rated = np.array(sorted(plan.rated), dtype=np.int64)
    case = "CASE source " + " ".join(f"WHEN %s THEN {i}" for i in range(len(sources))) + " END"
    ratings = bulk.read(
        ["id", "campaign_id", "employee_id", "competence_id", case, "level"],
        f"FROM {Rating._meta.db_table} WHERE employee_id BETWEEN %s AND %s"  # noqa: S608
        # The unary + keeps SQLite from choosing an index on these columns (without statistics it
        # would scan every unsuperseded rating of the database for each chunk) over the employee's.
        " AND +campaign_id IS NOT NULL AND +unit_id IS NULL AND +superseded_by_id IS NULL",
        [*sources, low, high],
        [
            plan.bounds["rating"],
            plan.bounds["campaign"],
            bulk.sure(low, high),
            plan.bounds["competence"],
            bulk.sure(NONE, len(sources) - 1),  # NONE: a source outside the order, which never counts
            plan.bounds["level"],
        ],
    )
    ratings = ratings[
        (ratings[:, 4] != NONE) & member(ratings[:, 2], chunk.ids) & member(ratings[:, 3], rated)
    ]
    if not len(ratings):
        return empty(*LEVEL_NAMES)
    # A rating counts for every target its competence is (or maps into).
    row, target = spread(np.searchsorted(rated, ratings[:, 3]), [plan.rated[c] for c in rated.tolist()])
    rating_id, campaign, employee, source, level = (ratings[row, i] for i in (0, 1, 2, 4, 5))
    # Only the person's own target competences (the facts are sorted by employee, competence).
    fact_code, rating_code = pair_codes((facts["employee"], facts["competence"]), (employee, target))
    keep = member(rating_code, fact_code)
    rating_id, campaign, employee, target, source, level = (
        a[keep] for a in (rating_id, campaign, employee, target, source, level)
    )
    if not len(employee):
        return empty(*LEVEL_NAMES)
    # Latest per employee, campaign, target, source: by (rated_at, id); rated_at is only read for
    # the few groups with more than one rating.
    order = sort_order(employee, campaign, target, source, rating_id)
    rating_id, campaign, employee, target, source, level = (
        a[order] for a in (rating_id, campaign, employee, target, source, level)
    )
    starts = group_starts(employee, campaign, target, source)
    ends = np.append(starts[1:], len(employee))
    pick = ends - 1  # the highest id of each group
    crowded = np.flatnonzero(ends - starts > 1)
    if len(crowded):
        members = np.concatenate([np.arange(starts[g], ends[g]) for g in crowded]).tolist()
        times: dict[int, Any] = {}
        for begin in range(0, len(members), batch):
            ids = rating_id[members[begin : begin + batch]].tolist()
            times.update(Rating.objects.filter(pk__in=ids).values_list("id", "rated_at"))
        for g in crowded.tolist():
            span = range(starts[g], ends[g])
            pick[g] = max(span, key=lambda i: (times[int(rating_id[i])], int(rating_id[i])))
    campaign, employee, target, source, level = (a[pick] for a in (campaign, employee, target, source, level))
    # First source in the order whose latest rating has a level.
    known = level != NONE
    campaign, employee, target, source, level = (
        a[known] for a in (campaign, employee, target, source, level)
    )
    order = sort_order(employee, campaign, target, source)
    campaign, employee, target, level = (a[order] for a in (campaign, employee, target, level))
    first = group_starts(employee, campaign, target)
    return {
        "employee": employee[first],
        "campaign": campaign[first],
        "competence": target[first],
        "level": level[first],
    }


def _texts(levels: Arrays) -> dict[tuple[int, int], str]:
    """The JSON of each (employee, campaign): `{"competence": level, …}` in competence order, as
    `json.dumps` writes a dict (and as PostgreSQL prints jsonb: shorter keys first)."""
    employee, campaign, competence, level = (levels[name] for name in LEVEL_NAMES)
    if not len(employee):
        return {}
    _, first, inverse = np.unique(pair_codes((competence, level))[0], return_index=True, return_inverse=True)
    fragments = [
        f'"{c}": {v}' for c, v in zip(competence[first].tolist(), level[first].tolist(), strict=True)
    ]
    parts = np.array(fragments, dtype=object)[inverse.ravel()].tolist()
    starts = group_starts(employee, campaign).tolist()
    ends = [*starts[1:], len(employee)]
    keys = zip(employee[starts].tolist(), campaign[starts].tolist(), strict=True)
    return {key: "{" + ", ".join(parts[s:e]) + "}" for key, s, e in zip(keys, starts, ends, strict=True)}


def sync(plan: Plan, chunk: Chunk, levels: Arrays, batch: int) -> None:
    """Make the chunk's stored snapshots equal the computed levels."""
    computed = _texts(levels)
    low, high = chunk.bounds
    text = "levels::text" if bulk.postgresql() else "levels"
    with bulk.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, employee_id, campaign_id, {text} FROM {TABLE} WHERE employee_id BETWEEN %s AND %s",  # noqa: S608
            [low, high],
        )
        stored = cursor.fetchall()
    ids = set(chunk.ids.tolist())
    stale = []
    for pk, employee_id, campaign_id, stored_levels in stored:
        if employee_id not in ids:
            continue  # another municipality's
        new = computed.get((employee_id, campaign_id))
        if new is not None and (new == stored_levels or json.loads(new) == json.loads(stored_levels)):
            del computed[(employee_id, campaign_id)]
        else:
            stale.append(pk)
    bulk.delete_ids(TABLE, stale, batch)
    bulk.insert(
        TABLE,
        ("municipality_id", "employee_id", "campaign_id", "levels"),
        ((plan.municipality_id, e, c, text) for (e, c), text in computed.items()),
    )
