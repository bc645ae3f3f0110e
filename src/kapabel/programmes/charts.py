"""Geometry of the hours-away vs substitute-hours chart (an SVG drawn by the template; no script, no
inline style), one small chart per unit. The same figures are in the table beside it."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

HEIGHT = 120
BAR = 6
GAP = 3
LEFT = 4


def unit_week_charts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_unit: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for row in rows:
        by_unit.setdefault(row["unit"], []).append(row)
    top = max(
        [max(r["hours_away"] or 0, r["substitute_hours"] or 0) for r in rows] or [0],
    )
    scale = HEIGHT / top if top else 0
    charts = []
    for unit, weeks in by_unit.items():
        bars = []
        for index, week in enumerate(weeks):
            x = LEFT + index * (2 * BAR + GAP)
            for offset, key, css in (
                (0, "hours_away", "chart-away"),
                (BAR, "substitute_hours", "chart-substitute"),
            ):
                value = week[key]
                height = round((value or 0) * scale, 1)
                bars.append(
                    {
                        "x": x + offset,
                        "y": round(HEIGHT - height, 1),
                        "width": BAR,
                        "height": height,
                        "css": css,
                        "title": f"{week['week_start']}: {value if value is not None else '–'}",
                    }
                )
        charts.append(
            {
                "unit": unit,
                "bars": bars,
                "width": LEFT + len(weeks) * (2 * BAR + GAP) + LEFT,
                "height": HEIGHT,
                "weeks": weeks,
            }
        )
    return charts
