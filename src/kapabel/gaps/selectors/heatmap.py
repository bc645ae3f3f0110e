"""The heatmap: units × competences, each cell the share below target and the mean gap, and the
drill-down from one cell to the people behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from kapabel.competences.models import Competence, FrameworkVersion
from kapabel.core.access import scope_for
from kapabel.core.models import User
from kapabel.gaps import permissions
from kapabel.gaps.definition import settings_for
from kapabel.gaps.models import GapFact
from kapabel.gaps.selectors.figures import Cell, competences_in_order, unit_cells
from kapabel.gaps.selectors.suppression import apply_suppression
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation.models import OrgUnit


@dataclass
class Row:
    unit: OrgUnit
    cells: list[Cell]
    has_children: bool = False
    is_focus: bool = False
    full_view: bool = True


@dataclass
class ColumnGroup:
    """Consecutive columns from one framework version (the table's column group, a card's list)."""

    version: FrameworkVersion
    competences: list[Competence]


@dataclass
class UnitCard:
    """One row of the heatmap as the small-screen view shows it: per column group, the
    competences with the unit's cell."""

    row: Row
    groups: list[tuple[ColumnGroup, list[tuple[Competence, Cell]]]]


@dataclass
class Heatmap:
    focus: OrgUnit | None
    competences: list[Competence]
    rows: list[Row]
    minimum: int
    any_suppressed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def groups(self) -> list[ColumnGroup]:
        """The columns grouped by framework version, in column order."""
        groups: list[ColumnGroup] = []
        for competence in self.competences:
            if not groups or groups[-1].version.pk != competence.version_id:
                groups.append(ColumnGroup(competence.version, []))
            groups[-1].competences.append(competence)
        return groups

    @property
    def cards(self) -> list[UnitCard]:
        groups = self.groups
        cards = []
        for row in self.rows:
            cells = iter(row.cells)
            cards.append(
                UnitCard(row, [(group, [(c, next(cells)) for c in group.competences]) for group in groups])
            )
        return cards


def heatmap(user: User, unit: OrgUnit | None = None, *, children_only: bool = False) -> Heatmap:
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
    cells = unit_cells(ids if parent is None or children_only is False else [parent.pk, *ids])
    apply_suppression(user, parent, [u for u in rows_units if u != parent], cells)
    with_children = set(units_qs.filter(parent_id__in=ids).values_list("parent_id", flat=True))
    # Versions of a competence are already folded into its newest shown version (`unit_cells`).
    competences = competences_in_order({c for u in rows_units for c in cells.get(u.pk, {})})
    rows = [
        Row(
            unit=u,
            cells=[cells.get(u.pk, {}).get(c.pk, Cell(competence_id=c.pk)) for c in competences],
            has_children=u.pk in with_children and u != parent,
            is_focus=u == parent,
            full_view=permissions.can_view_everyone_in(user, u),
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


def heatmap_cell(user: User, unit: OrgUnit, competence: Competence) -> Cell:
    """The unit's own cell of its heatmap (`heatmap(user, unit)`) for one competence — the same
    figure and the same suppression, reading only that competence's aggregates (with those of its
    earlier versions, folded into it as in the heatmap)."""
    children = list(org_selectors.units_for_user(user).filter(parent=unit))
    only = [competence.pk]
    cells = unit_cells([unit.pk, *(u.pk for u in children)], only)
    apply_suppression(user, unit, children, cells, only)
    return cells.get(unit.pk, {}).get(competence.pk, Cell(competence_id=competence.pk))


def cell_people(user: User, unit: OrgUnit, competence: Competence) -> QuerySet[GapFact]:
    """The people behind a heatmap cell whom the user may see individually."""
    return (
        GapFact.objects.filter(scope_for(user).employees_q("employee__"))
        .filter(unit.subtree_q("unit__path"), competence=competence)
        .select_related("employee", "unit", "job_role")
        .order_by("-gap", "employee__name", "employee_id")
    )
