"""Enrolment: one person's place (or request for one) on a cohort, as an explicit state machine with an
append-only history, and attendance per session.

The states and the allowed moves between them are data here (`TRANSITIONS`); the services in
`kapabel.learning.services.enrolment` are the only code that changes `Enrolment.status`, each move
through `transition()` which checks this table, bumps `version` and writes an `EnrolmentStatusChange`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kapabel.learning.models.cohorts import Cohort, Session


class EnrolmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    AWAITING_MANAGER = "awaiting_manager", _("Awaiting manager approval")
    AWAITING_HR = "awaiting_hr", _("Awaiting HR approval")
    BOOKED = "booked", _("Booked")
    WAITLISTED = "waitlisted", _("On the waiting list")
    ATTENDED_FULL = "attended_full", _("Attended fully")
    ATTENDED_PARTIAL = "attended_partial", _("Attended partly")
    NO_SHOW = "no_show", _("Did not attend")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Not passed")
    DECLINED = "declined", _("Declined")
    CANCELLED_BY_PERSON = "cancelled_by_person", _("Cancelled by the participant")
    CANCELLED_BY_COHORT = "cancelled_by_cohort", _("Cancelled with the cohort")


S = EnrolmentStatus

# Waiting for someone's approval.
PENDING_STATUSES = (S.REQUESTED, S.AWAITING_MANAGER, S.AWAITING_HR)
# Holding a place: these count against the cohort's capacity.
PLACE_STATUSES = (S.BOOKED, S.ATTENDED_FULL, S.ATTENDED_PARTIAL, S.NO_SHOW, S.COMPLETED, S.FAILED)
# Ended without taking part; a person may enrol in the same cohort again afterwards.
ENDED_STATUSES = (S.DECLINED, S.CANCELLED_BY_PERSON, S.CANCELLED_BY_COHORT)
# Live: everything else (at most one per cohort and person).
LIVE_STATUSES = tuple(s for s in S if s not in ENDED_STATUSES)

# The state machine: from -> allowed targets. "" is the start (a new enrolment).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "": (S.REQUESTED, S.AWAITING_HR, S.BOOKED, S.WAITLISTED),
    S.REQUESTED: (
        S.AWAITING_MANAGER,
        S.AWAITING_HR,
        S.BOOKED,
        S.WAITLISTED,
        S.DECLINED,
        S.CANCELLED_BY_PERSON,
        S.CANCELLED_BY_COHORT,
    ),
    S.AWAITING_MANAGER: (
        S.AWAITING_HR,
        S.BOOKED,
        S.WAITLISTED,
        S.DECLINED,
        S.CANCELLED_BY_PERSON,
        S.CANCELLED_BY_COHORT,
    ),
    S.AWAITING_HR: (S.BOOKED, S.WAITLISTED, S.DECLINED, S.CANCELLED_BY_PERSON, S.CANCELLED_BY_COHORT),
    S.WAITLISTED: (S.BOOKED, S.DECLINED, S.CANCELLED_BY_PERSON, S.CANCELLED_BY_COHORT),
    S.BOOKED: (
        S.ATTENDED_FULL,
        S.ATTENDED_PARTIAL,
        S.NO_SHOW,
        S.COMPLETED,
        S.FAILED,
        S.DECLINED,
        S.CANCELLED_BY_PERSON,
        S.CANCELLED_BY_COHORT,
    ),
    S.ATTENDED_FULL: (S.ATTENDED_PARTIAL, S.NO_SHOW, S.COMPLETED, S.FAILED),
    S.ATTENDED_PARTIAL: (S.ATTENDED_FULL, S.NO_SHOW, S.COMPLETED, S.FAILED),
    S.NO_SHOW: (S.ATTENDED_FULL, S.ATTENDED_PARTIAL, S.FAILED),
    S.COMPLETED: (),
    S.FAILED: (),
    S.DECLINED: (),
    S.CANCELLED_BY_PERSON: (),
    S.CANCELLED_BY_COHORT: (),
}


class Enrolment(models.Model):
    """A person's enrolment on a cohort. `queued_at` orders the waiting list (first come, first
    served): set when the enrolment first becomes eligible for a place (booked or waitlisted), never
    changed afterwards. `version` is an optimistic-locking counter raised by every transition."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    employee = models.ForeignKey("organisation.Employee", on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus.choices)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    ects_earned = models.DecimalField(_("ECTS earned"), max_digits=5, decimal_places=1, null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by_label = models.CharField(max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["cohort", "queued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "employee"],
                condition=Q(status__in=[s.value for s in LIVE_STATUSES]),
                name="enrolment_one_live_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "status", "queued_at"], name="enrolment_queue_idx"),
            models.Index(fields=["employee", "status"], name="enrolment_employee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort_id}/{self.employee_id} {self.status}"

    @property
    def holds_place(self) -> bool:
        return self.status in PLACE_STATUSES

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES


class EnrolmentStatusChange(models.Model):
    """One move of an enrolment's status. Append-only: written by the enrolment services, never
    changed or deleted (a cancelled cohort keeps them)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=EnrolmentStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=EnrolmentStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    at = models.DateTimeField(db_index=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("enrolment status change")
        verbose_name_plural = _("enrolment status changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["enrolment", "at"], name="enrolment_history_idx")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.from_status or '-'} -> {self.to_status}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        PARTIAL = "partial", _("Partly present")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.enrolment_id} {self.status}"
