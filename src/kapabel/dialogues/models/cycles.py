"""Dialogue cycles, the dialogues in them, team dialogues, the two parties' preparations and the
levels agreed in a dialogue."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Cycle(models.Model):
    """A round of development dialogues for a unit (with or without its subtree) over a period.

    Schedule `fixed`: everyone's window is the cycle's period and the due date is its end. Schedule
    `hire_date`: each person's dialogue is due on the anniversary of their employment start within
    the period (the period's end when there is none), and the window opens `window_days` before."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual dialogue (MUS)")
        GROUP = "group", _("Group or team dialogue (GRUS/TUS)")

    class Schedule(models.TextChoices):
        FIXED = "fixed", _("Fixed window")
        HIRE_DATE = "hire_date", _("Relative to each person's hire date")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "organisation.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    include_subtree = models.BooleanField(_("include the units below"), default=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    schedule = models.CharField(
        _("schedule"), max_length=20, choices=Schedule.choices, default=Schedule.FIXED
    )
    starts_on = models.DateField(_("period starts"))
    ends_on = models.DateField(_("period ends"))
    window_days = models.PositiveSmallIntegerField(
        _("window opens this many days before the hire-date anniversary"), default=30
    )
    follow_up_months = models.PositiveSmallIntegerField(_("follow up the plan after (months)"), default=6)
    # The preparation form: [{"key": "q1", "da": "…", "en": "…"}], in order.
    questions = models.JSONField(_("preparation questions"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    dialogue_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dialogue cycle")
        verbose_name_plural = _("dialogue cycles")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="cycle_dates")
        ]
        indexes = [models.Index(fields=["municipality", "status", "-starts_on"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": gettext("The period must end on or after its start.")})


class DialogueState(models.TextChoices):
    """What has happened to a dialogue (stored); the status shown per person adds the plan and time."""

    OPEN = "open", _("Not booked")
    BOOKED = "booked", pgettext_lazy("dialogue", "Booked")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class PersonStatus(models.TextChoices):
    """The status per person in a cycle (derived, see `kapabel.dialogues.status`)."""

    NOT_BOOKED = "not_booked", _("Not booked")
    BOOKED = "booked", pgettext_lazy("dialogue", "Booked")
    HELD = "held", _("Held")
    PLAN_AGREED = "plan_agreed", _("Plan agreed")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up due")
    OVERDUE = "overdue", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")


class GroupDialogue(models.Model):
    """A group or team dialogue (GRUS/TUS): shared goals for the team; the members' own agreements are
    on their `Dialogue` rows (kind group)."""

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="groups")
    unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT, related_name="+")
    manager = models.ForeignKey(
        "organisation.Employee", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    held_at = models.DateTimeField(_("held"), null=True, blank=True)
    shared_goals = models.TextField(_("shared goals for the team"), blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team dialogue")
        verbose_name_plural = _("team dialogues")
        indexes = [models.Index(fields=["manager", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class Dialogue(models.Model):
    """One person's dialogue: in a cycle (or asked for outside one), booked by a manager, held, with
    the notes of the talk. `unit` is the person's unit when the dialogue was created: after a move,
    a manager of the new unit reads the notes only if the person allows it (`Consent`)."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual dialogue")
        GROUP = "group", _("Team dialogue")

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, null=True, blank=True, related_name="dialogues"
    )
    employee = models.ForeignKey("organisation.Employee", on_delete=models.PROTECT, related_name="dialogues")
    unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    group = models.ForeignKey(
        GroupDialogue, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    window_opens = models.DateField(_("window opens"))
    due_on = models.DateField(_("due"))
    state = models.CharField(max_length=10, choices=DialogueState.choices, default=DialogueState.OPEN)
    manager = models.ForeignKey(
        "organisation.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manager"),
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    sequence = models.PositiveIntegerField(default=0)  # iCalendar SEQUENCE
    requested_at = models.DateTimeField(_("asked for by the person"), null=True, blank=True)
    request_note = models.TextField(_("why the person asks"), blank=True)
    held_at = models.DateTimeField(_("held"), null=True, blank=True)
    # The calendar year (local time) of `held_at`, set with it by the services: the coverage trend
    # counts people per year from an index instead of scanning the history's times.
    held_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    notes = models.TextField(_("notes from the dialogue"), blank=True)
    agreements = models.TextField(_("agreements"), blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "employee", "kind"],
                condition=Q(cycle__isnull=False),
                name="dialogue_one_per_cycle_kind",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="dialogue_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "unit"], name="dialogue_cycle_unit_idx"),
            models.Index(fields=["employee", "held_at"], name="dialogue_employee_held_idx"),
            models.Index(fields=["municipality", "held_year", "employee"], name="dialogue_held_year_idx"),
            models.Index(fields=["manager", "starts_at"], name="dialogue_manager_time_idx"),
        ]

    def __str__(self) -> str:
        return gettext("Dialogue %(id)s") % {"id": self.pk}


class Preparation(models.Model):
    """One party's preparation: notes and answers to the cycle's questions. Private to its author
    until `shared`; then the other party of the dialogue reads it too."""

    class Side(models.TextChoices):
        EMPLOYEE = "employee", _("Employee")
        MANAGER = "manager", _("Manager")

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="preparations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    side = models.CharField(max_length=10, choices=Side.choices)
    notes = models.TextField(_("notes"), blank=True)
    answers = models.JSONField(default=dict, blank=True)
    shared = models.BooleanField(_("shared with the other party"), default=False)
    shared_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "author"], name="preparation_one_per_author")
        ]

    def __str__(self) -> str:
        return gettext("Preparation %(id)s") % {"id": self.pk}


class AgreedLevel(models.Model):
    """A level agreed in the dialogue; `rating` is the rating (source dialogue) it wrote."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="agreed_levels")
    competence = models.ForeignKey("competences.Competence", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    rating = models.ForeignKey("assessments.Rating", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.competence_id}={self.level}"


class Consent(models.Model):
    """The person's choice: may a manager of a unit they moved to read their earlier dialogues and
    plans?"""

    employee = models.OneToOneField(
        "organisation.Employee", on_delete=models.CASCADE, primary_key=True, related_name="dialogue_consent"
    )
    new_manager_may_read = models.BooleanField(
        _("my new manager may read my earlier dialogues and plans"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return gettext("Consent %(id)s") % {"id": self.pk}


class Summary(models.Model):
    """Maintained per person for the coverage figures (one join instead of scanning the history):
    written only by `kapabel.dialogues.summary.refresh` at the end of the services that change it."""

    employee = models.OneToOneField(
        "organisation.Employee", on_delete=models.CASCADE, primary_key=True, related_name="dialogue_summary"
    )
    last_held_at = models.DateTimeField(null=True, blank=True)
    plan_agreed_until = models.DateField(null=True, blank=True)  # a current agreed plan runs to here
    follow_up_due_on = models.DateField(null=True, blank=True)  # the earliest open follow-up
    open_request_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return gettext("Summary %(id)s") % {"id": self.pk}
