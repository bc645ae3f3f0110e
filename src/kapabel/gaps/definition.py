"""The definition of a competence gap. Every number in the gap analysis comes from `gap` and
`person_gaps` below; docs/gaps.md states the same rules in words.

For a person and a competence:
- the target comes from the person's individual target, else their job-role profile, else the
  profile of their unit or the nearest ancestor unit that has one (the first that names the
  competence wins, competence by competence);
- only *published* profiles count, and of a profile's versions the highest published number;
  when two published profiles compete for the same role or unit, the most recently published wins;
- the current level is `assessments.CurrentLevel.level` for the target competence or for any
  competence of an earlier framework version that maps into it (`CompetenceMapping`, followed
  transitively); of several, the one rated last;
- gap = max(0, target − current level); weighted gap = gap × the municipality's weight of the
  target's importance; no current level means *unknown* (gap None), never zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kapabel.competences.models import (
    IMPORTANCE_DEFAULT_WEIGHTS,
    CompetenceMapping,
    IndividualTarget,
    Profile,
    ProfileTarget,
    Status,
)
from kapabel.gaps.models import GapSettings, TargetSource


def gap(target: int, level: int | None) -> int | None:
    """The gap for one person and competence: None when the level is unknown."""
    if level is None:
        return None
    return max(0, target - level)


def weighted_gap(gap_value: int | None, weight: int) -> int | None:
    return None if gap_value is None else gap_value * weight


@dataclass(frozen=True)
class Target:
    level: int
    importance: str
    source: str


@dataclass(frozen=True)
class Fact:
    """One employee × competence row of the analysis (what `GapFact` stores)."""

    employee_id: int
    competence_id: int
    unit_id: int
    job_role_id: int | None
    target_level: int
    target_source: str
    importance: str
    weight: int
    level: int | None
    gap: int | None
    weighted_gap: int | None


FACT_FIELDS = tuple(Fact.__dataclass_fields__)


def settings_for(municipality_id: int) -> GapSettings:
    """The municipality's settings, defaults when none were saved (nothing is written)."""
    found = GapSettings.objects.filter(municipality_id=municipality_id).first()
    return found or GapSettings(municipality_id=municipality_id)


def counting_profiles(municipality_id: int) -> list[Profile]:
    """The profile versions that count: per lineage the highest published number."""
    best: dict[Any, Profile] = {}
    for profile in Profile.objects.filter(municipality_id=municipality_id, status=Status.PUBLISHED).exclude(
        kind=Profile.Kind.NAMED
    ):
        current = best.get(profile.lineage)
        if current is None or profile.number > current.number:
            best[profile.lineage] = profile
    return list(best.values())


class TargetContext:
    """Everything needed to resolve targets and levels in one municipality, loaded once."""

    def __init__(self, municipality_id: int, employee_ids: Iterable[int] | None = None) -> None:
        self.municipality_id = municipality_id
        self.settings = settings_for(municipality_id)
        self.weights: dict[str, int] = {str(k): v for k, v in IMPORTANCE_DEFAULT_WEIGHTS.items()}
        self.weights.update(self.settings.weights)
        self.min_group_size = self.settings.min_group_size

        def rank(p: Profile) -> tuple[Any, ...]:
            return (p.published_at is not None, p.published_at or 0, p.pk)

        by_role: dict[int, Profile] = {}
        by_unit: dict[int, Profile] = {}
        for profile in counting_profiles(municipality_id):
            table, key = (
                (by_role, profile.job_role_id)
                if profile.kind == Profile.Kind.JOB_ROLE
                else (by_unit, profile.unit_id)
            )
            if key is not None and (key not in table or rank(profile) > rank(table[key])):
                table[key] = profile
        self.role_profile = {role: p.pk for role, p in by_role.items()}
        self.unit_profile = {unit: p.pk for unit, p in by_unit.items()}
        self.profile_targets: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
        for profile_id, competence_id, level, importance in ProfileTarget.objects.filter(
            profile_id__in=[*self.role_profile.values(), *self.unit_profile.values()]
        ).values_list("profile_id", "competence_id", "target_level", "importance"):
            self.profile_targets[profile_id][competence_id] = (level, importance)
        individual = IndividualTarget.objects.filter(employee__municipality_id=municipality_id)
        if employee_ids is not None:
            individual = individual.filter(employee_id__in=list(employee_ids))
        self.individual: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
        for employee_id, competence_id, level, importance in individual.values_list(
            "employee_id", "competence_id", "target_level", "importance"
        ):
            self.individual[employee_id][competence_id] = (level, importance)
        target_ids = {c for targets in self.profile_targets.values() for c in targets}
        target_ids |= {c for targets in self.individual.values() for c in targets}
        self.equivalents = equivalents(target_ids)

    def targets_for(self, employee_id: int, job_role_id: int | None, unit_path: str) -> dict[int, Target]:
        """Competence id -> target, by the precedence individual > job role > nearest unit."""
        targets: dict[int, Target] = {}
        unit_ids = [int(part) for part in unit_path.strip("/").split("/") if part]
        layers: list[tuple[str, dict[int, tuple[int, str]]]] = []
        for unit_id in reversed(unit_ids):  # nearest unit first
            if unit_id in self.unit_profile:
                layers.append((TargetSource.UNIT, self.profile_targets[self.unit_profile[unit_id]]))
        if job_role_id in self.role_profile:
            layers.append((TargetSource.JOB_ROLE, self.profile_targets[self.role_profile[job_role_id]]))
        layers.append((TargetSource.INDIVIDUAL, self.individual.get(employee_id, {})))
        for source, layer in reversed(layers):  # highest precedence first
            for competence_id, (level, importance) in layer.items():
                if competence_id not in targets:
                    targets[competence_id] = Target(level, importance, source)
        return targets

    def rated_competence_ids(self) -> set[int]:
        return {c for group in self.equivalents.values() for c in group}


def equivalents(target_ids: Iterable[int]) -> dict[int, list[int]]:
    """For each target competence, itself and every competence that maps into it, transitively."""
    result: dict[int, set[int]] = {t: {t} for t in target_ids}
    reverse: dict[int, set[int]] = defaultdict(set)  # competence -> targets it counts for
    for t in result:
        reverse[t].add(t)
    frontier = set(result)
    seen = set(frontier)
    while frontier:
        rows = list(
            CompetenceMapping.objects.filter(target_id__in=frontier).values_list("source_id", "target_id")
        )
        frontier = set()
        for source_id, target_id in rows:
            for t in reverse[target_id]:
                result[t].add(source_id)
                reverse[source_id].add(t)
            if source_id not in seen:
                seen.add(source_id)
                frontier.add(source_id)
    return {t: sorted(group) for t, group in result.items()}


def person_gaps(
    context: TargetContext,
    *,
    employee_id: int,
    unit_id: int,
    unit_path: str,
    job_role_id: int | None,
    levels: dict[int, tuple[int | None, Any]],
) -> list[Fact]:
    """THE definition: the gap facts of one person. `levels` maps a rated competence id to
    (current level, rated_at) from `CurrentLevel`."""
    facts = []
    for competence_id, target in sorted(context.targets_for(employee_id, job_role_id, unit_path).items()):
        level = None
        latest: Any = None
        for candidate in context.equivalents.get(competence_id, [competence_id]):
            found = levels.get(candidate)
            if found is None or found[0] is None:
                continue
            if level is None or (found[1] is not None and (latest is None or found[1] > latest)):
                level, latest = found
        weight = context.weights.get(target.importance, 1)
        value = gap(target.level, level)
        facts.append(
            Fact(
                employee_id=employee_id,
                competence_id=competence_id,
                unit_id=unit_id,
                job_role_id=job_role_id,
                target_level=target.level,
                target_source=target.source,
                importance=target.importance,
                weight=weight,
                level=level,
                gap=value,
                weighted_gap=weighted_gap(value, weight),
            )
        )
    return facts
