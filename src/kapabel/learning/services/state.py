"""The machinery under every enrolment service: row locks, one status move with its history row and
audit event, placing an enrolment on a cohort (booked or waitlisted) and promoting from the waiting list.

Concurrency. Everything that can take or free a place first locks the cohort row
(`select_for_update()`), then counts. On PostgreSQL that serialises the writers of one cohort; on
SQLite `select_for_update` is a no-op, but the settings open every transaction IMMEDIATE, so writers
are serialised for the whole database. Locks are always taken cohort first, then enrolment."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.learning import events, selectors
from kapabel.learning.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    LearningSettings,
    Offer,
)
from kapabel.learning.services import guards
from kapabel.learning.services.guards import Refused
from kapabel.organisation.models import Employee

S = EnrolmentStatus


def lock_cohort(cohort: Cohort | int) -> Cohort:
    pk = cohort if isinstance(cohort, int) else cohort.pk
    return Cohort.objects.select_for_update().select_related("offer").get(pk=pk)


def lock_enrolment(enrolment: Enrolment | int, version: int | None = None) -> Enrolment:
    pk = enrolment if isinstance(enrolment, int) else enrolment.pk
    locked = (
        Enrolment.objects.select_for_update().select_related("employee__unit", "cohort__offer").get(pk=pk)
    )
    if version is not None and locked.version != version:
        raise Refused(guards.stale_message(), code="stale")
    return locked


def settings_for(municipality_id: int) -> LearningSettings:
    found = LearningSettings.objects.filter(municipality_id=municipality_id).first()
    return found or LearningSettings(municipality_id=municipality_id)


def needs_hr_approval(offer: Offer) -> bool:
    """The offer says so, or its price is at or above the municipality's threshold."""
    if offer.requires_hr_approval:
        return True
    threshold = settings_for(offer.municipality_id).hr_approval_price_threshold
    return threshold is not None and offer.price_per_participant >= threshold


def has_manager(employee: Employee) -> bool:
    """Someone other than the person leads their unit or a unit above it."""
    parts = [p for p in employee.unit.path.strip("/").split("/") if p]
    paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return (
        Employee.objects.filter(
            managed_units__path__in=paths,
            managed_units__active=True,
            managed_units__municipality_id=employee.municipality_id,
            active=True,
        )
        .exclude(pk=employee.pk)
        .exists()
    )


def move(
    enrolment: Enrolment,
    to: str,
    *,
    actor: Actor,
    reason: str = "",
    now: datetime.datetime | None = None,
    extra_fields: tuple[str, ...] = (),
) -> EnrolmentStatusChange:
    """One status move: checked against `TRANSITIONS`, saved with a raised version, an append-only
    history row and an audit event. A new enrolment (no pk) starts from ""."""
    guards.check_transition(enrolment, to)
    now = now or timezone.now()
    before = enrolment.status
    enrolment.status = to
    if to in (S.BOOKED, S.WAITLISTED) and enrolment.queued_at is None:
        enrolment.queued_at = now
    if enrolment.pk is None:
        enrolment.save()
    else:
        enrolment.version += 1
        enrolment.save(update_fields=["status", "queued_at", "version", "updated_at", *extra_fields])
    change = EnrolmentStatusChange.objects.create(
        enrolment=enrolment,
        from_status=before,
        to_status=to,
        actor=actor if isinstance(actor, User) else None,
        actor_label=audit.actor_label(actor),
        at=now,
        reason=reason,
    )
    audit.record(
        f"learning.enrolment.{to}",
        actor=actor,
        obj=enrolment,
        municipality_id=enrolment.cohort.offer.municipality_id,
        changes={"status": [before or None, to], **({"reason": reason} if reason else {})},
    )
    events.emit("enrolment_status", {"changes": [change.pk]})
    return change


def sync_full(cohort: Cohort) -> None:
    """An open cohort becomes full when every place is taken, and open again when one frees."""
    if cohort.status not in (Cohort.Status.OPEN, Cohort.Status.FULL):
        return
    status = Cohort.Status.FULL if selectors.places_taken(cohort) >= cohort.capacity else Cohort.Status.OPEN
    if status != cohort.status:
        Cohort.objects.filter(pk=cohort.pk).update(status=status, updated_at=timezone.now())
        cohort.status = status


def place(enrolment: Enrolment, cohort: Cohort, *, actor: Actor, reason: str = "") -> Enrolment:
    """Booked if a place is free and nobody waits, else waitlisted. `cohort` must be locked."""
    free = selectors.places_taken(cohort) < cohort.capacity
    target = S.BOOKED if free and not selectors.waitlist(cohort).exists() else S.WAITLISTED
    move(enrolment, target, actor=actor, reason=reason)
    sync_full(cohort)
    return enrolment


def promote(cohort: Cohort, *, actor: Actor) -> list[Enrolment]:
    """Give free places to the waiting list, first queued first. Someone who can no longer take the
    place (left the organisation, or booked meanwhile on a cohort at the same time) is declined with
    the reason, and the next in line gets it. `cohort` must be locked."""
    promoted: list[Enrolment] = []
    if cohort.status in (Cohort.Status.CANCELLED, Cohort.Status.COMPLETED):
        return promoted
    free = cohort.capacity - selectors.places_taken(cohort)
    while free > 0:
        head = selectors.waitlist(cohort).select_related("employee__unit", "cohort__offer").first()
        if head is None:
            break
        head.cohort = cohort
        problem = _promotion_problem(head, cohort)
        if problem:
            move(head, S.DECLINED, actor=actor, reason=problem)
            continue
        move(head, S.BOOKED, actor=actor, reason=_("A place became free on the waiting list."))
        promoted.append(head)
        free -= 1
    sync_full(cohort)
    return promoted


def _promotion_problem(enrolment: Enrolment, cohort: Cohort) -> str:
    try:
        guards.check_active(enrolment.employee)
        guards.check_no_overlap(cohort, enrolment.employee)
    except Refused as refused:
        return refused.messages[0]
    return ""


def actor_employee_id(actor: Actor) -> int | None:
    if isinstance(actor, User):
        from kapabel.core.access import scope_for

        return scope_for(actor).employee_id
    return None
