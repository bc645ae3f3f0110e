"""Reads for the managers' and HR's learning pages: the approval queue, the team calendar, cohort
administration, bulk booking and HR's start-page section. Like `selectors_pages`, each starts from a
scoped selector and runs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kapabel.core.access import scope_for
from kapabel.learning import permissions, selectors
from kapabel.learning.models import LIVE_STATUSES, Cohort, Enrolment, EnrolmentStatus, Offer
from kapabel.learning.selectors_pages import (
    UPCOMING_COHORTS,
    CalendarEntry,
    calendar,
    can_decide,
    cohort_fills,
)
from kapabel.organisation.models import Employee, OrgUnit

S = EnrolmentStatus


# --- Managers: approvals and the team calendar ------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    enrolment: Enrolment
    step: str  # "manager" or "hr"
    can_decide: bool


def approvals(user: Any, municipality_id: int | None = None) -> QuerySet[Enrolment]:
    """The approval queue of one municipality (all the user's when None), oldest first."""
    queue = selectors.approvals_for_user(user).select_related("cohort__offer", "employee__unit")
    if municipality_id is not None:
        queue = queue.filter(cohort__offer__municipality_id=municipality_id)
    return queue


def approval_rows(user: Any, enrolments: Any) -> list[Approval]:
    """Each queued enrolment with the step it waits at and whether this user may decide it (no
    queries: the permission helpers read the cached access scope)."""
    return [
        Approval(e, "hr" if e.status == S.AWAITING_HR else "manager", can_decide(user, e)) for e in enrolments
    ]


def approvals_to_decide(user: Any) -> int:
    """How many queued enrolments this user may decide now (for "My tasks" and the start page)."""
    return sum(1 for row in approval_rows(user, approvals(user)) if row.can_decide)


@dataclass
class Week:
    monday: datetime.date
    number: int
    entries: list[CalendarEntry] = field(default_factory=list)


def team_calendar(
    user: Any, municipality_id: int, *, weeks: int = 8, today: datetime.date | None = None
) -> list[Week]:
    """The coming `weeks` weeks of sessions that the user's people (everyone they may see but
    themselves) are booked on, grouped by ISO week; weeks without sessions are left out."""
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    until = timezone.make_aware(
        datetime.datetime.combine(monday + datetime.timedelta(weeks=weeks), datetime.time.min)
    )
    people = selectors.enrolments_for_user(user).filter(cohort__offer__municipality_id=municipality_id)
    me = scope_for(user).employee_id
    if me:
        people = people.exclude(employee_id=me)
    grouped: dict[datetime.date, Week] = {}
    for entry in calendar(people, since=start, until=until):
        day = timezone.localtime(entry.session.starts_at).date()
        week_monday = day - datetime.timedelta(days=day.weekday())
        week = grouped.setdefault(week_monday, Week(week_monday, week_monday.isocalendar()[1]))
        week.entries.append(entry)
    return [grouped[key] for key in sorted(grouped)]


# --- HR: cohort administration ----------------------------------------------------------------------


def cohorts_admin(user: Any, municipality_id: int, *, status: str = "", search: str = "") -> QuerySet[Cohort]:
    """The municipality's cohorts for administration, first start first (those without dates last).
    `status` "current" is every cohort not yet completed or cancelled."""
    cohorts = selectors.cohorts_for_user(user).filter(offer__municipality_id=municipality_id)
    if status == "current":
        cohorts = cohorts.filter(status__in=[*UPCOMING_COHORTS, Cohort.Status.RUNNING])
    elif status in Cohort.Status.values:
        cohorts = cohorts.filter(status=status)
    if search.strip():
        cohorts = cohorts.filter(
            Q(offer__title__icontains=search.strip())
            | Q(title__icontains=search.strip())
            | Q(code__icontains=search.strip())
        )
    return cohorts.order_by(F("first_starts_at").asc(nulls_last=True), "id")


def offers_for_cohorts(user: Any, municipality_id: int) -> QuerySet[Offer]:
    """Offers a new cohort can be made of."""
    return selectors.offers_for_user(user, active=True).filter(municipality_id=municipality_id)


def rooms(user: Any, municipality_id: int) -> QuerySet[Any]:
    return selectors.rooms_for_user(user).filter(municipality_id=municipality_id)


def cohorts_needing_attention(user: Any, municipality_id: int, *, days: int = 30) -> dict[str, Any]:
    """For HR's start page: upcoming cohorts starting within `days`, and upcoming cohorts below their
    minimum size."""
    now = timezone.now()
    upcoming = list(
        selectors.cohorts_for_user(user)
        .filter(offer__municipality_id=municipality_id, status__in=UPCOMING_COHORTS, first_starts_at__gt=now)
        .order_by("first_starts_at", "id")[:200]
    )
    fills = cohort_fills(upcoming)
    horizon = now + datetime.timedelta(days=days)
    soon = [c for c in upcoming if c.first_starts_at and c.first_starts_at <= horizon]
    small = [c for c in upcoming if c.min_size and fills[c.pk].under_minimum]
    return {
        "soon": [{"cohort": c, "fill": fills[c.pk]} for c in soon[:10]],
        "small": [{"cohort": c, "fill": fills[c.pk]} for c in small[:10]],
    }


@dataclass(frozen=True)
class Candidate:
    employee: Employee
    status: str  # their live status on the cohort, "" if none
    can_book: bool

    @property
    def status_label(self) -> str:
        return str(EnrolmentStatus(self.status).label) if self.status else ""


def units_for_booking(user: Any, municipality_id: int) -> QuerySet[OrgUnit]:
    from kapabel.organisation import selectors as org_selectors

    return org_selectors.units_for_user(user).filter(municipality_id=municipality_id, active=True)


def bulk_candidates(
    user: Any,
    municipality_id: int,
    cohort: Cohort,
    *,
    unit: OrgUnit | None = None,
    search: str = "",
    limit: int = 500,
) -> tuple[list[Candidate], int]:
    """Active people the user may see (of a unit's subtree, matching a name), with their status on
    the cohort and whether the user may book them; at most `limit`, and how many matched."""
    people = (
        selectors.people_for_user(user)
        .filter(municipality_id=municipality_id, active=True)
        .exclude(pk=scope_for(user).employee_id or 0)
    )
    if unit is not None:
        people = people.filter(unit.subtree_q("unit__path"))
    if search.strip():
        people = people.filter(name__icontains=search.strip())
    total = people.count()
    shown = list(people.order_by("name", "id")[:limit])
    statuses = dict(
        Enrolment.objects.filter(
            cohort=cohort, employee_id__in=[p.pk for p in shown], status__in=LIVE_STATUSES
        ).values_list("employee_id", "status")
    )
    return [
        Candidate(p, statuses.get(p.pk, ""), permissions.booking_role(user, p) in ("admin", "hr", "manager"))
        for p in shown
    ], total


def visible_people(user: Any, municipality_id: int, ids: list[int]) -> QuerySet[Employee]:
    """Of the given ids, the people of the municipality the user may see (a posted list is checked
    against this, never trusted)."""
    return selectors.people_for_user(user).filter(municipality_id=municipality_id, pk__in=ids)
