"""Reads of the gap analysis, always scoped to the acting user.

Aggregated figures of a unit are shown to anyone who may see the unit; when the viewer may not see
every person in it individually, groups smaller than the municipality's minimum size are
suppressed, also where a parent minus its shown children would reveal a small group
(`suppress_group`). Figures come from the maintained `GapAggregate` / `GapFact` tables.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from kapabel.assessments.models import DEFAULT_LEVEL_ORDER, AssessmentSettings, Campaign, CurrentLevel, Rating
from kapabel.competences.models import Competence, ScaleLevel
from kapabel.core.access import scope_for
from kapabel.gaps import groups as priority_groups
from kapabel.gaps import snapshots
from kapabel.gaps.definition import equivalents, gap, settings_for
from kapabel.gaps.models import GapAggregate, GapFact
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation.models import Employee, OrgUnit

BUCKETS = 6  # colour classes gap-b0 … gap-b5 in gaps/gaps.css


# --- Visibility and suppression --------------------------------------------------------------


def sees_everyone_in(user: Any, unit: OrgUnit) -> bool:
    """True when the user may read every person in the unit's subtree individually."""
    scope = scope_for(user)
    if scope.is_platform_admin:
        return True
    for grant in scope.grants_for(*scope.PEOPLE_READERS):
        if grant.municipality_id == unit.municipality_id and (
            grant.path is None or unit.path.startswith(grant.path)
        ):
            return True
    return False


def suppress_group(parent: int, children: dict[Any, int], minimum: int) -> tuple[bool, set[Any]]:
    """Which of a parent and its shown children to hide, for one competence.

    Primary: any group of 1..minimum-1 people. Secondary (differencing): the people of the parent
    not in any shown child (placed directly in the parent, or in hidden children) can be worked out
    as parent minus the shown children, so while that hidden remainder is 1..minimum-1, the
    smallest shown child is hidden too; with no child left to hide, the parent is hidden."""
    hidden = {key for key, n in children.items() if 0 < n < minimum}
    parent_hidden = 0 < parent < minimum
    remainder = parent - sum(children.values())
    while not parent_hidden:
        mass = remainder + sum(children[key] for key in hidden)
        if mass == 0 or mass >= minimum:
            break
        candidates = sorted((n, str(key), key) for key, n in children.items() if key not in hidden and n > 0)
        if not candidates:
            parent_hidden = True
            break
        hidden.add(candidates[0][2])
    if parent_hidden:
        hidden = {key for key, n in children.items() if n > 0}
    return parent_hidden, hidden


# --- Heatmap ---------------------------------------------------------------------------------


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


@dataclass
class Row:
    unit: OrgUnit
    cells: list[Cell]
    has_children: bool = False
    is_focus: bool = False
    full_view: bool = True


@dataclass
class Heatmap:
    focus: OrgUnit | None
    competences: list[Competence]
    rows: list[Row]
    minimum: int
    any_suppressed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _competences(ids: set[int]) -> list[Competence]:
    return list(
        Competence.objects.filter(pk__in=ids)
        .select_related("version")
        .order_by("version_id", "depth", "position", "id")
    )


def _aggregates(unit_ids: list[int]) -> dict[int, dict[int, Cell]]:
    result: dict[int, dict[int, Cell]] = defaultdict(dict)
    for row in GapAggregate.objects.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "competence_id", "people", "known", "below", "gap_sum", "weighted_gap_sum"
    ):
        result[row[0]][row[1]] = Cell(*row[2:], competence_id=row[1])
    return result


def _apply_suppression(
    user: Any, parent: OrgUnit | None, units: list[OrgUnit], cells: dict[int, dict[int, Cell]]
) -> None:
    """Suppress in place: `parent` (may be None) with its shown children `units`."""
    group = [u for u in ([parent] if parent else []) + units if not sees_everyone_in(user, u)]
    if not group:
        return
    minimum = settings_for(group[0].municipality_id).min_group_size
    competence_ids = {c for u in ([parent] if parent else []) + units for c in cells.get(u.pk, {})}
    parent_hidden_from_above: set[int] = set()
    if parent is not None and parent.parent_id and not sees_everyone_in(user, parent):
        grand = org_selectors.units_for_user(user).filter(pk=parent.parent_id).first()
        if grand is not None:  # keep the parent's status consistent with its parent's page
            siblings = list(org_selectors.units_for_user(user).filter(parent=grand))
            above = _aggregates([grand.pk] + [s.pk for s in siblings])
            _apply_suppression(user, grand, siblings, above)
            parent_hidden_from_above = {c for c, cell in above.get(parent.pk, {}).items() if cell.suppressed}
    for competence_id in competence_ids:

        def count(unit: OrgUnit, measure: str, competence_id: int = competence_id) -> int:
            return getattr(cells.get(unit.pk, {}).get(competence_id, Cell()), measure)

        if parent is not None:
            hidden: set[int] = set()
            parent_hidden = competence_id in parent_hidden_from_above
            for measure in ("people", "known"):  # both counts are shown, so both are protected
                children = {u.pk: count(u, measure) for u in units}
                hidden_parent, hidden_children = suppress_group(count(parent, measure), children, minimum)
                parent_hidden, hidden = parent_hidden or hidden_parent, hidden | hidden_children
            if parent_hidden:
                hidden = {u.pk for u in units if count(u, "people") > 0}
            if (
                not sees_everyone_in(user, parent)
                and parent_hidden
                and competence_id in cells.get(parent.pk, {})
            ):
                cells[parent.pk][competence_id].suppressed = True
        else:
            hidden = {u.pk for u in units for m in ("people", "known") if 0 < count(u, m) < minimum}
        for unit in units:
            if (
                unit.pk in hidden
                and not sees_everyone_in(user, unit)
                and competence_id in cells.get(unit.pk, {})
            ):
                cells[unit.pk][competence_id].suppressed = True


def heatmap(user: Any, unit: OrgUnit | None = None, *, children_only: bool = False) -> Heatmap:
    """Rows: the focus unit and its children (or, without a unit, the user's top units);
    columns: every competence with a target in them. Five queries whatever the size."""
    units_qs = org_selectors.units_for_user(user)
    if unit is None:
        rows_units = org_selectors.top_units_for_user(user)
        parent = None
    else:
        children = list(units_qs.filter(parent=unit).order_by("name"))
        rows_units = children if children_only else [unit, *children]
        parent = unit
    ids = [u.pk for u in rows_units]
    cells = _aggregates(ids if parent is None or children_only is False else [parent.pk, *ids])
    _apply_suppression(user, parent, [u for u in rows_units if u != parent], cells)
    with_children = set(units_qs.filter(parent_id__in=ids).values_list("parent_id", flat=True))
    competences = _competences({c for u in rows_units for c in cells.get(u.pk, {})})
    rows = [
        Row(
            unit=u,
            cells=[cells.get(u.pk, {}).get(c.pk, Cell(competence_id=c.pk)) for c in competences],
            has_children=u.pk in with_children and u != parent,
            is_focus=u == parent,
            full_view=sees_everyone_in(user, u),
        )
        for u in rows_units
    ]
    minimum = settings_for(rows_units[0].municipality_id).min_group_size if rows_units else 5
    return Heatmap(
        focus=unit,
        competences=competences,
        rows=rows,
        minimum=minimum,
        any_suppressed=any(cell.suppressed for row in rows for cell in row.cells),
    )


def cell_people(user: Any, unit: OrgUnit, competence: Competence) -> QuerySet[GapFact]:
    """The people behind a heatmap cell whom the user may see individually."""
    return (
        GapFact.objects.filter(scope_for(user).employees_q("employee__"))
        .filter(unit.subtree_q("unit__path"), competence=competence)
        .select_related("employee", "unit", "job_role")
        .order_by("-gap", "employee__name", "employee_id")
    )


def visible_competence(user: Any, unit: OrgUnit, pk: int) -> Competence | None:
    """A competence with a target somewhere in the unit (so its id leaks nothing else)."""
    if not GapAggregate.objects.filter(unit=unit, competence_id=pk).exists():
        return None
    return Competence.objects.filter(pk=pk).first()


# --- Person profile --------------------------------------------------------------------------


@dataclass
class ProfileRow:
    competence: Competence
    target: int
    importance: str
    target_source: str
    self_level: int | None
    manager_level: int | None
    agreed_level: int | None
    level: int | None
    gap: int | None
    weighted_gap: int | None


def person_profile(employee: Employee) -> dict[str, Any]:
    """Target vs self vs manager vs agreed per competence (the caller has checked access)."""
    facts = list(
        GapFact.objects.filter(employee=employee)
        .select_related("competence")
        .order_by("competence__version_id", "competence__depth", "competence__position", "competence_id")
    )
    eq = equivalents([f.competence_id for f in facts])
    rated = {c for group in eq.values() for c in group}
    current: dict[int, CurrentLevel] = {
        cl.competence_id: cl for cl in CurrentLevel.objects.filter(employee=employee, competence_id__in=rated)
    }
    rows = []
    for fact in facts:
        candidates = [current[c] for c in eq.get(fact.competence_id, [fact.competence_id]) if c in current]
        best = max(
            candidates,
            key=lambda cl: (
                cl.rated_at is not None,
                cl.rated_at or datetime.datetime.min.replace(tzinfo=datetime.UTC),
                cl.pk,
            ),
            default=None,
        )
        rows.append(
            ProfileRow(
                competence=fact.competence,
                target=fact.target_level,
                importance=fact.get_importance_display(),
                target_source=fact.get_target_source_display(),
                self_level=best.self_level if best else None,
                manager_level=best.manager_level if best else None,
                agreed_level=best.agreed_level if best else None,
                level=fact.level,
                gap=fact.gap,
                weighted_gap=fact.weighted_gap,
            )
        )
    versions = {f.competence.version_id for f in facts}
    top = max(
        [4, *ScaleLevel.objects.filter(scale__version_id__in=versions).values_list("value", flat=True)],
    )
    return {
        "rows": rows,
        "scale_max": top,
        "total_weighted_gap": sum(r.weighted_gap or 0 for r in rows),
        "unknown": sum(1 for r in rows if r.level is None),
    }


# --- Priorities ------------------------------------------------------------------------------


def priorities(user: Any, unit: OrgUnit, *, groups: int = 15) -> dict[str, Any]:
    """Competences ranked by total weighted gap (and people below target) in the unit's subtree,
    and the job role × unit groups where an offer would help most."""
    full = sees_everyone_in(user, unit)
    minimum = settings_for(unit.municipality_id).min_group_size
    rows: list[dict[str, Any]] = []
    cells = _aggregates([unit.pk]).get(unit.pk, {})
    competences = {c.pk: c for c in _competences(set(cells))}
    for competence_id, cell in cells.items():
        if not full and (0 < cell.known < minimum or 0 < cell.people < minimum):
            cell.suppressed = True
        rows.append({"competence": competences[competence_id], "cell": cell})
    rows.sort(
        key=lambda r: (
            r["cell"].suppressed,
            -r["cell"].weighted_gap_sum,
            -r["cell"].below,
            r["competence"].pk,
        )
    )
    if full:  # everyone in the subtree counts: the kept groups (`gaps.groups`)
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
    names = {c.pk: c for c in _competences({g["competence_id"] for g in top_groups})}
    for g in top_groups:
        g["competence"] = names[g["competence_id"]]
    return {"rows": rows, "groups": top_groups, "full_view": full, "minimum": minimum}


# --- Trend -----------------------------------------------------------------------------------


def campaigns_for(user: Any, unit: OrgUnit) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(scope_for(user).municipalities_q(), municipality_id=unit.municipality_id)
        .exclude(kind=Campaign.Kind.NEEDS_SURVEY)
        .order_by("opens_on", "id")
    )


def _levels_at(
    unit: OrgUnit, eq: dict[int, list[int]], *, campaign: Campaign | None, date: datetime.date | None
) -> dict[tuple[int, int], int]:
    """(employee, target competence) -> level from the ratings of a campaign, or as of a date,
    following the municipality's source order (the same rule as CurrentLevel)."""
    order = (
        AssessmentSettings.objects.filter(municipality_id=unit.municipality_id)
        .values_list("current_level_order", flat=True)
        .first()
        or DEFAULT_LEVEL_ORDER
    ).split(",")
    reverse: dict[int, list[int]] = defaultdict(list)
    for target, group in eq.items():
        for c in group:
            reverse[c].append(target)
    ratings = Rating.objects.filter(
        unit__isnull=True,
        superseded_by__isnull=True,
        competence_id__in=list(reverse),
    ).filter(unit.subtree_q("employee__unit__path"))
    if campaign is not None:
        ratings = ratings.filter(campaign=campaign)
    if date is not None:
        end = datetime.datetime.combine(
            date + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
        )
        ratings = ratings.filter(rated_at__lt=end)
    latest: dict[tuple[int, int, str], tuple[Any, int, int | None]] = {}
    for employee_id, competence_id, source, level, rated_at, pk in ratings.values_list(
        "employee_id", "competence_id", "source", "level", "rated_at", "id"
    ).iterator(chunk_size=20000):
        for target in reverse[competence_id]:
            key = (employee_id, target, source)
            if key not in latest or (rated_at, pk) > latest[key][:2]:
                latest[key] = (rated_at, pk, level)
    result: dict[tuple[int, int], int] = {}
    people = {(e, t) for e, t, _ in latest}
    for employee_id, target in people:
        for source in order:
            found = latest.get((employee_id, target, source.strip()))
            if found is not None and found[2] is not None:
                result[(employee_id, target)] = found[2]
                break
    return result


def trend(
    user: Any,
    unit: OrgUnit,
    *,
    a: Campaign | None = None,
    b: Campaign | None = None,
    date_a: datetime.date | None = None,
    date_b: datetime.date | None = None,
) -> dict[str, Any]:
    """Gap closed between two campaigns or two dates, per competence and per unit below, for the
    people the user may see, measured against their current targets. Computed from the rating
    snapshot of every person's levels in every campaign (`gaps.snapshots`); between two dates, from
    the rating history on request."""
    full = sees_everyone_in(user, unit)
    minimum = settings_for(unit.municipality_id).min_group_size
    children = list(org_selectors.units_for_user(user).filter(parent=unit).order_by("name"))
    visible = scope_for(user).employees_q("employee__")
    per_comp: dict[int, list[int]]  # people, gap a, gap b
    per_unit: dict[tuple[int, int], list[int]]
    if a is not None and b is not None and date_a is None and date_b is None:
        per_comp, per_unit = snapshots.trend_counts(unit, children, a.pk, b.pk, None if full else visible)
    else:
        facts = list(
            GapFact.objects.filter(visible)
            .filter(unit.subtree_q("unit__path"))
            .values_list("employee_id", "competence_id", "target_level", "unit__path")
        )
        eq = equivalents({f[1] for f in facts})
        first = _levels_at(unit, eq, campaign=a, date=date_a)
        second = _levels_at(unit, eq, campaign=b, date=date_b)
        per_comp, per_unit = defaultdict(lambda: [0, 0, 0]), defaultdict(lambda: [0, 0, 0])
        for employee_id, competence_id, target, path in facts:
            la, lb = first.get((employee_id, competence_id)), second.get((employee_id, competence_id))
            ga, gb = gap(target, la), gap(target, lb)
            if ga is None or gb is None:
                continue
            for bucket in [per_comp[competence_id]] + [
                per_unit[(child.pk, competence_id)] for child in children if path.startswith(child.path)
            ]:
                bucket[0] += 1
                bucket[1] += ga
                bucket[2] += gb
    competences = _competences(set(per_comp))

    def summary(values: list[int]) -> dict[str, Any]:
        n, ga, gb = values
        hidden = not full and 0 < n < minimum
        if hidden or n == 0:
            return {"people": n, "suppressed": hidden, "mean_a": None, "mean_b": None, "closed": None}
        return {"people": n, "suppressed": False, "mean_a": ga / n, "mean_b": gb / n, "closed": (ga - gb) / n}

    comp_rows = [{"competence": c, **summary(per_comp[c.pk])} for c in competences]
    unit_rows: list[dict[str, Any]] = [
        {"unit": child, "cells": [summary(per_unit[(child.pk, c.pk)]) for c in competences]}
        for child in children
    ]
    if not full:  # differencing: the unit total minus its children must not reveal a small group
        for i, c in enumerate(competences):
            _, hidden = suppress_group(
                per_comp[c.pk][0],
                {r["unit"].pk: per_unit[(r["unit"].pk, c.pk)][0] for r in unit_rows},
                minimum,
            )
            for r in unit_rows:
                if r["unit"].pk in hidden:
                    r["cells"][i] = {
                        **r["cells"][i],
                        "suppressed": True,
                        "mean_a": None,
                        "mean_b": None,
                        "closed": None,
                    }
    return {
        "competences": competences,
        "rows": comp_rows,
        "unit_rows": unit_rows,
        "full_view": full,
        "minimum": minimum,
    }


def employees_visible(user: Any) -> Q:
    return scope_for(user).employees_q()
