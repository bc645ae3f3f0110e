"""Internal learning suggestions (issue 12 #7): for a person's gap in a competence, the colleagues who
could teach it — peer training, mentoring, shadowing.

A colleague qualifies when their current level (assessments `CurrentLevel`, in the competence or one
that maps into it) is at or above the person's target, they are active, in the same municipality,
visible to the asking user, not the person, and not already teaching `max_mentees` people (their
planned and active internal activities as the colleague). They are ranked by distance in the
organisation tree (steps up and down between the two units: the same team first), then the higher
level, then the fewer mentees, then name. A fixed number of queries, whatever the size of the
municipality."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from kapabel.assessments.models import CurrentLevel
from kapabel.core.access import scope_for, subtree_q
from kapabel.gaps.definition import equivalents
from kapabel.gaps.models import GapFact
from kapabel.learning.models import InternalActivity, LearningSettings
from kapabel.organisation.models import Employee

# An activity counts against the colleague's maximum while it is planned or running.
BUSY_STATUSES = (InternalActivity.Status.PLANNED, InternalActivity.Status.ACTIVE)


@dataclass(frozen=True)
class Suggestion:
    competence_id: int
    employee_id: int
    name: str
    unit_id: int
    unit_name: str
    level: int
    target: int
    distance: int
    mentees: int


def path_parts(path: str) -> list[str]:
    return [p for p in path.strip("/").split("/") if p]


def tree_distance(a: str, b: str) -> int:
    """Steps between two units in the organisation tree (0: the same unit; 2: sibling teams)."""
    pa, pb = path_parts(a), path_parts(b)
    common = 0
    while common < min(len(pa), len(pb)) and pa[common] == pb[common]:
        common += 1
    return len(pa) + len(pb) - 2 * common


def max_mentees(municipality_id: int) -> int:
    found = LearningSettings.objects.filter(municipality_id=municipality_id).values_list(
        "max_mentees", flat=True
    )
    default = LearningSettings._meta.get_field("max_mentees").get_default()
    return next(iter(found), default)


def mentee_counts(employee_ids: Iterable[int]) -> dict[int, int]:
    """{colleague id: planned and active internal activities where they teach}."""
    return dict(
        InternalActivity.objects.filter(mentor_id__in=list(employee_ids), status__in=BUSY_STATUSES)
        .values_list("mentor_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def person_targets(employee: Employee, competence_ids: Iterable[int] | None = None) -> dict[int, int]:
    """{competence id: target level} from the person's gap facts (only gaps, unless competences
    are named)."""
    facts = GapFact.objects.filter(employee=employee)
    if competence_ids is None:
        facts = facts.filter(gap__gt=0)
    else:
        facts = facts.filter(competence_id__in=list(competence_ids))
    return dict(facts.values_list("competence_id", "target_level"))


def rings(path: str) -> list[Q]:
    """Q objects (on `employee__unit__path`) for the people around a unit, nearest first: its own
    subtree, then each ancestor's subtree without the one before. Everyone in ring k is at least k
    steps away."""
    parts = path_parts(path)
    ancestors = ["/" + "/".join(parts[:n]) + "/" for n in range(len(parts), 0, -1)]
    found = [subtree_q(ancestors[0], "employee__unit__path")]
    for inner, outer in itertools.pairwise(ancestors):
        found.append(subtree_q(outer, "employee__unit__path") & ~subtree_q(inner, "employee__unit__path"))
    found.append(~subtree_q(ancestors[-1], "employee__unit__path"))  # other trees of the municipality
    return found


def internal_suggestions(
    user: Any,
    employee: Employee,
    targets: dict[int, int],
    *,
    limit: int = 10,
) -> dict[int, list[Suggestion]]:
    """{competence id: colleagues who could teach `employee` up to the target level, best first}.
    `targets` is {competence id: target level} (see `person_targets`).

    The search widens ring by ring through the organisation tree (`rings`) and stops once every
    competence has `limit` colleagues nearer than anyone not yet read, so a large municipality is
    not read in full when the nearest colleagues suffice: two queries per ring read."""
    if not targets:
        return {}
    groups = equivalents(targets)
    ceiling = max_mentees(employee.municipality_id)
    own_path = employee.unit.path
    base = CurrentLevel.objects.filter(
        scope_for(user).employees_q("employee__"),
        level__isnull=False,
        employee__municipality_id=employee.municipality_id,
        employee__active=True,
    ).exclude(employee_id=employee.pk)
    found: dict[int, list[Suggestion]] = {target_id: [] for target_id in targets}
    open_targets = set(targets)
    oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    for distance_floor, ring in enumerate(rings(own_path)):
        counts_for: dict[int, set[int]] = defaultdict(set)  # rated competence -> open targets
        for target_id in open_targets:
            for member in groups[target_id]:
                counts_for[member].add(target_id)
        rows = base.filter(ring, competence_id__in=list(counts_for))
        if all(len(groups[t]) == 1 for t in open_targets):
            # Without mapped competences the latest level is the only one: filter in the database.
            rows = rows.filter(level__gte=min(targets[t] for t in open_targets))
        # The latest rated level of each colleague per target (among the equivalent competences).
        best: dict[tuple[int, int], tuple[Any, int, int | None]] = {}
        people: dict[int, tuple[str, int, str, str]] = {}
        for (
            employee_id,
            competence_id,
            level,
            rated_at,
            pk,
            name,
            unit_id,
            unit_name,
            path,
        ) in rows.values_list(
            "employee_id",
            "competence_id",
            "level",
            "rated_at",
            "pk",
            "employee__name",
            "employee__unit_id",
            "employee__unit__name",
            "employee__unit__path",
        ):
            people[employee_id] = (name, unit_id, unit_name, path)
            for target_id in counts_for[competence_id]:
                key = (employee_id, target_id)
                candidate = (rated_at or oldest, pk, level)
                if key not in best or candidate[:2] > best[key][:2]:
                    best[key] = candidate
        busy = mentee_counts(people) if people else {}
        for (employee_id, target_id), (_at, _pk, level) in best.items():
            target = targets[target_id]
            mentees = busy.get(employee_id, 0)
            if level is None or level < target or mentees >= ceiling:
                continue
            name, unit_id, unit_name, path = people[employee_id]
            found[target_id].append(
                Suggestion(
                    competence_id=target_id,
                    employee_id=employee_id,
                    name=name,
                    unit_id=unit_id,
                    unit_name=unit_name,
                    level=level,
                    target=target,
                    distance=tree_distance(own_path, path),
                    mentees=mentees,
                )
            )
        # Anyone not read yet is more than `distance_floor` steps away.
        open_targets = {
            t for t in open_targets if sum(1 for s in found[t] if s.distance <= distance_floor) < limit
        }
        if not open_targets:
            break
    for target_id, suggestions in found.items():
        suggestions.sort(key=lambda s: (s.distance, -s.level, s.mentees, s.name, s.employee_id))
        found[target_id] = suggestions[:limit]
    return found
