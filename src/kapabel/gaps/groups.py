"""The priorities' "job role × unit" groups, kept per unit in `GapPriorityGroup` (written by `upkeep`
and `rebuild`): the people placed directly in a unit with one job role who are below target in a
competence, how many and their gap sums. The priorities page of a unit ranks the groups of its
subtree by total weighted gap, then people, then unit name and competence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q

from kapabel.gaps.models import GapPriorityGroup
from kapabel.organisation.models import OrgUnit

GROUP_COUNTERS = ("people", "gap_sum", "weighted_gap_sum")
# (unit, job role or None, competence) -> [people below target, gap sum, weighted gap sum]
GroupTotals = dict[tuple[int, int | None, int], list[int]]
FactRow = tuple[int, int, int | None, int | None, int | None]  # competence, unit, role, gap, weighted


def group_contributions(facts: Iterable[FactRow]) -> GroupTotals:
    """The groups from facts (competence, unit, job role, gap, weighted gap): the people below
    target and their sums; the reference for `GapPriorityGroup`."""
    totals: GroupTotals = {}
    for competence_id, unit_id, job_role_id, gap_value, weighted in facts:
        if gap_value:
            total = totals.setdefault((unit_id, job_role_id, competence_id), [0, 0, 0])
            total[0] += 1
            total[1] += gap_value
            total[2] += weighted or 0
    return totals


def top_groups(unit: OrgUnit, limit: int) -> list[dict[str, Any]]:
    """The `limit` first groups in the unit's subtree, as the priorities page ranks them: the same
    rows a GROUP BY over the facts gives. The rank index finds the limit-th (weighted, people) pair
    without sorting every group of the municipality; only the groups at least as high are sorted."""
    rows = GapPriorityGroup.objects.filter(municipality_id=unit.municipality_id).filter(
        unit.subtree_q("unit__path")
    )
    boundary = list(
        rows.order_by("-weighted_gap_sum", "-people").values_list("weighted_gap_sum", "people")[
            limit - 1 : limit
        ]
    )
    if boundary:
        weighted, people = boundary[0]
        rows = rows.filter(
            Q(weighted_gap_sum__gt=weighted) | Q(weighted_gap_sum=weighted, people__gte=people)
        )
    ranked = rows.values(
        "job_role_id",
        "job_role__title",
        "unit_id",
        "unit__name",
        "competence_id",
        "people",
        weighted=F("weighted_gap_sum"),
        gap_total=F("gap_sum"),
    ).order_by("-weighted", "-people", "unit__name", "competence_id")
    return [dict(row) for row in ranked[:limit]]
