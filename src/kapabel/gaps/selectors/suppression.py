"""Suppression of small groups: which figures a viewer who may not see every person in a unit
individually must not be shown (docs/gaps.md, section 4)."""

from __future__ import annotations

from typing import Any

from kapabel.core.models import User
from kapabel.gaps import permissions
from kapabel.gaps.definition import settings_for
from kapabel.gaps.selectors.figures import Cell, Cells, unit_cells
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation.models import OrgUnit


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


def apply_suppression(
    user: User,
    parent: OrgUnit | None,
    units: list[OrgUnit],
    cells: Cells,
    competence_ids: list[int] | None = None,
) -> None:
    """Suppress in place: `parent` (may be None) with its shown children `units`. Each competence is
    decided on its own, so `cells` may hold some competences only (`competence_ids`, passed on to
    the parent's page that the parent's status is taken from)."""
    group = [u for u in ([parent] if parent else []) + units if not permissions.can_view_everyone_in(user, u)]
    if not group:
        return
    minimum = settings_for(group[0].municipality_id).min_group_size
    shown = {c for u in ([parent] if parent else []) + units for c in cells.get(u.pk, {})}
    parent_hidden_from_above: set[int] = set()
    if parent is not None and parent.parent_id and not permissions.can_view_everyone_in(user, parent):
        grand = org_selectors.units_for_user(user).filter(pk=parent.parent_id).first()
        if grand is not None:  # keep the parent's status consistent with its parent's page
            siblings = list(org_selectors.units_for_user(user).filter(parent=grand))
            above = unit_cells([grand.pk] + [s.pk for s in siblings], competence_ids)
            apply_suppression(user, grand, siblings, above, competence_ids)
            parent_hidden_from_above = {c for c, cell in above.get(parent.pk, {}).items() if cell.suppressed}
    for competence_id in shown:

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
                not permissions.can_view_everyone_in(user, parent)
                and parent_hidden
                and competence_id in cells.get(parent.pk, {})
            ):
                cells[parent.pk][competence_id].suppressed = True
        else:
            hidden = {u.pk for u in units for m in ("people", "known") if 0 < count(u, m) < minimum}
        for unit in units:
            if (
                unit.pk in hidden
                and not permissions.can_view_everyone_in(user, unit)
                and competence_id in cells.get(unit.pk, {})
            ):
                cells[unit.pk][competence_id].suppressed = True
