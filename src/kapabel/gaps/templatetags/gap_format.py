"""Number formatting for the gap views, in the active language's format (1,5 / 42 % in Danish)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{number_format(value * 100, 0)} %"


@register.filter
def dec(value: float | None, places: int = 1) -> str:
    if value is None:
        return "–"
    return number_format(value, places)
