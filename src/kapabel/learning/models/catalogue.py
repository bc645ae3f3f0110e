"""The catalogue: providers, categories, offers (with the competences they develop, prerequisites and the
modules of a full education), merit towards an education, and the per-municipality learning settings."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Provider(models.Model):
    """Who runs an offer: an external provider (Komponent, VIA, UCN act2learn, an AMU centre) or the
    municipality itself (internal courses, colleagues as teachers)."""

    class Kind(models.TextChoices):
        EXTERNAL = "external", _("External provider")
        INTERNAL = "internal", _("Internal")

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EXTERNAL)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="provider_unique_name"),
            models.UniqueConstraint(
                fields=["municipality", "external_id"],
                condition=~Q(external_id=""),
                name="provider_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# The categories every municipality starts with (code, Danish name): the jobcentre course categories
# from the domain brief. Names are data, editable per municipality; the code stays.
SEED_CATEGORIES = (
    ("leadership", "Ledelse"),
    ("economy_budget", "Økonomistyring og budget"),
    ("production_management", "Produktionsstyring"),
    ("it_tools", "IT-værktøjer"),
    ("legislation", "Lovgivning"),
    ("company_contact", "Virksomhedskontakt"),
    ("communication", "Kommunikation"),
    ("result_review", "Resultatopfølgning"),
)


class Category(models.Model):
    """A catalogue category, editable per municipality. `code` marks the seeded ones
    (`SEED_CATEGORIES`) so code can refer to them after a rename."""

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="category_unique_name"),
            models.UniqueConstraint(
                fields=["municipality", "code"], condition=~Q(code=""), name="category_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OfferKind(models.TextChoices):
    COURSE = "course", _("Course")
    EDUCATION_MODULE = "education_module", _("Education module")
    EDUCATION = "education", _("Full education")
    CONFERENCE = "conference", _("Conference")
    E_LEARNING = "e_learning", _("E-learning")
    PEER_TRAINING = "peer_training", _("Peer training")
    MENTORING = "mentoring", _("Mentoring")
    SHADOWING = "shadowing", _("Shadowing")
    TEAM_LEARNING = "team_learning", _("Team-based learning")


# Internal learning: run by colleagues, recorded as `InternalActivity` rows (or cohorts of an offer).
INTERNAL_KINDS = (
    OfferKind.PEER_TRAINING,
    OfferKind.MENTORING,
    OfferKind.SHADOWING,
    OfferKind.TEAM_LEARNING,
)


class Level(models.TextChoices):
    NONE = "none", _("No formal level")
    AMU = "amu", _("AMU")
    AKADEMI = "akademi", _("Akademi")
    DIPLOM = "diplom", _("Diplom")
    MASTER = "master", _("Master")


# The Danish qualifications framework: level -> (lowest, highest) allowed framework level.
QF_LEVELS: dict[str, tuple[int, int] | None] = {
    Level.NONE: None,
    Level.AMU: (2, 5),
    Level.AKADEMI: (5, 5),
    Level.DIPLOM: (6, 6),
    Level.MASTER: (7, 7),
}

# Defaults from the domain brief for a full education (akademi/diplom): data on the offer, editable.
DEFAULT_MERIT_LIMIT_ECTS = Decimal("10")
DEFAULT_COMPLETION_YEARS = 6


class Offer(models.Model):
    """Something a person can learn from: a course, a module, a full education, a conference,
    e-learning, or an internal form (peer training, mentoring, shadowing, team-based learning).

    A full education (`kind` education) is made of other offers through `EducationModule`;
    `merit_limit_ects` and `completion_years` only mean something on one."""

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="offers", verbose_name=_("provider")
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("type"), max_length=20, choices=OfferKind.choices, default=OfferKind.COURSE)
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("category"),
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.NONE)
    qf_level = models.PositiveSmallIntegerField(
        _("qualifications framework level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    ects = models.DecimalField(_("ECTS"), max_digits=5, decimal_places=1, null=True, blank=True)
    teaching_days = models.DecimalField(
        _("teaching days"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=1, null=True, blank=True)
    weeks_full_time = models.DecimalField(
        _("weeks full time"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    price_per_participant = models.DecimalField(
        _("price per participant (kr.)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    description = models.TextField(_("description"), blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="required_for", verbose_name=_("prerequisites")
    )
    competences = models.ManyToManyField(
        "competences.Competence", through="OfferCompetence", related_name="offers", blank=True
    )
    # Funding scheme codes the offer may be eligible for; filled and read by the programmes app.
    eligible_schemes = models.JSONField(_("eligible funding schemes"), default=list, blank=True)
    requires_hr_approval = models.BooleanField(_("requires HR approval"), default=False)
    merit_limit_ects = models.DecimalField(
        _("merit limit (ECTS)"), max_digits=5, decimal_places=1, default=DEFAULT_MERIT_LIMIT_ECTS
    )
    completion_years = models.PositiveSmallIntegerField(
        _("years to complete"), default=DEFAULT_COMPLETION_YEARS
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "external_id"],
                condition=~Q(external_id=""),
                name="offer_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(price_per_participant__gte=0), name="offer_price_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "active", "kind"], name="offer_muni_kind_idx"),
            models.Index(fields=["municipality", "category"], name="offer_muni_category_idx"),
            models.Index(fields=["provider", "title"], name="offer_provider_title_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_internal(self) -> bool:
        return self.kind in INTERNAL_KINDS


class OfferCompetence(models.Model):
    """A competence an offer develops, and by how many scale levels (the expected gain)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="offer_competences")
    competence = models.ForeignKey(
        "competences.Competence", on_delete=models.PROTECT, related_name="offer_competences"
    )
    expected_gain = models.PositiveSmallIntegerField(
        _("expected gain (levels)"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("competence developed")
        verbose_name_plural = _("competences developed")
        constraints = [
            models.UniqueConstraint(fields=["offer", "competence"], name="offer_competence_unique"),
        ]
        indexes = [models.Index(fields=["competence", "offer"], name="offer_competence_comp_idx")]

    def __str__(self) -> str:
        return f"{self.offer_id}/{self.competence_id}+{self.expected_gain}"


class EducationModule(models.Model):
    """A module offer that is part of a full education offer, obligatory or elective."""

    education = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="education_modules")
    module = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="part_of")
    obligatory = models.BooleanField(_("obligatory"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("education module")
        verbose_name_plural = _("education modules")
        ordering = ["education", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["education", "module"], name="education_module_unique"),
            models.CheckConstraint(
                condition=~Q(education=models.F("module")), name="education_not_own_module"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.education_id}/{self.module_id}"


class Merit(models.Model):
    """Credit towards a full education for a module taken elsewhere (up to the education's
    `merit_limit_ects`). `module` is the education's module it replaces, if any."""

    employee = models.ForeignKey("organisation.Employee", on_delete=models.PROTECT, related_name="merits")
    education = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="merits")
    module = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ects = models.DecimalField(_("ECTS"), max_digits=5, decimal_places=1)
    note = models.TextField(_("note"), blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("merit")
        verbose_name_plural = _("merits")
        ordering = ["employee", "education", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ects__gt=0), name="merit_ects_positive"),
        ]
        indexes = [models.Index(fields=["employee", "education"], name="merit_employee_idx")]

    def __str__(self) -> str:
        return f"{self.employee_id}/{self.education_id} {self.ects}"


class LearningSettings(models.Model):
    """Per-municipality rules for learning (rows, not constants)."""

    municipality = models.OneToOneField(
        "core.Municipality", on_delete=models.CASCADE, related_name="learning_settings"
    )
    hr_approval_price_threshold = models.DecimalField(
        _("HR approval from this price per participant (kr.)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty if the price alone never requires HR approval."),
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("send reminders this many days before the first session"), default=3
    )
    max_mentees = models.PositiveSmallIntegerField(_("maximum mentees per colleague"), default=3)
    # What an hour away from work is worth, to weigh time against fees when recommending learning.
    hour_value = models.DecimalField(
        _("value of an hour away from work (kr.)"), max_digits=8, decimal_places=2, default=Decimal("350")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learning settings")
        verbose_name_plural = _("learning settings")

    def __str__(self) -> str:
        return str(self.municipality)
