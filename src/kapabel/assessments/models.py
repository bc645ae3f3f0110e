"""Competence clarification (kompetenceafklaring): campaigns, the people taking part, and the rating
history.

Ratings are history. A `Rating` row is never updated in place except for the one pointer
`superseded_by`, set when a correction replaces it: the correction is a new row that `supersedes`
the old one and inherits its `rated_at`, so history reads the same before and after. Every rating
is written by `kapabel.assessments.services.ratings_record` (the one write path), which also keeps
`CurrentLevel` up to date in the same transaction.

Two times per rating. `rated_at` is when the rating describes the person (the submission time; a
correction keeps the time of the rating it corrects); `created_at` is when the row was written.
"Latest" always means the highest (`rated_at`, `id`) among rows that are not superseded.

Current level. For a person and a competence, the current level is the latest agreed level, else the
latest manager level, else the latest self level; the order is per municipality
(`AssessmentSettings.current_level_order`). A "don't know" answer (level NULL) is not a level: it
falls through to the next source. `CurrentLevel` holds the result, one row per person × competence
ever rated, maintained by the rating service, so the gap analysis reads it with a join instead of
scanning ratings. `kapabel.assessments.selectors.current_level` is the reference definition.

Leader ratings describe a unit, not a person (`employee` NULL, `unit` set); they never feed the
current level of a person.
"""

from __future__ import annotations

import datetime
import enum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kapabel.competences.models import Importance


class Source(models.TextChoices):
    """Who gave a rating."""

    SELF = "self", _("Self-assessment")
    MANAGER = "manager", _("Manager assessment")
    AGREED = "agreed", _("Agreed level")
    LEADER = "leader", _("Leader survey")
    # Confirmed learning evidence: written by `kapabel.learning` when a manager or HR confirms what a
    # completed course or internal activity showed.
    EVIDENCE = "evidence", _("Confirmed learning evidence")
    # A level agreed in a development dialogue (MUS): written by `kapabel.dialogues` when the manager
    # records the dialogue.
    DIALOGUE = "dialogue", _("Agreed in a development dialogue")


# The sources with their own columns in `CurrentLevel` (clarification campaigns).
PERSON_SOURCES = (Source.AGREED, Source.MANAGER, Source.SELF)


class Part(enum.StrEnum):
    """What someone saves in a campaign: the participant's own answers (`self`, or `survey` in a
    survey), or in an individual clarification the manager assessment and the agreed level (the same
    values as the rating sources they record)."""

    SELF = "self"
    SURVEY = "survey"
    MANAGER = "manager"
    AGREED = "agreed"


# The participant's parts close with the close date; the manager's stay open until the campaign is
# closed, so a manager can finish the conversations that run past the close date.
PARTICIPANT_PARTS = (Part.SELF, Part.SURVEY)
# Every source that can give a person's current level. Evidence ranks first by default: it is
# confirmed after the learning that a clarification (agreed level) led to, so it is the newer
# statement; a municipality can rank it elsewhere in its order.
# A level agreed in a development dialogue ranks with the agreed level of a clarification, just in
# front of it: both are agreed by the person and the manager, and the dialogue is the later talk.
LEVEL_SOURCES = (Source.EVIDENCE, Source.DIALOGUE, *PERSON_SOURCES)
DEFAULT_LEVEL_ORDER = "evidence,dialogue,agreed,manager,self"


def validate_level_order(value: str) -> None:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    allowed = {s.value for s in LEVEL_SOURCES}
    if not parts or len(parts) != len(set(parts)) or not set(parts) <= allowed:
        raise ValidationError(
            _(
                "Give the sources as a comma-separated list of evidence, dialogue, agreed, manager and self, "
                "each at most once."
            )
        )


class AssessmentSettings(models.Model):
    """Per-municipality settings for clarification campaigns."""

    municipality = models.OneToOneField(
        "core.Municipality", on_delete=models.CASCADE, related_name="assessment_settings"
    )
    current_level_order = models.CharField(
        _("order of sources for the current level"),
        max_length=50,
        default=DEFAULT_LEVEL_ORDER,
        validators=[validate_level_order],
        help_text=_("Comma-separated, first wins, e.g. evidence,dialogue,agreed,manager,self."),
    )
    reminder_days_before_close = models.PositiveSmallIntegerField(
        _("send reminders this many days before the close date"), default=3
    )
    reminders_enabled = models.BooleanField(_("send reminders"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("clarification settings")
        verbose_name_plural = _("clarification settings")

    def __str__(self) -> str:
        return str(self.municipality)

    @property
    def level_order(self) -> list[str]:
        return [part.strip() for part in self.current_level_order.split(",") if part.strip()]


class Campaign(models.Model):
    """A competence clarification round for part of a municipality."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual clarification")
        LEADER_SURVEY = "leader_survey", _("Leader survey")
        NEEDS_SURVEY = "needs_survey", _("Needs survey")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    description = models.TextField(_("description"), blank=True)
    framework_version = models.ForeignKey(
        "competences.FrameworkVersion",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("framework version"),
    )
    profile = models.ForeignKey(
        "competences.Profile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("profile"),
        help_text=_("Limits the campaign to the profile's competences. Leave empty to use all of them."),
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # Needs survey: the open questions, in order (list of strings).
    questions = models.JSONField(_("questions"), default=list, blank=True)
    reminder_days_before_close = models.PositiveSmallIntegerField(
        _("reminder days before close"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the municipality's setting."),
    )
    send_invitations = models.BooleanField(
        _("send invitations by e-mail"),
        default=False,
        help_text=_("Each participant gets an e-mail with a link to their form when the campaign opens."),
    )
    participant_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="campaign_dates"),
        ]
        indexes = [models.Index(fields=["municipality", "status", "closes_on"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The close date on or after the open date, said on the close date (the database constraint
        `campaign_dates` is the same rule, as a last guard with no field to name)."""
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": gettext("The close date must be on or after the open date.")})

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    # The one rule for "is this campaign open for this part": `closed_reason`. `is_open_for` asks it,
    # `open_q` is the same rule as a query; views, API, selectors and services use these.

    @property
    def participant_part(self) -> Part:
        """The part the participant saves: a self-assessment, or the answers to a survey."""
        return Part.SELF if self.kind == self.Kind.INDIVIDUAL else Part.SURVEY

    def has_part(self, part: Part | str) -> bool:
        return part in PARTS_BY_KIND.get(self.kind, ())

    def closed_reason(self, part: Part | str, today: datetime.date | None = None) -> str | None:
        """None when `part` may be saved `today` (default: today); otherwise why not, for the user.
        Open means: the campaign has that part, is not closed, has opened, and — for the
        participant's own answers — has not passed its close date."""
        if not self.has_part(part):
            if part in (Part.MANAGER, Part.AGREED):
                return gettext("Only an individual clarification has manager assessments.")
            return gettext("This type of campaign has no such part.")
        if self.is_closed:
            return gettext("The campaign is closed. Nothing more can be saved in it.")
        today = today or timezone.localdate()
        if today < self.opens_on:
            return gettext("The campaign opens on %(date)s.") % {
                "date": date_format(self.opens_on, "SHORT_DATE_FORMAT")
            }
        if part in PARTICIPANT_PARTS and today > self.closes_on:
            return gettext(
                "The campaign closed for answers on %(date)s, so your answers can no longer be submitted. "
                "Talk to your manager if you still want to give them."
            ) % {"date": date_format(self.closes_on, "SHORT_DATE_FORMAT")}
        return None

    def is_open_for(self, part: Part | str, today: datetime.date | None = None) -> bool:
        return self.closed_reason(part, today) is None

    @staticmethod
    def open_q(part: Part, today: datetime.date, prefix: str = "") -> Q:
        """`is_open_for` as a query: campaigns (or, with `prefix` "campaign__", rows of a campaign)
        open for `part` on `today`."""
        kinds = sorted(kind for kind, parts in PARTS_BY_KIND.items() if part in parts)
        q = Q(**{f"{prefix}kind__in": kinds, f"{prefix}status": Campaign.Status.OPEN})
        q &= Q(**{f"{prefix}opens_on__lte": today})
        if part in PARTICIPANT_PARTS:
            q &= Q(**{f"{prefix}closes_on__gte": today})
        return q


PARTS_BY_KIND: dict[str, tuple[Part, ...]] = {
    Campaign.Kind.INDIVIDUAL: (Part.SELF, Part.MANAGER, Part.AGREED),
    Campaign.Kind.LEADER_SURVEY: (Part.SURVEY,),
    Campaign.Kind.NEEDS_SURVEY: (Part.SURVEY,),
}


class CampaignScope(models.Model):
    """One line of a campaign's scope: a unit (with or without its subtree), a job role, or a person.
    The participants are the union of the lines, resolved once when the campaign is created."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("Unit")
        JOB_ROLE = "job_role", _("Job role")
        EMPLOYEE = "employee", _("Named person")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="scope_lines")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT, null=True, blank=True)
    include_subtree = models.BooleanField(default=True)
    job_role = models.ForeignKey("organisation.JobRole", on_delete=models.PROTECT, null=True, blank=True)
    employee = models.ForeignKey("organisation.Employee", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="unit", unit__isnull=False, job_role__isnull=True, employee__isnull=True)
                | Q(kind="job_role", job_role__isnull=False, unit__isnull=True, employee__isnull=True)
                | Q(kind="employee", employee__isnull=False, unit__isnull=True, job_role__isnull=True),
                name="campaign_scope_kind_matches_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind}"


class Assessment(models.Model):
    """One participant's part in a campaign: the employee's self-assessment (or survey answers) and,
    in an individual clarification, their manager's assessment and the agreed level.

    Drafts live here as JSON ({competence id: {"level": n | "unknown" | "", "comment": "…"}}) until
    submitted; a submission turns them into `Rating` rows. `self_version` and `manager_version` are
    optimistic-locking counters: a save names the version it started from and fails if the row moved on.

    In a leader survey the participant is a leader and `unit` the unit they answer for; otherwise `unit`
    is the employee's unit when the campaign was created (progress per unit counts by it)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not started")
        DRAFT = "draft", _("Draft saved")
        SUBMITTED = "submitted", _("Submitted")
        MANAGER_ASSESSED = "manager_assessed", _("Manager has assessed")
        AGREED = "agreed", _("Agreed")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assessments")
    employee = models.ForeignKey(
        "organisation.Employee", on_delete=models.PROTECT, related_name="assessments"
    )
    unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    self_draft = models.JSONField(default=dict, blank=True)
    manager_draft = models.JSONField(default=dict, blank=True)
    self_version = models.PositiveIntegerField(default=0)
    manager_version = models.PositiveIntegerField(default=0)
    self_submitted_at = models.DateTimeField(null=True, blank=True)
    manager_submitted_at = models.DateTimeField(null=True, blank=True)
    manager_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    self_reminded_at = models.DateTimeField(null=True, blank=True)
    manager_reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["campaign", "employee__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "employee", "unit"], name="assessment_unique"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["campaign", "unit"]),
            models.Index(fields=["employee", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.employee_id}"

    @property
    def is_self_submitted(self) -> bool:
        return self.self_submitted_at is not None

    @property
    def next_manager_step(self) -> Part | None:
        """Which manager step comes next in an individual clarification: the manager assessment, then
        (after the conversation) the agreed level; None when both are recorded."""
        if self.manager_submitted_at is None:
            return Part.MANAGER
        if self.agreed_at is None:
            return Part.AGREED
        return None


class Rating(models.Model):
    """One rating, append-only. See the module docstring for the rules."""

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(
        "organisation.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="ratings"
    )
    # Leader ratings: the unit rated. Person ratings leave it empty.
    unit = models.ForeignKey(
        "organisation.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    competence = models.ForeignKey("competences.Competence", on_delete=models.PROTECT, related_name="ratings")
    framework_version = models.ForeignKey(
        "competences.FrameworkVersion", on_delete=models.PROTECT, related_name="ratings"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # NULL: "don't know" (ved ikke).
    level = models.PositiveSmallIntegerField(
        _("level"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    comment = models.TextField(_("comment"), blank=True)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="ratings"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="ratings"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    # Set once, when a correction replaces this row; the only field ever written after insert.
    superseded_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source="leader", unit__isnull=False, employee__isnull=True))
                | (~Q(source="leader") & Q(employee__isnull=False, unit__isnull=True)),
                name="rating_subject_matches_source",
            ),
        ]
        indexes = [
            # latest rating per employee x competence x source
            models.Index(
                fields=["employee", "competence", "source", "-rated_at", "-id"], name="rating_latest_idx"
            ),
            models.Index(fields=["campaign", "source"], name="rating_campaign_idx"),
            models.Index(fields=["municipality", "competence", "rated_at"], name="rating_muni_comp_idx"),
            models.Index(fields=["unit", "competence"], name="rating_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id or self.unit_id}/{self.competence_id} {self.source}={self.level}"


class CurrentLevel(models.Model):
    """Maintained aggregate: per person × competence, the latest level from each source and the
    resulting current level (`level`, `source`; NULL level = unknown). Written only by the rating
    service (and recomputed when a municipality changes its source order)."""

    municipality = models.ForeignKey("core.Municipality", on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(
        "organisation.Employee", on_delete=models.CASCADE, related_name="current_levels"
    )
    competence = models.ForeignKey(
        "competences.Competence", on_delete=models.CASCADE, related_name="current_levels"
    )
    framework_version = models.ForeignKey(
        "competences.FrameworkVersion", on_delete=models.CASCADE, related_name="+"
    )
    self_level = models.PositiveSmallIntegerField(null=True, blank=True)
    self_rating = models.ForeignKey(
        Rating, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    manager_level = models.PositiveSmallIntegerField(null=True, blank=True)
    manager_rating = models.ForeignKey(
        Rating, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_level = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_rating = models.ForeignKey(
        Rating, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("current level")
        verbose_name_plural = _("current levels")
        constraints = [
            models.UniqueConstraint(fields=["employee", "competence"], name="current_level_unique"),
        ]
        indexes = [
            models.Index(fields=["municipality", "competence"], name="current_level_muni_idx"),
            models.Index(fields=["framework_version", "competence"], name="current_level_version_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}/{self.competence_id}={self.level}"


class LeaderAnswer(models.Model):
    """A leader's answer for one competence in a leader survey: importance for their unit now and in
    three years, and free text. The current level they give is a `Rating` with source leader."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="leader_answers")
    competence = models.ForeignKey("competences.Competence", on_delete=models.PROTECT, related_name="+")
    importance_now = models.CharField(
        _("importance now"), max_length=20, choices=Importance.choices, blank=True
    )
    importance_future = models.CharField(
        _("importance in three years"), max_length=20, choices=Importance.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "competence"], name="leader_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.competence_id}"


class NeedsAnswer(models.Model):
    """An employee's answer to one open question of a needs survey."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="needs_answers")
    position = models.PositiveSmallIntegerField()
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["assessment", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "position"], name="needs_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.position}"


class DevelopmentWish(models.Model):
    """A competence an employee chose to develop in a needs survey."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="wishes")
    employee = models.ForeignKey("organisation.Employee", on_delete=models.CASCADE, related_name="+")
    competence = models.ForeignKey(
        "competences.Competence", on_delete=models.PROTECT, related_name="development_wishes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "competence"], name="development_wish_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}/{self.competence_id}"
