"""The priorities' "job role × unit" groups, kept per unit in `GapPriorityGroup` (written by `upkeep`
and `rebuild`): the people placed directly in a unit with one job role who are below target in a
competence, how many and their gap sums. The priorities page of a unit ranks the groups of its
subtree by total weighted gap, then people, then unit name and competence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q, QuerySet

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


RANK_PAGE = 500  # groups read at first while walking the rank order; each further read is 4 times larger


def _boundary(rows: QuerySet[GapPriorityGroup], inside: set[int], limit: int) -> tuple[int, int] | None:
    """The (weighted gap sum, people) of the limit-th group inside the subtree in rank order, read in
    growing pages of the rank index: each page a LIMIT query the index answers without sorting (an
    iterator over the whole ordered table made PostgreSQL sort every group of the municipality).
    The primary key breaks ties, so the pages neither repeat nor skip a group."""
    ranked = rows.order_by("-weighted_gap_sum", "-people", "pk").values_list(
        "unit_id", "weighted_gap_sum", "people"
    )
    found, offset, size = 0, 0, RANK_PAGE
    while True:
        page = list(ranked[offset : offset + size])
        for unit_id, weighted, people in page:
            found += unit_id in inside
            if found == limit:
                return (weighted, people)
        if len(page) < size:
            return None
        offset, size = offset + size, size * 4


def top_groups(unit: OrgUnit, limit: int) -> list[dict[str, Any]]:
    """The `limit` first groups in the unit's subtree, as the priorities page ranks them: the same
    rows the GROUP BY over the facts gives, without sorting every group. First the (weighted gap
    sum, people) of the limit-th group is found; then only the groups at least that high are sorted
    in full order (ties included)."""
    rows = GapPriorityGroup.objects.filter(municipality_id=unit.municipality_id)
    inside = set(
        OrgUnit.objects.filter(unit.subtree_q(), municipality_id=unit.municipality_id).values_list(
            "pk", flat=True
        )
    )
    if len(inside) * 4 >= OrgUnit.objects.filter(municipality_id=unit.municipality_id).count():
        # A large part of the municipality: walk its groups in rank order (the rank index) to the
        # limit-th one inside the subtree; then the groups at least as high, inside the subtree.
        boundary = _boundary(rows, inside, limit)
        if boundary is not None:
            candidates = rows.filter(
                Q(weighted_gap_sum__gt=boundary[0]) | Q(weighted_gap_sum=boundary[0], people__gte=boundary[1])
            ).values_list("pk", "unit_id")
            ids = [pk for pk, unit_id in candidates if unit_id in inside]
            rows = GapPriorityGroup.objects.filter(pk__in=ids)  # by primary key, not the rank index
        else:
            rows = rows.filter(unit_id__in=inside)
    else:  # a small part: its groups, found by unit
        rows = rows.filter(unit_id__in=inside)
        limited = list(
            rows.order_by("-weighted_gap_sum", "-people").values_list("weighted_gap_sum", "people")[
                limit - 1 : limit
            ]
        )
        if limited:
            weighted, people = limited[0]
            rows = rows.filter(
                Q(weighted_gap_sum__gt=weighted) | Q(weighted_gap_sum=weighted, people__gte=people)
            )
    ranked_rows = rows.values(
        "job_role_id",
        "job_role__title",
        "unit_id",
        "unit__name",
        "competence_id",
        "people",
        weighted=F("weighted_gap_sum"),
        gap_total=F("gap_sum"),
    ).order_by("-weighted", "-people", "unit__name", "competence_id")
    return [dict(row) for row in ranked_rows[:limit]]
