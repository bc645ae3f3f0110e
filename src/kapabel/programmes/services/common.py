"""Shared pieces of the programme services: the refusal and the date format in messages."""

from __future__ import annotations

import datetime

from django.utils.formats import date_format

from kapabel.learning.services.guards import Refused

__all__ = ["Refused", "when"]

# A week has 168 hours: more is impossible, whatever a contract says.
HOURS_IN_A_WEEK = 168


def when(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")
