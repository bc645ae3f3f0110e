"""Attendance per session, and the result of an enrolment (completed with ECTS earned, or failed).
Completion creates the evidence for the competences the offer develops."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.learning import permissions
from kapabel.learning.models import Attendance, Cohort, Enrolment, EnrolmentStatus, Session
from kapabel.learning.services.evidence import evidence_create_for_enrolment
from kapabel.learning.services.guards import Refused
from kapabel.learning.services.state import lock_cohort, lock_enrolment, move

S = EnrolmentStatus
# Who can have attendance recorded: holding a place, result not yet given.
ATTENDING = (S.BOOKED, S.ATTENDED_FULL, S.ATTENDED_PARTIAL, S.NO_SHOW)


def _require_admin(actor: Actor, cohort: Cohort) -> None:
    if isinstance(actor, User):
        permissions.require_administer_learning(actor, cohort.offer.municipality_id)


def _attendance_status(marks: list[str], sessions: int) -> str | None:
    """The enrolment's status once every session has a mark; None while some are missing."""
    if len(marks) < sessions or not marks:
        return None
    if all(m == Attendance.Status.PRESENT for m in marks):
        return S.ATTENDED_FULL
    if all(m == Attendance.Status.ABSENT for m in marks):
        return S.NO_SHOW
    return S.ATTENDED_PARTIAL


@transaction.atomic
def attendance_record(*, session: Session, marks: dict[int, str], actor: Actor) -> list[Attendance]:
    """Record attendance for one session: {enrolment id: present | partial | absent}. Once every session
    of the cohort has a mark for a person, their enrolment becomes attended fully, partly, or no-show."""
    cohort = lock_cohort(session.cohort_id)
    _require_admin(actor, cohort)
    if session.starts_at > timezone.now():
        raise Refused(
            _("The session has not started yet; attendance is recorded from its start."), code="not_started"
        )
    if not marks:
        raise ValidationError({"marks": _("Give the attendance to record.")})
    bad = [value for value in marks.values() if value not in Attendance.Status.values]
    if bad:
        raise ValidationError(_("Unknown attendance: %(values)s.") % {"values": ", ".join(map(str, bad))})
    enrolments = {
        e.pk: e
        for e in Enrolment.objects.filter(cohort=cohort, pk__in=list(marks)).select_related("cohort__offer")
    }
    strangers = [pk for pk in marks if pk not in enrolments]
    if strangers:
        raise Refused(_("Some of the enrolments are not on this cohort."), code="other_cohort")
    not_attending = [e for e in enrolments.values() if e.status not in ATTENDING]
    if not_attending:
        raise Refused(
            _("Attendance can only be recorded for booked participants whose result is not yet given."),
            code="transition",
        )
    existing = {
        a.enrolment_id: a for a in Attendance.objects.filter(session=session, enrolment_id__in=list(marks))
    }
    user = actor if isinstance(actor, User) else None
    saved = []
    for enrolment_id, status in marks.items():
        row = existing.get(enrolment_id) or Attendance(session=session, enrolment_id=enrolment_id)
        row.status, row.recorded_by = status, user
        row.save()
        saved.append(row)
    sessions = Session.objects.filter(cohort=cohort).count()
    by_enrolment: dict[int, list[str]] = {}
    for enrolment_id, status in Attendance.objects.filter(enrolment_id__in=list(marks)).values_list(
        "enrolment_id", "status"
    ):
        by_enrolment.setdefault(enrolment_id, []).append(status)
    for enrolment_id, enrolment in enrolments.items():
        target = _attendance_status(by_enrolment.get(enrolment_id, []), sessions)
        if target is not None and target != enrolment.status:
            enrolment.cohort = cohort
            move(enrolment, target, actor=actor)
    audit.record(
        "learning.attendance.recorded",
        actor=actor,
        obj=session,
        municipality_id=cohort.offer.municipality_id,
        changes={"marks": {str(k): v for k, v in marks.items()}},
    )
    return saved


def _check_result(enrolment: Enrolment, cohort: Cohort) -> None:
    if cohort.first_starts_at is not None and cohort.first_starts_at > timezone.now():
        raise Refused(
            _("The cohort %(cohort)s has not started yet; results are given after it has run.")
            % {"cohort": cohort.display_title},
            code="not_started",
        )


@transaction.atomic
def enrolment_complete(
    *, enrolment: Enrolment, actor: Actor, ects_earned: Decimal | None = None, version: int | None = None
) -> Enrolment:
    """Mark an enrolment completed with the ECTS earned (default: the offer's) and create unconfirmed
    evidence for each competence the offer develops."""
    cohort = lock_cohort(enrolment.cohort_id)
    _require_admin(actor, cohort)
    locked = lock_enrolment(enrolment, version)
    locked.cohort = cohort
    _check_result(locked, cohort)
    locked.ects_earned = ects_earned if ects_earned is not None else cohort.offer.ects
    move(locked, S.COMPLETED, actor=actor, extra_fields=("ects_earned",))
    evidence_create_for_enrolment(enrolment=locked, actor=actor)
    enrolment.status, enrolment.version, enrolment.ects_earned = (
        locked.status,
        locked.version,
        locked.ects_earned,
    )
    return locked


@transaction.atomic
def enrolment_fail(
    *, enrolment: Enrolment, actor: Actor, reason: str = "", version: int | None = None
) -> Enrolment:
    """Mark an enrolment not passed (no ECTS, no evidence)."""
    cohort = lock_cohort(enrolment.cohort_id)
    _require_admin(actor, cohort)
    locked = lock_enrolment(enrolment, version)
    locked.cohort = cohort
    _check_result(locked, cohort)
    locked.ects_earned = Decimal("0") if cohort.offer.ects else None
    move(locked, S.FAILED, actor=actor, reason=reason, extra_fields=("ects_earned",))
    enrolment.status, enrolment.version, enrolment.ects_earned = (
        locked.status,
        locked.version,
        locked.ects_earned,
    )
    return locked
