"""Priorities: competences ranked by total weighted gap in a unit's subtree, and the job role × unit
groups where an offer would help most."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum

from kapabel.core.access import scope_for
from kapabel.core.models import User
from kapabel.gaps import groups as priority_groups
from kapabel.gaps import permissions
from kapabel.gaps.definition import settings_for
from kapabel.gaps.models import GapFact
from kapabel.gaps.selectors.figures import competences_in_order, unit_cells
from kapabel.gaps.selectors.leaders import leader_importance
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation.models import OrgUnit


def priorities(user: User, unit: OrgUnit, *, groups: int = 15) -> dict[str, Any]:
    """Competences ranked by priority in the unit's subtree: the total weighted gap, moved up or
    down by how important the leaders said the competence is (`leaders.leader_importance`), then
    people below target; and the job role × unit groups where an offer would help most."""
    full = permissions.can_view_everyone_in(user, unit)
    settings = settings_for(unit.municipality_id)
    minimum = settings.min_group_size
    rows: list[dict[str, Any]] = []
    cells = unit_cells([unit.pk]).get(unit.pk, {})  # versions folded into the newest shown one
    competences = {c.pk: c for c in competences_in_order(cells)}
    leaders = leader_importance(unit, list(cells), settings) if cells else {}
    for competence_id, cell in cells.items():
        if not full and (0 < cell.known < minimum or 0 < cell.people < minimum):
            cell.suppressed = True
        leader = leaders.get(competence_id)
        factor = leader.factor if leader is not None and not leader.suppressed else 1.0
        rows.append(
            {
                "competence": competences[competence_id],
                "cell": cell,
                "leader": leader,
                "score": round(cell.weighted_gap_sum * factor, 1),
            }
        )
    # Hidden rows come last in framework order: their order must not hint at their figures.
    rows.sort(
        key=lambda r: (
            (True, 0.0, 0, 0, r["competence"].pk)
            if r["cell"].suppressed
            else (False, -r["score"], -r["cell"].weighted_gap_sum, -r["cell"].below, r["competence"].pk)
        )
    )
    top_groups: list[dict[str, Any]]
    if not groups:
        top_groups = []
    elif full:  # everyone in the subtree counts: the kept groups (`gaps.groups`)
        top_groups = priority_groups.top_groups(unit, groups)
    else:  # only the people the viewer may see, and only groups of the minimum size
        group_rows = (
            GapFact.objects.filter(scope_for(user).employees_q("employee__"))
            .filter(unit.subtree_q("unit__path"), gap__gt=0)
            .values("job_role_id", "job_role__title", "unit_id", "unit__name", "competence_id")
            .annotate(weighted=Sum("weighted_gap"), people=Count("id"), gap_total=Sum("gap"))
            .order_by("-weighted", "-people", "unit__name", "competence_id")
            .filter(people__gte=minimum)
        )
        top_groups = [dict(g) for g in group_rows[:groups]]
    names = {c.pk: c for c in competences_in_order(g["competence_id"] for g in top_groups)}
    for g in top_groups:
        g["competence"] = names[g["competence_id"]]
    return {
        "rows": rows,
        "groups": top_groups,
        "full_view": full,
        "minimum": minimum,
        "leader_influence": settings.leader_influence,
        "leader_future_share": settings.leader_future_share,
        "any_leader_answers": any(leader is not None for leader in leaders.values()),
    }


def default_unit(user: User) -> OrgUnit | None:
    """The unit the priorities page opens on: the first of the user's top units."""
    tops = org_selectors.top_units_for_user(user)
    return tops[0] if tops else None


def unit_choices(user: User, unit: OrgUnit, *, limit: int = 200) -> list[OrgUnit]:
    """Units to switch to from `unit`'s page: those the user sees in its municipality, down to one
    level below it."""
    return list(
        org_selectors.units_for_user(user)
        .filter(depth__lte=unit.depth + 1, municipality=unit.municipality)
        .order_by("path")[:limit]
    )
