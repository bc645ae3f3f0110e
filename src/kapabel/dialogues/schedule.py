"""When each person's dialogue in a cycle is due: the cycle's end (fixed window) or the anniversary of
the person's employment start within the cycle's period (relative to the hire date)."""

from __future__ import annotations

import datetime


def anniversary(start: datetime.date, year: int) -> datetime.date:
    """`start`'s day in `year` (29 February falls on 28 February in other years)."""
    try:
        return start.replace(year=year)
    except ValueError:
        return datetime.date(year, 2, 28)


def person_window(
    *,
    schedule: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    window_days: int,
    employment_start: datetime.date | None,
) -> tuple[datetime.date, datetime.date]:
    """(window opens, due) for one person."""
    if schedule != "hire_date" or employment_start is None:
        return starts_on, ends_on
    due = ends_on
    for year in range(starts_on.year, ends_on.year + 1):
        candidate = anniversary(employment_start, year)
        if starts_on <= candidate <= ends_on and candidate > employment_start:
            due = candidate
            break
    opens = max(starts_on, due - datetime.timedelta(days=window_days))
    return opens, due


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved `months` ahead; the 31st becomes the month's last day where it has none."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")
