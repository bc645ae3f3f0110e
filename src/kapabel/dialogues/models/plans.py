"""Individual development plans: goals, activities, every version kept, both parties' confirmation
and follow-ups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    """A person's development plan. `version` counts every write (optimistic locking: a form names
    the version it was made from); `content_version` counts changes of the content, each kept as a
    `PlanVersion`. Both parties confirm a content version; when both have confirmed the same one it
    becomes `agreed_version` and the plan is current until `ends_on` (or until a newer plan is
    agreed). A change after agreement is a new draft version that needs both confirmations again;
    the agreed one stays current meanwhile."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey("organisation.Employee", on_delete=models.PROTECT, related_name="plans")
    unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT, related_name="+")
    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    version = models.PositiveIntegerField(default=0)
    content_version = models.PositiveIntegerField(default=1)
    employee_confirmed_version = models.PositiveIntegerField(null=True, blank=True)
    employee_confirmed_at = models.DateTimeField(null=True, blank=True)
    manager_confirmed_version = models.PositiveIntegerField(null=True, blank=True)
    manager_confirmed_at = models.DateTimeField(null=True, blank=True)
    manager_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_version = models.PositiveIntegerField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["employee", "status"], name="plan_employee_status_idx")]

    def __str__(self) -> str:
        return gettext("Plan %(id)s") % {"id": self.pk}

    @property
    def is_agreed(self) -> bool:
        return self.agreed_version is not None and self.agreed_version == self.content_version


class PlanGoal(models.Model):
    """A goal: tied to a competence (with a target level) or free."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    competence = models.ForeignKey(
        "competences.Competence", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_level = models.PositiveSmallIntegerField(_("target level"), null=True, blank=True)
    title = models.CharField(_("goal"), max_length=300)
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_level__isnull=True) | Q(competence__isnull=False),
                name="goal_level_needs_competence",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PlanActivity(models.Model):
    """What the person does towards a goal. A booking (`enrolment`) or an internal learning activity
    (`internal_activity`) shows the state of that record (see `kapabel.dialogues.status`)."""

    class Kind(models.TextChoices):
        BOOKING = "booking", _("Course or education (booking)")
        INTERNAL = "internal", _("Internal learning")
        ON_THE_JOB = "on_the_job", _("Task on the job")
        PROJECT = "project", _("Project")
        OTHER = "other", _("Other")

    class Responsible(models.TextChoices):
        EMPLOYEE = "employee", _("The employee")
        MANAGER = "manager", _("The manager")
        HR = "hr", _("HR")
        OTHER = "other", _("Someone else")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    goal = models.ForeignKey(
        PlanGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ON_THE_JOB)
    title = models.CharField(_("activity"), max_length=300)
    enrolment = models.ForeignKey(
        "learning.Enrolment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    internal_activity = models.ForeignKey(
        "learning.InternalActivity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responsible = models.CharField(
        _("responsible"), max_length=10, choices=Responsible.choices, default=Responsible.EMPLOYEE
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class PlanVersion(models.Model):
    """A kept version of a plan's content (goals and activities as they were)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_label = models.CharField(max_length=200, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self) -> str:
        return gettext("Version %(number)s") % {"number": self.number}


class FollowUp(models.Model):
    """A follow-up date of a plan; a reminder goes to both parties before it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("follow-up date"))
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("what came of it"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["due_on", "done_at"], name="follow_up_due_idx")]

    def __str__(self) -> str:
        return gettext("Follow-up %(id)s") % {"id": self.pk}
