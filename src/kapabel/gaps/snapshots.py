"""The trend's maintained data: every person's levels in every campaign, and the totals per pair of
campaigns. Written only by `upkeep` (per person) and `rebuild` (in bulk); read by `selectors.trend`.

**Level in a campaign** (the definition the trend has always used): for a person and a target
competence, of the campaign's ratings of the person (person ratings, not superseded) of the
competence or of any competence that maps into it, the latest per source (highest `rated_at`, then
id; a "don't know" counts as the latest and has no level); then the first source in the
municipality's source order whose latest rating has a level. `campaign_levels` below is the
reference implementation; `rebuild` computes the same with NumPy.

`GapCampaignLevels` keeps these levels per person and campaign for the person's current target
competences (their `GapFact` rows). `GapTrendAggregate` keeps, for every pair of campaigns
(a <= b), per unit subtree and competence: the people with a current target and a level in both
campaigns, and the sums of their gaps against the current target in each (gap = max(0, target -
level), `definition.gap`). The trend of a unit for a viewer who may see everyone in it is one read of
those rows for the unit and its children.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q

from kapabel.assessments.models import DEFAULT_LEVEL_ORDER, AssessmentSettings, Rating
from kapabel.core.access import path_in_subtree
from kapabel.gaps.definition import equivalents, gap
from kapabel.gaps.models import GapCampaignLevels, GapFact, GapTrendAggregate
from kapabel.organisation.models import OrgUnit

TREND_COUNTERS = ("people", "gap_a_sum", "gap_b_sum")

# (employee id, campaign id) -> {target competence id: level}
Levels = dict[tuple[int, int], dict[int, int]]
# (campaign a, campaign b, unit, competence) -> [people, gap a sum, gap b sum]; a <= b
TrendTotals = dict[tuple[int, int, int, int], list[int]]


def level_order(municipality_id: int) -> list[str]:
    """The municipality's source order for a current level, first wins (e.g. agreed, manager, self)."""
    order = (
        AssessmentSettings.objects.filter(municipality_id=municipality_id)
        .values_list("current_level_order", flat=True)
        .first()
        or DEFAULT_LEVEL_ORDER
    )
    return [source.strip() for source in order.split(",")]


def campaign_levels(municipality_id: int, targets: Mapping[int, Iterable[int]]) -> Levels:
    """The reference: each person's level in each campaign for each of their target competences
    (`targets`: employee id -> target competence ids), from the rating history."""
    wanted = {employee_id: set(ids) for employee_id, ids in targets.items()}
    all_targets = set().union(*wanted.values()) if wanted else set()
    if not all_targets:
        return {}
    reverse: dict[int, list[int]] = defaultdict(list)  # rated competence -> targets it counts for
    for target, group in equivalents(all_targets).items():
        for competence_id in group:
            reverse[competence_id].append(target)
    latest: dict[tuple[int, int, int, str], tuple[Any, int, int | None]] = {}
    # Only the employee and competence in SQL, so the (employee, competence, …) index is used (the
    # database might otherwise walk the index of every unsuperseded rating); the rest is checked here.
    ratings = Rating.objects.filter(employee_id__in=list(wanted), competence_id__in=list(reverse)).order_by()
    for (
        employee_id,
        campaign_id,
        competence_id,
        source,
        level,
        rated_at,
        pk,
        unit_id,
        superseded,
    ) in ratings.values_list(
        "employee_id",
        "campaign_id",
        "competence_id",
        "source",
        "level",
        "rated_at",
        "id",
        "unit_id",
        "superseded_by_id",
    ).iterator(chunk_size=20000):
        if campaign_id is None or unit_id is not None or superseded is not None:
            continue
        for target in reverse[competence_id]:
            if target not in wanted[employee_id]:
                continue
            key = (employee_id, campaign_id, target, source)
            if key not in latest or (rated_at, pk) > latest[key][:2]:
                latest[key] = (rated_at, pk, level)
    order = level_order(municipality_id)
    result: Levels = defaultdict(dict)
    for employee_id, campaign_id, target in sorted({key[:3] for key in latest}):
        for source in order:
            found = latest.get((employee_id, campaign_id, target, source))
            if found is not None and found[2] is not None:
                result[(employee_id, campaign_id)][target] = found[2]
                break
    return dict(result)


def stored_levels(employee_ids: Iterable[int] | None = None, municipality_id: int | None = None) -> Levels:
    """The kept snapshots of some employees (or of a whole municipality)."""
    rows = GapCampaignLevels.objects.all()
    if employee_ids is not None:
        rows = rows.filter(employee_id__in=list(employee_ids))
    if municipality_id is not None:
        rows = rows.filter(municipality_id=municipality_id)
    return {
        (employee_id, campaign_id): {int(key): value for key, value in levels.items()}
        for employee_id, campaign_id, levels in rows.values_list("employee_id", "campaign_id", "levels")
    }


def campaign_levels_of(employee_ids: Iterable[int], campaign_ids: Iterable[int]) -> Levels:
    """The kept snapshots of these employees in these campaigns only."""
    rows = GapCampaignLevels.objects.filter(
        employee_id__in=list(employee_ids), campaign_id__in=list(campaign_ids)
    ).values_list("employee_id", "campaign_id", "levels")
    return {(e, c): {int(key): value for key, value in levels.items()} for e, c, levels in rows}


def trend_contributions(facts: Iterable[tuple[int, int, int, int]], levels: Levels) -> TrendTotals:
    """Totals per pair of campaigns, *per unit* (not yet per subtree) from facts (employee,
    competence, unit, target level) and their levels."""
    by_employee: dict[int, list[tuple[int, dict[int, int]]]] = defaultdict(list)
    for (employee_id, campaign_id), values in levels.items():
        by_employee[employee_id].append((campaign_id, values))
    totals: TrendTotals = {}
    for employee_id, competence_id, unit_id, target in facts:
        known = sorted(
            (campaign_id, values[competence_id])
            for campaign_id, values in by_employee.get(employee_id, ())
            if competence_id in values
        )
        for i, (campaign_a, level_a) in enumerate(known):
            gap_a = gap(target, level_a) or 0
            for campaign_b, level_b in known[i:]:
                key = (campaign_a, campaign_b, unit_id, competence_id)
                total = totals.setdefault(key, [0, 0, 0])
                total[0] += 1
                total[1] += gap_a
                total[2] += gap(target, level_b) or 0
    return totals


def subtree_totals(
    direct: Mapping[tuple[Any, ...], list[int]], ancestors: Mapping[int, list[int]], unit_at: int
) -> dict[tuple[Any, ...], list[int]]:
    """Per-unit totals rolled up to the unit and every ancestor (`unit_at`: the position of the unit
    in the key; `ancestors`: unit -> the ids on its path)."""
    totals: dict[tuple[Any, ...], list[int]] = {}
    for key, vector in direct.items():
        for unit_id in ancestors[key[unit_at]]:
            rolled = (*key[:unit_at], unit_id, *key[unit_at + 1 :])
            total = totals.get(rolled)
            if total is None:
                totals[rolled] = list(vector)
            else:
                for i, value in enumerate(vector):
                    total[i] += value
    return totals


def visible_trend(
    facts: Iterable[tuple[int, int, int, str]], levels: Levels, campaign_a: int, campaign_b: int
) -> list[tuple[int, str, int, int]]:
    """For the facts (employee, competence, target, unit path) of people measured in both
    campaigns: (competence, path, gap in a, gap in b)."""
    rows = []
    for employee_id, competence_id, target, path in facts:
        level_a = levels.get((employee_id, campaign_a), {}).get(competence_id)
        level_b = levels.get((employee_id, campaign_b), {}).get(competence_id)
        gap_a, gap_b = gap(target, level_a), gap(target, level_b)
        if gap_a is not None and gap_b is not None:
            rows.append((competence_id, path, gap_a, gap_b))
    return rows


def trend_counts(
    unit: OrgUnit, children: list[OrgUnit], campaign_a: int, campaign_b: int, visible: Q | None
) -> tuple[dict[int, list[int]], dict[tuple[int, int], list[int]]]:
    """The trend's counts between two campaigns: per competence over the unit's subtree, and per
    shown child and competence: [people measured in both, gap sum in a, gap sum in b]. `visible`:
    None when the viewer may see everyone in the unit (one read of the kept totals), else the
    people they may see (computed from their kept levels)."""
    per_comp: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    per_unit: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    if visible is None:
        low, high = sorted((campaign_a, campaign_b))
        rows = GapTrendAggregate.objects.filter(
            campaign_a_id=low, campaign_b_id=high, unit_id__in=[unit.pk, *(c.pk for c in children)]
        ).values_list("unit_id", "competence_id", *TREND_COUNTERS)
        for unit_id, competence_id, people, gap_low, gap_high in rows:
            first, second = (gap_low, gap_high) if campaign_a == low else (gap_high, gap_low)
            if unit_id == unit.pk:
                per_comp[competence_id] = [people, first, second]
            else:
                per_unit[(unit_id, competence_id)] = [people, first, second]
        return per_comp, per_unit
    facts = list(
        GapFact.objects.filter(visible)
        .filter(unit.subtree_q("unit__path"))
        .values_list("employee_id", "competence_id", "target_level", "unit__path")
    )
    levels = campaign_levels_of({f[0] for f in facts}, {campaign_a, campaign_b})
    for competence_id, path, gap_a, gap_b in visible_trend(facts, levels, campaign_a, campaign_b):
        for bucket in [per_comp[competence_id]] + [
            per_unit[(child.pk, competence_id)] for child in children if path_in_subtree(path, child.path)
        ]:
            bucket[0] += 1
            bucket[1] += gap_a
            bucket[2] += gap_b
    return per_comp, per_unit
