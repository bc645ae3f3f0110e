"""Programmes (KAMBU, Næstved's akademi/diplom programme): owner, purpose, target group, partners,
steering group, budget, phases linked to what they run, and participants with a status per phase."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    owner = models.ForeignKey(
        "organisation.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    owner_unit = models.ForeignKey(
        "organisation.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning unit"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    budget = models.DecimalField(
        _("budget (kr.)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    full_time_week_hours = models.DecimalField(
        _("hours in a full-time week"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("37"),
        validators=[MinValueValidator(1)],
        help_text=_("Training hours per day are capped at a fifth of this."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="programme_period"),
        ]

    def __str__(self) -> str:
        return self.name


class TargetLine(models.Model):
    """One line of a programme's target group: a unit (with its subtree), a job role or a person."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("Unit")
        JOB_ROLE = "job_role", _("Job role")
        EMPLOYEE = "employee", _("Person")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="target_lines")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT, null=True, blank=True)
    job_role = models.ForeignKey("organisation.JobRole", on_delete=models.PROTECT, null=True, blank=True)
    employee = models.ForeignKey("organisation.Employee", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("target group line")
        verbose_name_plural = _("target group lines")

    def __str__(self) -> str:
        return f"{self.kind} {getattr(self, f'{self.kind}_id')}"  # kind names the line's field


class Partner(models.Model):
    class Kind(models.TextChoices):
        PROVIDER = "provider", _("Education provider")
        UNION = "union", _("Union")
        JOBCENTER = "jobcenter", _("Jobcenter")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SteeringMember(models.Model):
    """A member of the steering group. With a login they read the programme's figures (never names)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="steering_members")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("steering group member")
        verbose_name_plural = _("steering group members")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="steering_member_unique_user"),
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    class Kind(models.TextChoices):
        CLARIFICATION = "clarification", _("Competence clarification")
        COURSE = "course", _("Course")
        EDUCATION = "education", _("Education modules")
        INTERNAL = "internal", _("Internal learning")
        ADAPTATION = "adaptation", _("Adaptation and follow-up")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COURSE)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    campaign = models.ForeignKey(
        "assessments.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clarification campaign"),
    )
    cohorts = models.ManyToManyField(
        "learning.Cohort", blank=True, related_name="+", verbose_name=_("cohorts")
    )
    funding_scheme = models.ForeignKey(
        "programmes.FundingScheme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("planned funding"),
    )

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["programme", "position", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="phase_period"),
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participants")
    employee = models.ForeignKey("organisation.Employee", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "employee"], name="participant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.employee_id}"


class PhaseStatus(models.TextChoices):
    SELECTED = "selected", _("In the target group")
    CLARIFIED = "clarified", _("Clarified")
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    DROPPED = "dropped", _("Dropped out")


# The funnel order: a status counts for every step up to it.
FUNNEL = (PhaseStatus.SELECTED, PhaseStatus.CLARIFIED, PhaseStatus.ENROLLED, PhaseStatus.COMPLETED)


class ParticipantPhase(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="phase_statuses")
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="participant_statuses")
    status = models.CharField(
        _("status"), max_length=10, choices=PhaseStatus.choices, default=PhaseStatus.SELECTED
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("participant status in a phase")
        verbose_name_plural = _("participant statuses in phases")
        constraints = [
            models.UniqueConstraint(fields=["participant", "phase"], name="participant_phase_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}@{self.phase_id}: {self.status}"


class HourlyCost(models.Model):
    """The hourly salary cost of a job role, entered by HR, from a date."""

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    job_role = models.ForeignKey("organisation.JobRole", on_delete=models.CASCADE, related_name="+")
    hourly_cost = models.DecimalField(
        _("hourly salary cost (kr.)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("hourly salary cost")
        verbose_name_plural = _("hourly salary costs")
        ordering = ["job_role", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["job_role", "valid_from"], name="hourly_cost_unique_from"),
        ]

    def __str__(self) -> str:
        return f"{self.job_role_id} {self.valid_from}: {self.hourly_cost}"
