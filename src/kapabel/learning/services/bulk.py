"""Enrolling a group in one action (the tailored course for 112 people): set-based, a fixed number of
queries whatever the group's size."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.learning import events, permissions, selectors
from kapabel.learning.models import LIVE_STATUSES, Cohort, Enrolment, EnrolmentStatus, EnrolmentStatusChange
from kapabel.learning.services import guards
from kapabel.learning.services.guards import Refused
from kapabel.learning.services.state import lock_cohort, needs_hr_approval, sync_full
from kapabel.organisation.models import Employee

S = EnrolmentStatus


@dataclass
class BulkResult:
    booked: list[Enrolment] = field(default_factory=list)
    waitlisted: list[Enrolment] = field(default_factory=list)
    awaiting_hr: list[Enrolment] = field(default_factory=list)
    # Already on the cohort (a live enrolment): left as they were.
    skipped: list[Employee] = field(default_factory=list)


@transaction.atomic
def enrolments_bulk_book(*, cohort: Cohort, employees: Iterable[Employee | int], actor: Actor) -> BulkResult:
    """Book a group onto a cohort in the order given: the free places (capacity minus places taken) to
    the first, the rest on the waiting list in that order. People already enrolled are skipped. Every
    other problem (no right to book someone, inactive, another municipality, prerequisites,
    overlapping bookings) refuses the whole action with one line per person; nothing is written."""
    ids = list(dict.fromkeys(e if isinstance(e, int) else e.pk for e in employees))
    cohort = lock_cohort(cohort)
    people = Employee.objects.select_related("unit").in_bulk(ids)
    missing = [pk for pk in ids if pk not in people]
    if missing:
        raise Refused(_("Unknown people: %(ids)s.") % {"ids": ", ".join(map(str, missing))}, code="unknown")
    ordered = [people[pk] for pk in ids]

    manager_only = False
    if isinstance(actor, User):
        roles = {e.pk: permissions.booking_role(actor, e) for e in ordered}
        refused = [e.name for e in ordered if roles[e.pk] in (None, "self")]
        if refused:
            raise PermissionDenied(_("You may not book: %(names)s.") % {"names": ", ".join(refused)})
        manager_only = any(role == "manager" for role in roles.values())
    guards.check_not_started(cohort)
    if manager_only:
        guards.check_registration_open(cohort)

    already = set(
        Enrolment.objects.filter(cohort=cohort, employee_id__in=ids, status__in=LIVE_STATUSES).values_list(
            "employee_id", flat=True
        )
    )
    result = BulkResult(skipped=[e for e in ordered if e.pk in already])
    todo = [e for e in ordered if e.pk not in already]
    problems = _problems(cohort, todo)
    if problems:
        raise Refused(" ".join(problems), code="bulk")
    if not todo:
        return result

    now = timezone.now()
    label = audit.actor_label(actor)
    user = actor if isinstance(actor, User) else None
    if manager_only and needs_hr_approval(cohort.offer):
        statuses = [S.AWAITING_HR] * len(todo)
    else:
        free = (
            0
            if selectors.waitlist(cohort).exists()
            else max(cohort.capacity - selectors.places_taken(cohort), 0)
        )
        statuses = [S.BOOKED if i < free else S.WAITLISTED for i in range(len(todo))]
    rows = [
        Enrolment(
            cohort=cohort,
            employee=employee,
            status=status,
            # The order given is the queue order: a microsecond apart, so `queued_at` alone sorts them.
            queued_at=now + datetime.timedelta(microseconds=i) if status != S.AWAITING_HR else None,
            requested_by=user,
            requested_by_label=label,
        )
        for i, (employee, status) in enumerate(zip(todo, statuses, strict=True))
    ]
    Enrolment.objects.bulk_create(rows, batch_size=500)
    if any(row.pk is None for row in rows):  # backends that do not return ids from a bulk insert
        by_employee = dict(
            Enrolment.objects.filter(
                cohort=cohort, employee_id__in=[e.pk for e in todo], status__in=LIVE_STATUSES
            ).values_list("employee_id", "pk")
        )
        for row in rows:
            row.pk = by_employee[row.employee_id]
    reason = _("Booked together with %(count)d others.") % {"count": len(rows) - 1}
    changes = EnrolmentStatusChange.objects.bulk_create(
        [
            EnrolmentStatusChange(
                enrolment=row,
                from_status="",
                to_status=row.status,
                actor=user,
                actor_label=label,
                at=now,
                reason=reason,
            )
            for row in rows
        ],
        batch_size=500,
    )
    for row in rows:
        buckets: dict[str, list[Enrolment]] = {S.BOOKED: result.booked, S.WAITLISTED: result.waitlisted}
        buckets.get(row.status, result.awaiting_hr).append(row)
    audit.record(
        "learning.enrolments.bulk_booked",
        actor=actor,
        obj=cohort,
        municipality_id=cohort.offer.municipality_id,
        changes={
            "booked": [0, len(result.booked)],
            "waitlisted": [0, len(result.waitlisted)],
            "awaiting_hr": [0, len(result.awaiting_hr)],
            "employees": [e.pk for e in todo],
        },
    )
    sync_full(cohort)
    events.emit("enrolment_status", {"changes": [c.pk for c in changes if c.pk is not None]})
    return result


def _problems(cohort: Cohort, people: list[Employee]) -> list[str]:
    """One sentence per person who cannot be booked, in a constant number of queries."""
    problems: list[str] = []
    for employee in people:
        try:
            guards.check_same_municipality(cohort, employee)
            guards.check_active(employee)
        except Refused as refused:
            problems.append(refused.messages[0])
    ids = [e.pk for e in people]
    missing = guards.missing_prerequisites(cohort.offer, ids)
    overlaps = selectors.overlapping_bookings(cohort, ids)
    for employee in people:
        if employee.pk in missing:
            problems.append(guards.prerequisites_message(employee, missing[employee.pk]))
        if employee.pk in overlaps:
            problems.append(guards.overlap_message(employee, overlaps[employee.pk]))
    return problems
