"""Enrolment transitions: request, book, approve, decline, cancel. Each is one transaction that locks
the cohort, checks its guards (refusing with `Refused` and writing nothing), moves the status through
`state.move` (history row, audit event) and, when a place frees, promotes the waiting list.

The flow: a person's own request goes `requested` → `awaiting_manager` (when someone leads their unit
or a unit above it) → `awaiting_hr` (when the offer requires it, or its price is at or above the
municipality's threshold) → `booked`, or `waitlisted` when the cohort is full. A manager's booking of
their own people skips the manager step (and still goes to HR when the offer needs it); HR and
administrators book at once. Places go first come, first served by `queued_at`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.learning import permissions, selectors
from kapabel.learning.models import Cohort, Enrolment, EnrolmentStatus
from kapabel.learning.permissions import BookingRole
from kapabel.learning.services import guards
from kapabel.learning.services.guards import Refused
from kapabel.learning.services.state import (
    has_manager,
    lock_cohort,
    lock_enrolment,
    move,
    needs_hr_approval,
    place,
    promote,
)
from kapabel.organisation.models import Employee

S = EnrolmentStatus


def _booking_role(actor: Actor, employee: Employee) -> BookingRole:
    """System actors (the command line, the demo, imports) act as administrators."""
    if not isinstance(actor, User):
        return "admin"
    role = permissions.booking_role(actor, employee)
    if role is None:
        raise PermissionDenied(_("You may not enrol %(name)s.") % {"name": employee.name})
    return role


def check_new(cohort: Cohort, employee: Employee, *, window: bool) -> None:
    """The guards for a new enrolment on a (locked) cohort, in the order a person would fix them."""
    guards.check_same_municipality(cohort, employee)
    guards.check_active(employee)
    guards.check_not_started(cohort)
    if window:
        guards.check_registration_open(cohort)
    guards.check_not_enrolled(cohort, employee)
    guards.check_prerequisites(cohort.offer, employee)
    guards.check_no_overlap(cohort, employee)


def _new(cohort: Cohort, employee: Employee, actor: Actor, note: str) -> Enrolment:
    return Enrolment(
        cohort=cohort,
        employee=employee,
        status="",
        requested_by=actor if isinstance(actor, User) else None,
        requested_by_label=audit.actor_label(actor),
        note=note,
    )


def route(enrolment: Enrolment, cohort: Cohort, *, actor: Actor, manager_done: bool = False) -> Enrolment:
    """Send a request to the next approval step, or place it when none is left."""
    if not manager_done and has_manager(enrolment.employee):
        move(enrolment, S.AWAITING_MANAGER, actor=actor)
    elif needs_hr_approval(cohort.offer):
        move(enrolment, S.AWAITING_HR, actor=actor)
    else:
        guards.check_active(enrolment.employee)
        guards.check_no_overlap(cohort, enrolment.employee)
        place(enrolment, cohort, actor=actor)
    return enrolment


@transaction.atomic
def enrolment_request(
    *, cohort: Cohort, employee: Employee, actor: Actor, note: str = "", window: bool = True
) -> Enrolment:
    """A person asks for a place for themselves. `window=False` is for places offered to the
    interest list when a cohort is created (the registration window does not apply)."""
    if isinstance(actor, User) and permissions.booking_role(actor, employee) != "self":
        raise PermissionDenied(_("You can only request a place for yourself."))
    cohort = lock_cohort(cohort)
    check_new(cohort, employee, window=window)
    enrolment = _new(cohort, employee, actor, note)
    move(enrolment, S.REQUESTED, actor=actor)
    return route(enrolment, cohort, actor=actor)


@transaction.atomic
def enrolment_book(
    *, cohort: Cohort, employee: Employee, actor: Actor, note: str = "", waitlist: bool = True
) -> Enrolment:
    """Put someone on a cohort: a manager for their own people, HR for anyone in their grant, an
    administrator for anyone in the municipality. The result is `booked`, or `waitlisted` when the
    cohort is full (with `waitlist=False` a full cohort is refused instead), or `awaiting_hr` when a
    manager books an offer that needs HR approval. Someone booking themselves makes a request."""
    role = _booking_role(actor, employee)
    if role == "self":
        return enrolment_request(cohort=cohort, employee=employee, actor=actor, note=note)
    cohort = lock_cohort(cohort)
    check_new(cohort, employee, window=role == "manager")
    enrolment = _new(cohort, employee, actor, note)
    if role == "manager" and needs_hr_approval(cohort.offer):
        move(
            enrolment,
            S.AWAITING_HR,
            actor=actor,
            reason=_("Booked by the manager; the offer needs HR approval."),
        )
        return enrolment
    if not waitlist and (
        selectors.places_taken(cohort) >= cohort.capacity or selectors.waitlist(cohort).exists()
    ):
        raise Refused(guards.full_message(cohort), code="capacity")
    return place(enrolment, cohort, actor=actor)


@transaction.atomic
def enrolment_approve(
    *, enrolment: Enrolment, actor: Actor, version: int | None = None, reason: str = ""
) -> Enrolment:
    """Approve the step the enrolment waits at: the manager's (then on to HR when needed) or HR's
    (then booked, or waitlisted when full)."""
    cohort = lock_cohort(enrolment.cohort_id)
    locked = lock_enrolment(enrolment, version)
    locked.cohort = cohort
    employee = locked.employee
    if locked.status in (S.REQUESTED, S.AWAITING_MANAGER):
        if isinstance(actor, User) and not permissions.can_approve_manager_step(actor, employee):
            raise PermissionDenied(
                _("Only a manager of %(name)s can approve this request.") % {"name": employee.name}
            )
        guards.check_not_started(cohort)
        if needs_hr_approval(cohort.offer):
            move(locked, S.AWAITING_HR, actor=actor, reason=reason)
        else:
            guards.check_active(employee)
            guards.check_no_overlap(cohort, employee)
            place(locked, cohort, actor=actor, reason=reason)
    elif locked.status == S.AWAITING_HR:
        if isinstance(actor, User) and not permissions.can_approve_hr_step(actor, employee):
            raise PermissionDenied(
                _("Only HR can approve this request for %(name)s.") % {"name": employee.name}
            )
        guards.check_not_started(cohort)
        guards.check_active(employee)
        guards.check_no_overlap(cohort, employee)
        place(locked, cohort, actor=actor, reason=reason)
    else:
        guards.check_transition(locked, S.AWAITING_HR if locked.status == S.REQUESTED else S.BOOKED)
        raise Refused(_("This enrolment is not waiting for approval."), code="transition")
    _sync(enrolment, locked)
    return locked


@transaction.atomic
def enrolment_decline(
    *, enrolment: Enrolment, actor: Actor, version: int | None = None, reason: str = ""
) -> Enrolment:
    """Decline a request at its approval step, or take back a waiting or booked place (the manager,
    HR or an administrator). A freed place goes to the first on the waiting list."""
    cohort = lock_cohort(enrolment.cohort_id)
    locked = lock_enrolment(enrolment, version)
    locked.cohort = cohort
    employee = locked.employee
    guards.check_transition(locked, S.DECLINED)
    if isinstance(actor, User):
        if locked.status in (S.REQUESTED, S.AWAITING_MANAGER):
            allowed = permissions.can_approve_manager_step(actor, employee)
        elif locked.status == S.AWAITING_HR:
            allowed = permissions.can_approve_hr_step(actor, employee)
        else:
            allowed = permissions.can_act_for(actor, employee)
        if not allowed:
            raise PermissionDenied(_("You may not decline this enrolment."))
    held_place = locked.status == S.BOOKED
    if held_place:
        guards.check_not_started(cohort)
    move(locked, S.DECLINED, actor=actor, reason=reason)
    if held_place:
        promote(cohort, actor=actor)
    _sync(enrolment, locked)
    return locked


@transaction.atomic
def enrolment_cancel(
    *, enrolment: Enrolment, actor: Actor, version: int | None = None, reason: str = ""
) -> Enrolment:
    """The person cancels (or their manager, HR or an administrator for them). A booked place can be
    given up by the person and their manager until the cancellation cut-off (HR and administrators
    until the start); a request or a waiting-list place can be withdrawn until the start."""
    cohort = lock_cohort(enrolment.cohort_id)
    locked = lock_enrolment(enrolment, version)
    locked.cohort = cohort
    role: BookingRole = "admin"
    if isinstance(actor, User):
        found = permissions.booking_role(actor, locked.employee)
        if found is None:
            raise PermissionDenied(_("You may not cancel this enrolment."))
        role = found
    guards.check_transition(locked, S.CANCELLED_BY_PERSON)
    guards.check_not_started(cohort)
    held_place = locked.status == S.BOOKED
    if held_place and role in ("self", "manager"):
        guards.check_cancellation_cutoff(cohort)
    move(locked, S.CANCELLED_BY_PERSON, actor=actor, reason=reason)
    if held_place:
        promote(cohort, actor=actor)
    _sync(enrolment, locked)
    return locked


@transaction.atomic
def waitlist_promote(*, cohort: Cohort, actor: Actor) -> list[Enrolment]:
    """Give any free places to the waiting list (after capacity was raised, or as a repair)."""
    return promote(lock_cohort(cohort), actor=actor)


def _sync(original: Enrolment, locked: Enrolment) -> None:
    """Let the caller's object show the new state."""
    for name in ("status", "queued_at", "version", "ects_earned"):
        setattr(original, name, getattr(locked, name))
