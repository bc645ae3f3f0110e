"""Evidence of learning (from a completed enrolment or an internal activity), internal learning
activities, and personal calendar feeds."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kapabel.learning.models.catalogue import OfferKind
from kapabel.learning.models.enrolment import Enrolment


class InternalActivity(models.Model):
    """Internal learning between colleagues: peer training (sidemandsoplæring), mentoring, shadowing
    (følordning) or team-based learning, with dates, hours and outcome. Completing it creates evidence
    like a course does."""

    class Kind(models.TextChoices):
        PEER_TRAINING = OfferKind.PEER_TRAINING.value, OfferKind.PEER_TRAINING.label
        MENTORING = OfferKind.MENTORING.value, OfferKind.MENTORING.label
        SHADOWING = OfferKind.SHADOWING.value, OfferKind.SHADOWING.label
        TEAM_LEARNING = OfferKind.TEAM_LEARNING.value, OfferKind.TEAM_LEARNING.label

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    learner = models.ForeignKey(
        "organisation.Employee", on_delete=models.PROTECT, related_name="learning_activities"
    )
    mentor = models.ForeignKey(
        "organisation.Employee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mentoring_activities",
        verbose_name=_("colleague"),
    )
    competence = models.ForeignKey(
        "competences.Competence", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_level = models.PositiveSmallIntegerField(
        _("target level"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("internal learning activity")
        verbose_name_plural = _("internal learning activities")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="internal_activity_dates",
            ),
            models.CheckConstraint(
                condition=~Q(learner=models.F("mentor")), name="internal_activity_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "status"], name="activity_learner_idx"),
            models.Index(fields=["mentor", "status"], name="activity_mentor_idx"),
            models.Index(fields=["municipality", "status"], name="activity_muni_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.learner_id}<-{self.mentor_id}"


class Evidence(models.Model):
    """That a person has shown a competence at a level, from a completed enrolment or internal
    activity. It counts once a manager or HR confirms it: confirmation writes a rating with source
    "evidence" (`rating`) through the rating service, which moves the gap analysis."""

    employee = models.ForeignKey("organisation.Employee", on_delete=models.PROTECT, related_name="evidence")
    competence = models.ForeignKey("competences.Competence", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1)])
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    activity = models.ForeignKey(
        InternalActivity, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    rating = models.ForeignKey(
        "assessments.Rating", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment__isnull=False, activity__isnull=True)
                | Q(enrolment__isnull=True, activity__isnull=False),
                name="evidence_one_source",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "competence"],
                condition=Q(enrolment__isnull=False),
                name="evidence_enrolment_unique",
            ),
            models.UniqueConstraint(
                fields=["activity", "competence"],
                condition=Q(activity__isnull=False),
                name="evidence_activity_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "confirmed_at"], name="evidence_employee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}/{self.competence_id}={self.level}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class CalendarFeed(models.Model):
    """A person's calendar feed. The URL carries `token`, a random secret; renewing it replaces the
    token, so an old URL stops working."""

    employee = models.OneToOneField(
        "organisation.Employee", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    renewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.employee_id}"
