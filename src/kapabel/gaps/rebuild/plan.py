"""What a rebuild loads once for the whole municipality: the target sets, the units and their
ancestors, the source order, the competences that map into others, and the numbering of the keys
of the totals (unit, job role, competence, campaign) used for NumPy sums."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import models
from django.db.models import Max, Min

from kapabel.assessments.models import Campaign, Rating
from kapabel.competences.models import Competence, Importance, ScaleLevel
from kapabel.gaps.definition import TargetContext
from kapabel.gaps.models import TargetSource
from kapabel.gaps.rebuild import bulk
from kapabel.gaps.rebuild.arrays import NONE, Arrays, ints
from kapabel.gaps.rebuild.bulk import Bounds
from kapabel.gaps.snapshots import level_order
from kapabel.organisation.models import JobRole, OrgUnit

SOURCES = list(TargetSource.values)
IMPORTANCES = list(Importance.values)


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


@dataclass
class Plan:
    """Everything loaded once per rebuild."""

    municipality_id: int
    context: TargetContext
    unit_paths: dict[int, str]
    order: list[str]
    rated: dict[int, list[int]] = field(default_factory=dict)  # rated competence -> its targets
    nontrivial: dict[int, list[int]] = field(default_factory=dict)  # target -> candidates, if > 1
    combos: dict[Any, Arrays] = field(default_factory=dict)
    chains: dict[int, tuple[int, ...]] = field(default_factory=dict)
    numbers: dict[Any, int] = field(default_factory=dict)  # target set key -> its number
    targets_by_number: list[Arrays] = field(default_factory=list)
    written: set[int] = field(default_factory=set)  # target sets in the temporary table
    units: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # sorted ids
    ancestors: list[list[int]] = field(default_factory=list)  # per unit index: ancestor indexes
    competences: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    bounds: dict[str, Bounds] = field(default_factory=dict)

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
        plan.units = np.array(sorted(unit_paths), dtype=np.int64)
        position = {unit_id: i for i, unit_id in enumerate(plan.units.tolist())}
        plan.ancestors = [
            [position[a] for a in _path_ids(unit_paths[u]) if a in position] for u in plan.units.tolist()
        ]
        targets = {c for layer in context.profile_targets.values() for c in layer}
        targets |= {c for layer in context.individual.values() for c in layer}
        plan.competences = np.array(sorted(targets), dtype=np.int64)
        plan.bounds = _bounds(municipality_id, plan)
        return plan

    def unit_chain(self, unit_id: int) -> tuple[int, ...]:
        """The unit profiles on the unit's path, nearest first (what `targets_for` layers)."""
        chain = self.chains.get(unit_id)
        if chain is None:
            chain = tuple(
                self.context.unit_profile[u]
                for u in reversed(_path_ids(self.unit_paths[unit_id]))
                if u in self.context.unit_profile
            )
            self.chains[unit_id] = chain
        return chain

    def target_set(self, employee_id: int, job_role_id: int | None, unit_id: int) -> int:
        """The number of the person's target set, shared by everyone with the same job-role profile
        and unit profiles and no individual target; its arrays are `targets_by_number[number]`
        (competence, target, source, importance, weight; by competence)."""
        if employee_id in self.context.individual:
            key: Any = ("employee", employee_id)
        else:
            key = (self.context.role_profile.get(job_role_id or 0), self.unit_chain(unit_id))
        number = self.numbers.get(key)
        if number is None:
            targets = sorted(
                self.context.targets_for(employee_id, job_role_id, self.unit_paths[unit_id]).items()
            )
            n = len(targets)
            self.targets_by_number.append(
                {
                    "competence": ints((c for c, _ in targets), n),
                    "target": ints((t.level for _, t in targets), n),
                    "source": ints((SOURCES.index(t.source) for _, t in targets), n),
                    "importance": ints((IMPORTANCES.index(t.importance) for _, t in targets), n),
                    "weight": ints((self.context.weights.get(t.importance, 1) for _, t in targets), n),
                }
            )
            self.numbers[key] = number = len(self.numbers)
        return number

    def weight_of(self, importance: np.ndarray) -> np.ndarray:
        """The weight of importance codes (an unknown importance weighs 1, as in `person_gaps`)."""
        weights = np.array([self.context.weights.get(i, 1) for i in IMPORTANCES] + [1], dtype=np.int64)
        return weights[np.where((importance >= 0) & (importance < len(IMPORTANCES)), importance, -1)]

    def unit_index(self, unit_ids: np.ndarray) -> np.ndarray:
        """Positions in `units` (the unit ids must be the municipality's)."""
        index = np.searchsorted(self.units, unit_ids)
        if len(unit_ids) and (
            index.max(initial=0) >= len(self.units) or (self.units[index] != unit_ids).any()
        ):
            raise KeyError("a unit outside the municipality")
        return index


def _bounds(municipality_id: int, plan: Plan) -> dict[str, Bounds]:
    """The values the packed columns of `bulk.read` hold. Ids are between the smallest and largest
    of their table (foreign keys, read in the rebuild's transaction): sure. Levels and weights are
    checked, with room above today's values so that a change does not force an unpacked read."""

    def ids(model: type[models.Model], low: int = 1) -> Bounds:
        # One MIN or MAX per query: SQLite answers those from the index, both at once by a scan.
        found = [
            model._default_manager.aggregate(v=Min("id"))["v"],
            model._default_manager.aggregate(v=Max("id"))["v"],
        ]
        return bulk.sure(
            min([low, *(v for v in found if v is not None)]), max([1, *(v for v in found if v is not None)])
        )

    scale_levels = ScaleLevel.objects.filter(scale__version__framework__municipality_id=municipality_id)
    top_level = max(32, scale_levels.aggregate(high=Max("value"))["high"] or 0)
    weight = max([255, *plan.context.weights.values()])
    return {
        "competence": ids(Competence),
        "unit": ids(OrgUnit),
        "job_role": ids(JobRole, low=NONE),
        "campaign": ids(Campaign),
        "rating": ids(Rating),
        "level": Bounds(NONE, top_level),
        "weight": Bounds(0, weight),
        "weighted": Bounds(NONE, top_level * weight),
    }
