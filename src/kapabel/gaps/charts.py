"""Geometry of the person-profile bar chart (an SVG drawn by the template; no script, no inline
style). Computed here so the template only displays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from kapabel.gaps.selectors.profile import ProfileRow

LABEL_WIDTH = 260
BAR_AREA = 400
BAR_HEIGHT = 10
GROUP_HEIGHT = 56


def profile_chart(rows: list[ProfileRow], scale_max: int) -> dict[str, Any]:
    series = [
        ("target", _("Target")),
        ("self_level", _("Self")),
        ("manager_level", _("Manager")),
        ("agreed_level", _("Agreed")),
    ]
    unit = BAR_AREA / max(scale_max, 1)
    groups = []
    for index, row in enumerate(rows):
        top = 20 + index * GROUP_HEIGHT
        bars = []
        for position, (attribute, label) in enumerate(series):
            value = getattr(row, attribute)
            bars.append(
                {
                    "css": f"chart-{attribute.replace('_level', '')}",
                    "label": label,
                    "value": value,
                    "x": LABEL_WIDTH,
                    "y": top + position * (BAR_HEIGHT + 1),
                    "width": round((value or 0) * unit, 1),
                    "text_x": LABEL_WIDTH + round((value or 0) * unit, 1) + 4,
                }
            )
        groups.append({"label": row.competence.name, "y": top + 2 * BAR_HEIGHT, "bars": bars})
    ticks = [{"value": v, "x": LABEL_WIDTH + round(v * unit, 1)} for v in range(0, scale_max + 1)]
    height = 40 + len(rows) * GROUP_HEIGHT
    return {
        "groups": groups,
        "ticks": ticks,
        "width": LABEL_WIDTH + BAR_AREA + 40,
        "height": height,
        "axis_y": height - 16,
        "legend": [{"css": f"chart-{a.replace('_level', '')}", "label": label} for a, label in series],
    }
