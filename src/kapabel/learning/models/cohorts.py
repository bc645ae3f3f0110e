"""Cohorts (hold) of an offer with their sessions, rooms and facilitators, and the interest list an
offer collects before any cohort exists."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kapabel.learning.models.catalogue import Offer


class Room(models.Model):
    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return self.name


class Cohort(models.Model):
    """A hold: one run of an offer with its sessions, capacity and registration rules.

    `first_starts_at` / `last_ends_at` are kept by the session services (the earliest start and latest
    end of its sessions), so "has it started" and "next start date" need no aggregate.
    `sequence` is the iCalendar SEQUENCE of the cohort's events, raised on every change that a
    calendar shows (dates, place, cancellation)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for registration")
        FULL = "full", _("Full")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("offer")
    )
    code = models.CharField(_("code"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True, help_text=_("Empty: the offer's title."))
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    min_size = models.PositiveIntegerField(_("minimum size"), default=0)
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    cancellation_cutoff = models.DateTimeField(
        _("cancellation deadline"),
        null=True,
        blank=True,
        help_text=_("After this time participants can no longer cancel themselves. Empty: until it starts."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    first_starts_at = models.DateTimeField(_("starts"), null=True, blank=True, editable=False)
    last_ends_at = models.DateTimeField(_("ends"), null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["first_starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cohort_capacity_positive"),
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_closes__isnull=True)
                | Q(registration_closes__gte=models.F("registration_opens")),
                name="cohort_registration_window",
            ),
        ]
        indexes = [
            models.Index(fields=["offer", "status"], name="cohort_offer_status_idx"),
            models.Index(fields=["status", "first_starts_at"], name="cohort_status_start_idx"),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or self.offer.title


class Session(models.Model):
    """One dated meeting of a cohort. A cohort has one or more."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online = models.BooleanField(_("online"), default=False)
    online_url = models.URLField(_("online meeting link"), blank=True)
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("room"),
    )
    # iCalendar SEQUENCE of this session's event; raised by the session services on every change.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "starts_at"], name="session_cohort_start_idx"),
            models.Index(fields=["room", "starts_at"], name="session_room_start_idx"),
            models.Index(fields=["starts_at", "ends_at"], name="session_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Facilitator(models.Model):
    """Who teaches a cohort (all its sessions) or one session: an external teacher by name, or an
    employee — an internal colleague whose teaching `hours` count as time away from their own work."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="facilitators"
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="facilitators"
    )
    employee = models.ForeignKey(
        "organisation.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="facilitations"
    )
    external_name = models.CharField(_("external teacher"), max_length=200, blank=True)
    hours = models.DecimalField(_("teaching hours"), max_digits=6, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("facilitator")
        verbose_name_plural = _("facilitators")
        constraints = [
            models.CheckConstraint(
                condition=Q(cohort__isnull=False, session__isnull=True)
                | Q(cohort__isnull=True, session__isnull=False),
                name="facilitator_cohort_or_session",
            ),
            models.CheckConstraint(
                condition=Q(employee__isnull=False, external_name="")
                | (Q(employee__isnull=True) & ~Q(external_name="")),
                name="facilitator_employee_or_external",
            ),
        ]
        indexes = [models.Index(fields=["employee"], name="facilitator_employee_idx")]

    def __str__(self) -> str:
        return self.external_name or str(self.employee_id)


class Interest(models.Model):
    """Someone would like to take an offer that has no suitable cohort yet. When a cohort is created,
    the open interests are offered places first come, first served (by `created_at`, then id);
    `cohort` and `handled_at` record which cohort took it up."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="interests")
    employee = models.ForeignKey(
        "organisation.Employee", on_delete=models.CASCADE, related_name="learning_interests"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "employee"], condition=Q(handled_at__isnull=True), name="interest_one_open"
            ),
        ]
        indexes = [models.Index(fields=["offer", "handled_at", "created_at"], name="interest_queue_idx")]

    def __str__(self) -> str:
        return f"{self.offer_id}/{self.employee_id}"
