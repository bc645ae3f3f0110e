"""`GapCampaignLevels` in bulk: each fact's level in each campaign (`snapshots.campaign_levels`'
definition) computed with NumPy from the chunk's ratings, read packed (`bulk.read`), and compared with
the stored snapshots as JSON text; only the (person, campaign) rows that differ are written."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np

from kapabel.assessments.models import Rating
from kapabel.gaps.models import GapCampaignLevels
from kapabel.gaps.rebuild import bulk
from kapabel.gaps.rebuild.arrays import (
    NONE,
    Arrays,
    distinct,
    empty,
    group_starts,
    member,
    pair_codes,
    row_codes,
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
    # On SQLite the unary + keeps the planner from choosing an index on these columns (without
    # statistics it would scan every unsuperseded rating of the database for each chunk) over the
    # employee's; PostgreSQL has statistics, and would take + for an unknown, rare condition.
    plus = "" if bulk.postgresql() else "+"
    case = "CASE source " + " ".join(f"WHEN %s THEN {i}" for i in range(len(sources))) + " END"
    ratings = bulk.read(
        ["id", "campaign_id", "employee_id", "competence_id", case, "level"],
        f"FROM {Rating._meta.db_table} WHERE employee_id BETWEEN %s AND %s"  # noqa: S608
        f" AND {plus}campaign_id IS NOT NULL AND {plus}unit_id IS NULL AND {plus}superseded_by_id IS NULL",
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


_PUNCTUATION = str.maketrans('{}":,', "     ")


def _parsed(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Stored snapshots `{"competence": level, …}` as arrays (the text each pair is in, competence,
    level); None when one is not of that form."""
    counts = np.fromiter((text.count(":") for text in texts), dtype=np.int64, count=len(texts))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a number NumPy cannot read
            numbers = np.fromstring(" ".join(texts).translate(_PUNCTUATION), dtype=np.int64, sep=" ")
    except (ValueError, DeprecationWarning):
        return None
    if len(numbers) != 2 * counts.sum():
        return None
    return np.repeat(np.arange(len(texts)), counts), numbers[0::2], numbers[1::2]


def sync(plan: Plan, chunk: Chunk, levels: Arrays, batch: int) -> None:
    """Make the chunk's stored snapshots equal the computed levels: the (person, campaign) rows
    whose levels differ are replaced, the missing inserted, the others deleted."""
    low, high = chunk.bounds
    text = "levels::text" if bulk.postgresql() else "levels"
    with bulk.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, employee_id, campaign_id, {text} FROM {TABLE} WHERE employee_id BETWEEN %s AND %s"  # noqa: S608
            " ORDER BY employee_id, campaign_id",
            [low, high],
        )
        ids = set(chunk.ids.tolist())
        stored = [row for row in cursor.fetchall() if row[1] in ids]  # (else another municipality's)
    parsed = _parsed([row[3] for row in stored])
    same = (  # the (employee, campaign) pairs already as computed
        _same_texts(stored, _texts(levels)) if parsed is None else _same_levels(stored, parsed, levels)
    )
    bulk.delete_ids(TABLE, [row[0] for row in stored if (row[1], row[2]) not in same], batch)
    written = _texts(_without(levels, same))
    bulk.insert(
        TABLE,
        ("municipality_id", "employee_id", "campaign_id", "levels"),
        ((plan.municipality_id, e, c, text) for (e, c), text in written.items()),
    )


def _same_texts(stored: list[tuple[Any, ...]], computed: dict[tuple[int, int], str]) -> set[tuple[int, int]]:
    """The stored rows equal to the computed ones, compared as JSON."""
    same = set()
    for _pk, employee_id, campaign_id, stored_levels in stored:
        new = computed.get((employee_id, campaign_id))
        if new is not None and (new == stored_levels or json.loads(new) == json.loads(stored_levels)):
            same.add((employee_id, campaign_id))
    return same


def _same_levels(
    stored: list[tuple[Any, ...]], parsed: tuple[np.ndarray, np.ndarray, np.ndarray], levels: Arrays
) -> set[tuple[int, int]]:
    """The (employee, campaign) pairs whose stored levels are the computed ones, compared as arrays:
    a pair differs when a (competence, level) is on one side only, or their numbers differ."""
    if not stored:
        return set()
    row, stored_competence, stored_level = parsed
    stored_employee = np.array([r[1] for r in stored], dtype=np.int64)[row]
    stored_campaign = np.array([r[2] for r in stored], dtype=np.int64)[row]
    employee, campaign, competence, level = (levels[name] for name in LEVEL_NAMES)
    if (  # all equal, in the same order (the stored rows are sorted, their JSON by competence)
        len(stored_employee) == len(employee)
        and len(stored) == len(group_starts(employee, campaign))
        and all(
            np.array_equal(a, b)
            for a, b in zip(
                (stored_employee, stored_campaign, stored_competence, stored_level),
                (employee, campaign, competence, level),
                strict=True,
            )
        )
    ):
        return {(r[1], r[2]) for r in stored}
    group_new, group_old = row_codes((employee, campaign), (stored_employee, stored_campaign))
    entry_new, entry_old = row_codes(
        (employee, campaign, competence, level),
        (stored_employee, stored_campaign, stored_competence, stored_level),
    )
    differ = distinct(
        np.concatenate(
            [
                group_new[~member(entry_new, distinct(entry_old))],
                group_old[~member(entry_old, distinct(entry_new))],
            ]
        )
    )
    groups, counts = np.unique(group_new, return_counts=True)
    old_groups, old_counts = np.unique(group_old, return_counts=True)
    where = np.searchsorted(old_groups, groups)
    found = member(groups, old_groups)
    equal = found & ~member(groups, differ)
    equal[found] &= old_counts[where[found]] == counts[found]
    starts = group_starts(employee, campaign)
    keys = zip(employee[starts][equal].tolist(), campaign[starts][equal].tolist(), strict=True)
    return set(keys)


def _without(levels: Arrays, pairs: set[tuple[int, int]]) -> Arrays:
    """The levels of the (employee, campaign) pairs not in `pairs`."""
    if not pairs or not len(levels["employee"]):
        return levels
    employee, campaign = levels["employee"], levels["campaign"]
    keep_e = np.array([e for e, _ in pairs], dtype=np.int64)
    keep_c = np.array([c for _, c in pairs], dtype=np.int64)
    code, skip = pair_codes((employee, campaign), (keep_e, keep_c))
    keep = ~member(code, distinct(skip))
    return {name: values[keep] for name, values in levels.items()}
