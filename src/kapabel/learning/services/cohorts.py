"""Cohorts (hold), their sessions, rooms and facilitators, and the interest list."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User
from kapabel.learning import events, permissions, selectors
from kapabel.learning.models import (
    PENDING_STATUSES,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    Facilitator,
    Interest,
    Offer,
    Room,
    Session,
)
from kapabel.learning.services import guards
from kapabel.learning.services.guards import Refused
from kapabel.learning.services.state import lock_cohort, move, promote, sync_full
from kapabel.organisation.models import Employee

S = EnrolmentStatus
_UNSET: Any = object()

COHORT_FIELDS = (
    "offer",
    "code",
    "title",
    "capacity",
    "min_size",
    "registration_opens",
    "registration_closes",
    "cancellation_cutoff",
    "status",
)


# The status moves `cohort_set_status` allows (cancelling has its own service); pages offer these.
COHORT_STATUS_MOVES: dict[str, tuple[str, ...]] = {
    Cohort.Status.PLANNED: (Cohort.Status.OPEN, Cohort.Status.RUNNING),
    Cohort.Status.OPEN: (Cohort.Status.PLANNED, Cohort.Status.RUNNING),
    Cohort.Status.FULL: (Cohort.Status.PLANNED, Cohort.Status.RUNNING),
    Cohort.Status.RUNNING: (Cohort.Status.COMPLETED,),
}


def _require_admin(actor: Actor, municipality_id: int) -> None:
    if isinstance(actor, User):
        permissions.require_administer_learning(actor, municipality_id)


@dataclass(frozen=True)
class SessionSpec:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str = ""
    online: bool = False
    online_url: str = ""
    room: Room | None = None


@transaction.atomic
def room_create(
    *, municipality: Municipality, name: str, actor: Actor, address: str = "", capacity: int | None = None
) -> Room:
    _require_admin(actor, municipality.pk)
    room = Room(municipality=municipality, name=name, address=address, capacity=capacity)
    audit.create_audited(
        room, fields=("name", "address", "capacity"), action="learning.room.created", actor=actor
    )
    return room


@transaction.atomic
def cohort_create(
    *,
    offer: Offer,
    capacity: int,
    actor: Actor,
    code: str = "",
    title: str = "",
    min_size: int = 0,
    registration_opens: datetime.datetime | None = None,
    registration_closes: datetime.datetime | None = None,
    cancellation_cutoff: datetime.datetime | None = None,
    status: str = Cohort.Status.PLANNED,
    sessions: Sequence[SessionSpec] = (),
    offer_to_interested: bool = True,
) -> Cohort:
    """Create a cohort with its sessions. The offer's open interests are then offered places first come,
    first served: booked (or waitlisted) when no approval is needed, otherwise sent as a request."""
    _require_admin(actor, offer.municipality_id)
    if status in (
        Cohort.Status.CANCELLED,
        Cohort.Status.COMPLETED,
        Cohort.Status.RUNNING,
        Cohort.Status.FULL,
    ):
        raise ValidationError({"status": _("A new cohort is planned or open.")})
    cohort = Cohort(
        offer=offer,
        capacity=capacity,
        code=code,
        title=title,
        min_size=min_size,
        registration_opens=registration_opens,
        registration_closes=registration_closes,
        cancellation_cutoff=cancellation_cutoff,
        status=status,
        created_by=actor if isinstance(actor, User) else None,
    )
    audit.create_audited(
        cohort,
        fields=COHORT_FIELDS,
        action="learning.cohort.created",
        actor=actor,
        municipality_id=offer.municipality_id,
    )
    for spec in sessions:
        _session_save(Session(cohort=cohort), spec)
    _refresh_span(cohort)
    if offer_to_interested:
        interest_offer_places(cohort=cohort, actor=actor)
    return cohort


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    actor: Actor,
    code: str = _UNSET,
    title: str = _UNSET,
    capacity: int = _UNSET,
    min_size: int = _UNSET,
    registration_opens: datetime.datetime | None = _UNSET,
    registration_closes: datetime.datetime | None = _UNSET,
    cancellation_cutoff: datetime.datetime | None = _UNSET,
) -> Cohort:
    """Change a cohort's details. Capacity may not drop below the places taken; raised capacity goes
    to the waiting list at once."""
    _require_admin(actor, cohort.offer.municipality_id)
    locked = lock_cohort(cohort)
    given = {
        "code": code,
        "title": title,
        "capacity": capacity,
        "min_size": min_size,
        "registration_opens": registration_opens,
        "registration_closes": registration_closes,
        "cancellation_cutoff": cancellation_cutoff,
    }
    values = {k: v for k, v in given.items() if v is not _UNSET}
    if capacity is not _UNSET:
        taken = selectors.places_taken(locked)
        if capacity < taken:
            raise Refused(
                _("The capacity cannot be lower than the %(count)d places already taken.") % {"count": taken},
                code="capacity",
            )

    changes = audit.update_audited(
        locked,
        fields=COHORT_FIELDS,
        values=values,
        action="learning.cohort.changed",
        actor=actor,
        municipality_id=locked.offer.municipality_id,
    )
    if changes:
        Cohort.objects.filter(pk=locked.pk).update(sequence=F("sequence") + 1)
        locked.refresh_from_db(fields=["sequence"])
        events.emit("cohort_changed", {"cohort": locked.pk})
    if "capacity" in changes:
        promote(locked, actor=actor)
        sync_full(locked)
    cohort.refresh_from_db()
    return locked


@transaction.atomic
def cohort_set_status(*, cohort: Cohort, status: str, actor: Actor) -> Cohort:
    """Open a planned cohort for registration (full at once if it already is), close it again, or mark
    it running or completed. Cancelling has its own service."""
    _require_admin(actor, cohort.offer.municipality_id)
    locked = lock_cohort(cohort)
    if status not in COHORT_STATUS_MOVES.get(locked.status, ()):
        raise Refused(
            _("A cohort that is “%(current)s” cannot become “%(target)s”.")
            % {"current": Cohort.Status(locked.status).label, "target": Cohort.Status(status).label},
            code="transition",
        )
    before = locked.status
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    sync_full(locked)
    audit.record(
        "learning.cohort.status",
        actor=actor,
        obj=locked,
        municipality_id=locked.offer.municipality_id,
        changes={"status": [before, locked.status]},
    )
    events.emit("cohort_changed", {"cohort": locked.pk})
    cohort.status = locked.status
    return locked


@transaction.atomic
def cohort_cancel(*, cohort: Cohort, actor: Actor, reason: str = "") -> Cohort:
    """Cancel a cohort: every request, waiting and booked place becomes `cancelled_by_cohort` (with
    history; nothing is deleted), the calendar events are cancelled (`sequence` raised)."""
    _require_admin(actor, cohort.offer.municipality_id)
    locked = lock_cohort(cohort)
    if locked.status in (Cohort.Status.CANCELLED, Cohort.Status.COMPLETED):
        raise Refused(
            _("A cohort that is “%(current)s” cannot be cancelled.")
            % {"current": Cohort.Status(locked.status).label},
            code="transition",
        )
    now = timezone.now()
    affected = list(
        Enrolment.objects.filter(
            cohort=locked, status__in=[*PENDING_STATUSES, S.WAITLISTED, S.BOOKED]
        ).values_list("pk", "status")
    )
    Enrolment.objects.filter(pk__in=[pk for pk, _status in affected]).update(
        status=S.CANCELLED_BY_COHORT, version=F("version") + 1, updated_at=now
    )
    label = audit.actor_label(actor)
    user = actor if isinstance(actor, User) else None
    history = EnrolmentStatusChange.objects.bulk_create(
        [
            EnrolmentStatusChange(
                enrolment_id=pk,
                from_status=status,
                to_status=S.CANCELLED_BY_COHORT,
                actor=user,
                actor_label=label,
                at=now,
                reason=reason,
            )
            for pk, status in affected
        ]
    )
    before = locked.status
    locked.status = Cohort.Status.CANCELLED
    locked.cancelled_at = now
    locked.cancel_reason = reason
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "sequence", "updated_at"])
    audit.record(
        "learning.cohort.cancelled",
        actor=actor,
        obj=locked,
        municipality_id=locked.offer.municipality_id,
        changes={"status": [before, locked.status], "enrolments": [0, len(affected)], "reason": reason},
    )
    events.emit("enrolment_status", {"changes": [h.pk for h in history if h.pk is not None]})
    events.emit("cohort_cancelled", {"cohort": locked.pk})
    cohort.status, cohort.cancelled_at, cohort.sequence = locked.status, now, locked.sequence
    return locked


@transaction.atomic
def cohorts_advance(*, now: datetime.datetime | None = None, actor: Actor = "scheduler") -> int:
    """Time moves cohorts on: open, full or planned ones whose first session has started become
    running. Returns how many changed. (Completion is for HR to mark once the results are in.)"""
    now = now or timezone.now()
    ids = list(
        Cohort.objects.filter(
            status__in=[Cohort.Status.PLANNED, Cohort.Status.OPEN, Cohort.Status.FULL],
            first_starts_at__lte=now,
        ).values_list("pk", flat=True)
    )
    if ids:
        Cohort.objects.filter(pk__in=ids).update(status=Cohort.Status.RUNNING, updated_at=now)
        audit.record(
            "learning.cohorts.started",
            actor=actor,
            object_type="learning.cohort",
            object_repr=_("%(count)d cohorts started") % {"count": len(ids)},
            changes={"cohorts": ids},
        )
    return len(ids)


# --- Sessions and facilitators ------------------------------------------------------------------


def _session_save(session: Session, spec: SessionSpec) -> Session:
    session.starts_at, session.ends_at = spec.starts_at, spec.ends_at
    session.place, session.online, session.online_url, session.room = (
        spec.place,
        spec.online,
        spec.online_url,
        spec.room,
    )
    if spec.room is not None and spec.room.municipality_id != session.cohort.offer.municipality_id:
        raise ValidationError({"room": _("The room belongs to another municipality.")})
    if spec.ends_at <= spec.starts_at:
        raise ValidationError({"ends_at": _("A session must end after it starts.")})
    session.full_clean(exclude=["cohort"])
    session.save()
    return session


def _refresh_span(cohort: Cohort) -> None:
    span = Session.objects.filter(cohort=cohort).aggregate(first=Min("starts_at"), last=Max("ends_at"))
    cohort.first_starts_at, cohort.last_ends_at = span["first"], span["last"]
    Cohort.objects.filter(pk=cohort.pk).update(first_starts_at=span["first"], last_ends_at=span["last"])


def _session_changed(cohort: Cohort) -> None:
    _refresh_span(cohort)
    Cohort.objects.filter(pk=cohort.pk).update(sequence=F("sequence") + 1)
    cohort.refresh_from_db(fields=["sequence"])
    events.emit("cohort_changed", {"cohort": cohort.pk})


@transaction.atomic
def session_create(*, cohort: Cohort, spec: SessionSpec, actor: Actor) -> Session:
    """Add a session. Room and facilitator double bookings and public holidays are flagged by
    `selectors.booking_conflicts` / `selectors.holiday_flags`, not refused: planners decide."""
    _require_admin(actor, cohort.offer.municipality_id)
    locked = lock_cohort(cohort)
    if locked.status in (Cohort.Status.CANCELLED, Cohort.Status.COMPLETED):
        guards.check_not_started(locked)  # refuses with the cohort's state
    session = _session_save(Session(cohort=locked), spec)
    audit.record(
        "learning.session.created",
        actor=actor,
        obj=session,
        municipality_id=locked.offer.municipality_id,
        changes={"starts_at": [None, spec.starts_at], "ends_at": [None, spec.ends_at]},
    )
    _session_changed(locked)
    return session


@transaction.atomic
def session_update(*, session: Session, spec: SessionSpec, actor: Actor) -> Session:
    cohort = session.cohort
    _require_admin(actor, cohort.offer.municipality_id)
    locked = lock_cohort(cohort)
    before = (session.starts_at, session.ends_at, session.place, session.room_id)
    _session_save(session, spec)
    Session.objects.filter(pk=session.pk).update(sequence=F("sequence") + 1)
    session.refresh_from_db(fields=["sequence"])
    audit.record(
        "learning.session.changed",
        actor=actor,
        obj=session,
        municipality_id=locked.offer.municipality_id,
        changes={"before": [str(v) for v in before], "starts_at": [before[0], spec.starts_at]},
    )
    _session_changed(locked)
    return session


@transaction.atomic
def session_delete(*, session: Session, actor: Actor) -> None:
    cohort = session.cohort
    _require_admin(actor, cohort.offer.municipality_id)
    locked = lock_cohort(cohort)
    if session.attendance.exists():
        raise Refused(
            _("Attendance has been recorded for this session; it cannot be removed."), code="attendance"
        )
    audit.record(
        "learning.session.deleted", actor=actor, obj=session, municipality_id=locked.offer.municipality_id
    )
    session.delete()
    _session_changed(locked)


@transaction.atomic
def facilitator_add(
    *,
    actor: Actor,
    cohort: Cohort | None = None,
    session: Session | None = None,
    employee: Employee | None = None,
    external_name: str = "",
    hours: Decimal | None = None,
) -> Facilitator:
    """A teacher for a whole cohort or one session: a colleague (`employee`) or an external name."""
    target = cohort if cohort is not None else session.cohort if session is not None else None
    if target is None:
        raise ValidationError(_("Give the cohort or the session the facilitator teaches."))
    municipality_id = target.offer.municipality_id
    _require_admin(actor, municipality_id)
    if employee is not None and employee.municipality_id != municipality_id:
        raise Refused(
            _("%(name)s belongs to another municipality than the cohort %(cohort)s.")
            % {"name": employee.name, "cohort": target.display_title},
            code="other_municipality",
        )
    facilitator = Facilitator(
        cohort=cohort, session=session, employee=employee, external_name=external_name.strip(), hours=hours
    )
    audit.create_audited(
        facilitator,
        fields=("cohort", "session", "employee", "external_name", "hours"),
        action="learning.facilitator.added",
        actor=actor,
        municipality_id=municipality_id,
    )
    return facilitator


# --- Interest -----------------------------------------------------------------------------------


@transaction.atomic
def interest_register(*, offer: Offer, employee: Employee, actor: Actor, note: str = "") -> Interest:
    """Someone would like a place on an offer that has no suitable cohort yet (the person themselves,
    or someone who may book them)."""
    if isinstance(actor, User) and permissions.booking_role(actor, employee) is None:
        raise PermissionDenied(_("You may not register interest for %(name)s.") % {"name": employee.name})
    if employee.municipality_id != offer.municipality_id:
        raise Refused(
            _("%(name)s belongs to another municipality than the offer.") % {"name": employee.name},
            code="other_municipality",
        )
    guards.check_active(employee)
    if Interest.objects.filter(offer=offer, employee=employee, handled_at__isnull=True).exists():
        raise Refused(
            _("%(name)s is already on the interest list for %(offer)s.")
            % {"name": employee.name, "offer": offer.title},
            code="already_interested",
        )
    interest = Interest(
        offer=offer, employee=employee, note=note, created_by=actor if isinstance(actor, User) else None
    )
    audit.create_audited(
        interest,
        fields=("offer", "employee", "note"),
        action="learning.interest.registered",
        actor=actor,
        municipality_id=offer.municipality_id,
    )
    return interest


@transaction.atomic
def interest_offer_places(*, cohort: Cohort, actor: Actor) -> list[Enrolment]:
    """Offer the new cohort's places to the offer's open interests, first come first served. Someone
    who needs approval gets a request on its way; the others are booked or waitlisted. Someone who
    cannot take part (inactive, prerequisites, an overlapping booking) keeps their interest open."""
    from kapabel.learning.services.enrolment import check_new, route

    locked = lock_cohort(cohort)
    created: list[Enrolment] = []
    if locked.status in (Cohort.Status.CANCELLED, Cohort.Status.COMPLETED, Cohort.Status.RUNNING):
        return created
    now = timezone.now()
    for interest in (
        Interest.objects.filter(offer=locked.offer, handled_at__isnull=True)
        .select_related("employee__unit")
        .order_by("created_at", "id")
    ):
        employee = interest.employee
        try:
            with transaction.atomic():
                check_new(locked, employee, window=False)
                enrolment = Enrolment(
                    cohort=locked,
                    employee=employee,
                    status="",
                    requested_by=interest.created_by,
                    requested_by_label=audit.actor_label(actor),
                    note=interest.note,
                )
                move(enrolment, S.REQUESTED, actor=actor, reason=_("Offered a place from the interest list."))
                route(enrolment, locked, actor=actor)
        except Refused:
            continue
        Interest.objects.filter(pk=interest.pk).update(cohort=locked, handled_at=now)
        created.append(enrolment)
    return created
