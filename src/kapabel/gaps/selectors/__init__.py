"""Reads of the gap analysis, always scoped to the acting user (already checked with
`kapabel.gaps.permissions`, which also decides who sees a unit's figures in full).

Aggregated figures of a unit are shown to anyone who may see the unit; when the viewer may not see
every person in it individually, groups smaller than the municipality's minimum size are
suppressed, also where a parent minus its shown children would reveal a small group
(`suppress_group`). Figures come from the maintained `GapAggregate` / `GapFact` tables.

One module per concept; the names are re-exported here, so `selectors.heatmap(...)` keeps working.
"""

from kapabel.gaps.selectors.figures import BUCKETS, Cell, competences_in_order, minimum_group_size, unit_cells
from kapabel.gaps.selectors.heatmap import Heatmap, Row, cell_people, heatmap, heatmap_cell
from kapabel.gaps.selectors.priorities import default_unit, priorities, unit_choices
from kapabel.gaps.selectors.profile import ProfileRow, person_profile, profile_summary
from kapabel.gaps.selectors.suppression import apply_suppression, suppress_group
from kapabel.gaps.selectors.trend import TrendChoice, campaigns_for, trend, trend_choice
from kapabel.gaps.selectors.units import visible_ancestors

__all__ = [
    "BUCKETS",
    "Cell",
    "Heatmap",
    "ProfileRow",
    "Row",
    "TrendChoice",
    "apply_suppression",
    "campaigns_for",
    "cell_people",
    "competences_in_order",
    "default_unit",
    "heatmap",
    "heatmap_cell",
    "minimum_group_size",
    "person_profile",
    "profile_summary",
    "priorities",
    "suppress_group",
    "trend",
    "trend_choice",
    "unit_cells",
    "unit_choices",
    "visible_ancestors",
]
