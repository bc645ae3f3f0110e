"""Display helpers for the dialogue templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

BADGES = {
    "not_booked": "",
    "booked": "badge-info",
    "held": "badge-success",
    "plan_agreed": "badge-success",
    "follow_up_due": "badge-warning",
    "overdue": "badge-error",
    "cancelled": "",
    "planned": "badge-info",
    "in_progress": "badge-warning",
    "done": "badge-success",
}


@register.filter
def status_badge(status: str) -> str:
    return BADGES.get(str(status), "")


@register.filter
def share(value: float | None) -> str:
    """A share as a whole percent ("–" when suppressed or empty)."""
    return "–" if value is None else f"{round(value * 100)} %"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
