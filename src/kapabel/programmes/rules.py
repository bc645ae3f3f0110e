"""The funding and coverage rules as pure functions: no ORM, no clock. Every rate, cap and duration
comes in as an argument — read from the dated `SchemeParameter` rows by the selectors — so a test can
reproduce each figure by hand and an administrator's new row changes the result without a deploy.

Money is `Decimal`, rounded to øre (0.01) half up where a figure is shown."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

ZERO = Decimal(0)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def hours(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def shown_date(day: datetime.date) -> str:
    """A date for a message, in the active language's long format (1. februar 2026 in Danish)."""
    return date_format(day, "DATE_FORMAT")


def shown(value: Decimal, places: int = 2) -> str:
    """A number for a message, in the active language's format (12,50 in Danish)."""
    return number_format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), places)


# --- dated parameters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One dated parameter value (a `SchemeParameter` row in memory)."""

    key: str
    value: Decimal
    valid_from: datetime.date
    valid_to: datetime.date | None = None

    def in_force(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def param_at(params: Iterable[Param], key: str, day: datetime.date) -> Decimal | None:
    """The value of `key` in force on `day` (the latest-starting row that covers it), or None."""
    best: Param | None = None
    for p in params:
        if p.key == key and p.in_force(day) and (best is None or p.valid_from > best.valid_from):
            best = p
    return best.value if best is not None else None


# --- calendar --------------------------------------------------------------------------------------


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s week."""
    return day - datetime.timedelta(days=day.weekday())


def weeks_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The Mondays of every week that `start`..`end` (inclusive) touches."""
    first, result = week_start(start), []
    while first <= end:
        result.append(first)
        first += WEEK
    return result


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole calendar months; the 31st becomes the month's last day when it has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_first = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last = (next_first - DAY).day
    return datetime.date(year, month, min(day.day, last))


def workdays(start: datetime.date, end: datetime.date) -> int:
    """Monday–Friday days in `start`..`end` (inclusive)."""
    if end < start:
        return 0
    return sum(1 for n in range((end - start).days + 1) if (start + n * DAY).weekday() < 5)


# --- training hours from bookings --------------------------------------------------------------------


def session_hours_by_week(
    sessions: Iterable[tuple[datetime.datetime, datetime.datetime]], day_cap: Decimal
) -> dict[datetime.date, Decimal]:
    """Hours away on training per week from a cohort's sessions (local, aware or naive datetimes).

    A session is split at midnight; each day counts at most `day_cap` hours (a fifth of a full-time
    week) and Saturdays and Sundays count nothing, so a "full-time week" booked as one long session counts
    as five full days, not seven 24-hour days."""
    per_day: dict[datetime.date, Decimal] = defaultdict(lambda: ZERO)
    for starts, ends in sessions:
        cursor = starts
        while cursor < ends:
            midnight = datetime.datetime.combine(cursor.date() + DAY, datetime.time(0), tzinfo=cursor.tzinfo)
            piece_end = min(ends, midnight)
            seconds = Decimal(int((piece_end - cursor).total_seconds()))
            per_day[cursor.date()] += seconds / Decimal(3600)
            cursor = piece_end
    result: dict[datetime.date, Decimal] = defaultdict(lambda: ZERO)
    for day, value in per_day.items():
        if day.weekday() >= 5:
            continue
        result[week_start(day)] += min(value, day_cap)
    return dict(result)


def participant_week_hours(
    cohort_weeks: Sequence[dict[datetime.date, Decimal]], week_cap: Decimal
) -> dict[datetime.date, Decimal]:
    """A participant's training hours per week: the sum over the cohorts they hold a place on, at most
    a full-time week."""
    result: dict[datetime.date, Decimal] = defaultdict(lambda: ZERO)
    for weeks in cohort_weeks:
        for week, value in weeks.items():
            result[week] += value
    return {week: min(value, week_cap) for week, value in result.items()}


def placement_week_hours(
    starts_on: datetime.date, ends_on: datetime.date, hours_per_week: Decimal, week: datetime.date
) -> Decimal:
    """A placement's substitute hours in the week starting `week`: its weekly hours, in proportion to
    the working days (Mon–Fri) of that week it covers."""
    first, last = max(starts_on, week), min(ends_on, week + 6 * DAY)
    return hours_per_week * Decimal(workdays(first, last)) / Decimal(5)


# --- money -----------------------------------------------------------------------------------------


def weekly_ydelse(training_hours: Decimal, substitute_hours: Decimal, rate: Decimal | None) -> Decimal:
    """Jobrotationsydelse of one week: paid hour for hour, min(training, substitute hours) × rate."""
    if rate is None or training_hours <= 0 or substitute_hours <= 0:
        return ZERO
    return money(min(training_hours, substitute_hours) * rate)


def rolling_used(
    earlier: Iterable[tuple[datetime.date, Decimal]], start: datetime.date, months: int = 12
) -> Decimal:
    """What a person was granted with a start in the rolling `months` before `start` (exclusive of the
    day `months` back, inclusive of `start`)."""
    since = add_months(start, -months)
    return sum((amount for day, amount in earlier if since < day <= start), ZERO)


def fund_grant(eligible_costs: Decimal, share_pct: Decimal, cap: Decimal, used: Decimal = ZERO) -> Decimal:
    """Den Kommunale Kompetencefond: `share_pct` % of the eligible costs, at most what is left of the
    person's cap in the rolling 12 months (`cap` − `used`)."""
    if eligible_costs <= 0:
        return ZERO
    left = max(cap - used, ZERO)
    return money(min(eligible_costs * share_pct / Decimal(100), left))


def application_window(
    start: datetime.date, months_before: int, days_before: int
) -> tuple[datetime.date, datetime.date]:
    """The first and last day an application may be sent: `months_before` months and `days_before`
    days before the start (Kompetencefond: 9 months .. the day before)."""
    return add_months(start, -months_before), start - datetime.timedelta(days=days_before)


def open_for_new(closed_to_new: Decimal | None) -> bool:
    """A scheme accepts a forløb starting on a date unless the `closed_to_new` row in force then is set.
    Forløb started before the closure keep running: call it with the forløb's start date."""
    return not closed_to_new


# --- validations (translatable warnings) -----------------------------------------------------------


def check_contracted(label: str, week: datetime.date, placed: Decimal, contracted: Decimal) -> str | None:
    if placed > contracted:
        return _(
            "%(who)s is placed %(placed)s hours in the week of %(week)s, more than the %(contracted)s "
            "contracted hours."
        ) % {"who": label, "placed": shown(placed), "week": shown_date(week), "contracted": shown(contracted)}
    return None


def check_absence(label: str, week: datetime.date, training: Decimal, placed: Decimal) -> str | None:
    if placed > 0 and training <= 0:
        return _("%(who)s covers in the week of %(week)s, but nobody they cover is away on training.") % {
            "who": label,
            "week": shown_date(week),
        }
    return None


def check_average(label: str, total: Decimal, weeks: int, minimum: Decimal | None) -> str | None:
    if minimum is None or weeks <= 0:
        return None
    average = total / Decimal(weeks)
    if average < minimum:
        return _("%(who)s averages %(average)s hours a week; the scheme requires at least %(minimum)s.") % {
            "who": label,
            "average": hours(average),
            "minimum": hours(minimum),
        }
    return None


def check_duration(
    label: str, starts_on: datetime.date, ends_on: datetime.date, max_months: Decimal | None
) -> str | None:
    if max_months is None:
        return None
    limit = add_months(starts_on, int(max_months)) - DAY
    if ends_on > limit:
        return _(
            "%(who)s is placed from %(start)s to %(end)s, longer than the maximum of %(months)s months."
        ) % {
            "who": label,
            "start": shown_date(starts_on),
            "end": shown_date(ends_on),
            "months": int(max_months),
        }
    return None


def check_unemployment(label: str, months: Decimal, minimum: Decimal | None) -> str | None:
    if minimum is not None and months < minimum:
        return _(
            "%(who)s was unemployed for %(months)s months before hiring; the scheme requires at least "
            "%(minimum)s."
        ) % {"who": label, "months": shown(months, 1), "minimum": int(minimum)}
    return None


def check_overlap(participant: str, week: datetime.date, placements: int) -> str | None:
    if placements > 1:
        return _("%(who)s is covered by %(count)s placements at once in the week of %(week)s.") % {
            "who": participant,
            "count": placements,
            "week": shown_date(week),
        }
    return None


def closed_warning(what: str, scheme: str, day: datetime.date) -> str:
    return _("%(what)s relies on %(scheme)s, which is closed to new forløb on %(day)s.") % {
        "what": what,
        "scheme": scheme,
        "day": shown_date(day),
    }


def not_open_warning(what: str, scheme: str, day: datetime.date) -> str:
    return _(
        "%(what)s relies on %(scheme)s, which has no rules in force on %(day)s (not yet open, or an "
        "administrator has not entered that year's figures)."
    ) % {"what": what, "scheme": scheme, "day": shown_date(day)}


def exhausted_warning(what: str, scheme: str, day: datetime.date) -> str:
    return _("%(what)s relies on %(scheme)s, but the cap is used up on %(day)s (rolling 12 months).") % {
        "what": what,
        "scheme": scheme,
        "day": shown_date(day),
    }


def combination_warning(participant: str, week: datetime.date, other: str) -> str:
    return _(
        "%(who)s has %(other)s for the same hours as jobrotation in the week of %(week)s; those hours "
        "earn no jobrotationsydelse."
    ) % {"who": participant, "other": other, "week": shown_date(week)}
