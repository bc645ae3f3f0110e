"""Display helpers for the programme report, whose dates are ISO strings (the report is also JSON)."""

from __future__ import annotations

import datetime

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def iso_date(value: str | None) -> str:
    """An ISO date from the report in the active language's short format."""
    if not value:
        return ""
    try:
        return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except ValueError:
        return value
