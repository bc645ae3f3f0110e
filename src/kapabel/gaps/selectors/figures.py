"""The figure of one unit × competence (`Cell`), read from the maintained aggregates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kapabel.competences.models import Competence
from kapabel.gaps.definition import settings_for
from kapabel.gaps.models import GapAggregate
from kapabel.gaps.versions import earlier_versions, same_heads_of_ids
from kapabel.organisation.models import OrgUnit

BUCKETS = 6  # colour classes gap-b0 … gap-b5 in gaps/gaps.css


@dataclass
class Cell:
    people: int = 0
    known: int = 0
    below: int = 0
    gap_sum: int = 0
    weighted_gap_sum: int = 0
    suppressed: bool = False
    competence_id: int = 0

    @property
    def unknown(self) -> int:
        return self.people - self.known

    @property
    def share_below(self) -> float | None:
        return self.below / self.known if self.known and not self.suppressed else None

    @property
    def mean_gap(self) -> float | None:
        return self.gap_sum / self.known if self.known and not self.suppressed else None

    @property
    def bucket(self) -> str:
        share = self.share_below
        if self.suppressed:
            return "gap-suppressed"
        if share is None:
            return "gap-none"
        return f"gap-b{min(BUCKETS - 1, int(share * (BUCKETS - 1) + 0.5))}"


# unit id -> competence id -> the unit's figure
Cells = dict[int, dict[int, Cell]]


def competences_in_order(ids: Iterable[int]) -> list[Competence]:
    """The competences, in framework order (version, then tree position)."""
    return list(
        Competence.objects.filter(pk__in=set(ids))
        .select_related("version__framework")
        .order_by("version_id", "depth", "position", "id")
    )


ADDITIVE = ("people", "known", "below", "gap_sum", "weighted_gap_sum")


def fold_versions(cells: Cells, heads: dict[int, int] | None = None) -> Cells:
    """`cells` with every competence followed to its head (the newest version of it among those in
    `cells`, along the "same" mappings, unless `heads` is given) and its counters added into the
    head's cell, so one competence has one figure across a framework revision. Before suppression
    and means."""
    shown = {c for by_comp in cells.values() for c in by_comp}
    if heads is None:
        heads = same_heads_of_ids(shown)
    if all(heads.get(c, c) == c for c in shown):
        return cells
    result: Cells = defaultdict(dict)
    for unit_id, by_comp in cells.items():
        for competence_id, cell in by_comp.items():
            head = heads.get(competence_id, competence_id)
            into = result[unit_id].setdefault(head, Cell(competence_id=head))
            for measure in ADDITIVE:
                setattr(into, measure, getattr(into, measure) + getattr(cell, measure))
    return result


def unit_cells(unit_ids: list[int], competence_ids: list[int] | None = None) -> Cells:
    """The units' figures from `GapAggregate` (one query), optionally for some competences only
    (with their earlier versions), each competence's versions folded into its head
    (`fold_versions`)."""
    result: Cells = defaultdict(dict)
    rows = GapAggregate.objects.filter(unit_id__in=unit_ids)
    heads = None
    if competence_ids is not None:
        heads = earlier_versions(competence_ids)
        rows = rows.filter(competence_id__in=heads)
    for row in rows.values_list(
        "unit_id", "competence_id", "people", "known", "below", "gap_sum", "weighted_gap_sum"
    ):
        result[row[0]][row[1]] = Cell(*row[2:], competence_id=row[1])
    return fold_versions(result, heads)


def minimum_group_size(unit: OrgUnit) -> int:
    """The smallest group whose figures are shown to a viewer who may not see everyone in it."""
    return settings_for(unit.municipality_id).min_group_size
