"""Competence frameworks, proficiency scales, competences and profiles ("idealer").

Versions. A `Framework` is the lasting identity of a framework (owner, sharing, name). Its content
lives in `FrameworkVersion` rows: each version has its own scales, competence tree and profiles.
A version is a draft (editable) until it is published; publishing freezes it for good. Changing a
published framework means creating a new draft version, which copies the content; each copied
competence keeps the same `identifier` and gets a `CompetenceMapping` row (relation "same") back to
the competence it came from, so a gap measured against version 1 can be followed into version 2.

What other apps reference. A rating, a campaign or an individual target points at a
`FrameworkVersion` *and* a `Competence` of that version; both are PROTECTed, so a version that
anything points at cannot be deleted. A competence's `identifier` is stable across versions of the
same framework; `CompetenceMapping` covers renames, splits and merges as well.

Sharing. `Framework.municipality` is the owner; NULL means a national framework that every
municipality may use (only platform administrators change it). `shared_with` lists other
municipalities that may read and use the framework. Only the owner edits it.

Profiles are rows per version as well: a `Profile` belongs to one framework version, has a
`lineage` (the same UUID across its versions), a version number and a status. A `ProfileTarget` gives
the target level and importance for one competence. `IndividualTarget` overrides the profile for a
person and a competence.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class Language(models.TextChoices):
    DA = "da", _("Danish")
    EN = "en", _("English")


class Importance(models.TextChoices):
    """How much a competence matters in a profile. Default weights for the gap analysis are in
    `IMPORTANCE_DEFAULT_WEIGHTS`; municipalities may configure their own (gap analysis)."""

    ESSENTIAL = "essential", _("Essential")
    IMPORTANT = "important", _("Important")
    NICE_TO_HAVE = "nice_to_have", _("Nice to have")


IMPORTANCE_DEFAULT_WEIGHTS = {
    Importance.ESSENTIAL: 3,
    Importance.IMPORTANT: 2,
    Importance.NICE_TO_HAVE: 1,
}


def _localised(obj: object, field: str, language: str | None = None) -> str:
    """The field in the requested (or active) language, falling back to the other one."""
    language = (language or get_language() or "da")[:2]
    first, second = ("en", "da") if language == "en" else ("da", "en")
    return getattr(obj, f"{field}_{first}") or getattr(obj, f"{field}_{second}")


class Framework(models.Model):
    """A competence framework's identity across its versions."""

    municipality = models.ForeignKey(
        "core.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competence_frameworks",
        verbose_name=_("owner"),
        help_text=_("Empty for a national framework that every municipality may use."),
    )
    shared_with = models.ManyToManyField(
        "core.Municipality",
        blank=True,
        related_name="shared_competence_frameworks",
        verbose_name=_("shared with"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.DA)
    # CASE CFDocument identifier / uri; a fresh UUID for frameworks made in Kapabel.
    identifier = models.CharField(_("identifier"), max_length=200, default="", blank=True)
    uri = models.CharField(_("URI"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("competence framework")
        verbose_name_plural = _("competence frameworks")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(models.Model):
    """One version of a framework. Draft: editable. Published: frozen. Retired: kept for history."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successors"
    )
    # The framework's default scale; a competence may override it.
    scale = models.ForeignKey(
        "Scale", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("scale")
    )
    change_note = models.TextField(_("what changed"), blank=True)
    # Moodle "Taxonomy": one term per depth (competency, domain, …).
    taxonomies = models.JSONField(default=list, blank=True)
    # Format-specific fields Kapabel does not model, kept for a faithful export.
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="framework_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.framework.name} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def municipality_id(self) -> int | None:
        return self.framework.municipality_id


class Scale(models.Model):
    """An ordered proficiency scale of a framework version, e.g. 1–4 with descriptors."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="scales")
    name = models.CharField(_("name"), max_length=200)
    # Moodle's scale id, kept so an export can name the same scale again.
    external_id = models.CharField(_("external id"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("scale")
        verbose_name_plural = _("scales")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ScaleLevel(models.Model):
    """One level of a scale. `value` orders the levels (1 = lowest) and is what ratings and
    targets store. `proficient` marks the levels that count as proficient."""

    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="levels")
    value = models.PositiveSmallIntegerField(_("value"), validators=[MinValueValidator(1)])
    name_da = models.CharField(_("name (Danish)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    descriptor_da = models.TextField(_("descriptor (Danish)"), blank=True)
    descriptor_en = models.TextField(_("descriptor (English)"), blank=True)
    proficient = models.BooleanField(_("counts as proficient"), default=False)
    is_default = models.BooleanField(_("default level"), default=False)

    class Meta:
        verbose_name = _("scale level")
        verbose_name_plural = _("scale levels")
        ordering = ["scale", "value"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "value"], name="scale_level_unique_value"),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.name}"

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def descriptor(self) -> str:
        return _localised(self, "descriptor")


class Competence(models.Model):
    """A node of the competence tree of one framework version (area → competence → sub-competence,
    any depth). Siblings are ordered by `position`."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="competences")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # Stable across versions of the same framework; Moodle ID number or CASE identifier on import.
    identifier = models.CharField(_("identifier"), max_length=200)
    uri = models.CharField(_("URI"), max_length=500, blank=True)
    code = models.CharField(_("code"), max_length=100, blank=True)
    name_da = models.CharField(_("short name (Danish)"), max_length=300, blank=True)
    name_en = models.CharField(_("short name (English)"), max_length=300, blank=True)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    indicators_da = models.TextField(
        _("behavioural indicators (Danish)"), blank=True, help_text=_("One indicator per line.")
    )
    indicators_en = models.TextField(
        _("behavioural indicators (English)"), blank=True, help_text=_("One indicator per line.")
    )
    esco_uri = models.URLField(_("ESCO skill URI"), max_length=500, blank=True)
    item_type = models.CharField(_("item type"), max_length=100, blank=True)
    scale = models.ForeignKey(
        Scale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competences",
        verbose_name=_("scale"),
        help_text=_("Leave empty to use the framework's scale."),
    )
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related competences"))
    # Format-specific fields Kapabel does not model (Moodle rules, CASE extras), for export.
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["version", "depth", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "identifier"], name="competence_unique_identifier"),
            # A code names one competence in a version; many competences may have none.
            models.UniqueConstraint(
                fields=["version", "code"], condition=~Q(code=""), name="competence_unique_code"
            ),
        ]
        indexes = [models.Index(fields=["version", "parent", "position"])]

    def __str__(self) -> str:
        name = self.name
        return f"{self.code} {name}".strip() if self.code else name

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def description(self) -> str:
        return _localised(self, "description")

    @property
    def indicators(self) -> list[str]:
        return [line.strip() for line in _localised(self, "indicators").splitlines() if line.strip()]


class CompetenceMapping(models.Model):
    """How a competence of one version continues in a later version, so gaps can be followed."""

    class Relation(models.TextChoices):
        SAME = "same", _("Same competence")
        CHANGED = "changed", _("Changed")
        SPLIT = "split", _("Split into several")
        MERGED = "merged", _("Merged with others")

    source = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="mappings_out")
    target = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="mappings_in")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices, default=Relation.SAME)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("competence mapping")
        verbose_name_plural = _("competence mappings")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="competence_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class Profile(models.Model):
    """A target profile ("ideal", kompetenceprofil) for a job role, a unit or a named ideal, in
    one framework version. One row per profile version; versions share `lineage`."""

    class Kind(models.TextChoices):
        JOB_ROLE = "job_role", _("Job role")
        UNIT = "unit", _("Unit")
        NAMED = "named", _("Named ideal")

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="competence_profiles"
    )
    framework_version = models.ForeignKey(
        FrameworkVersion,
        on_delete=models.PROTECT,
        related_name="profiles",
        verbose_name=_("framework version"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.JOB_ROLE)
    job_role = models.ForeignKey(
        "organisation.JobRole",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competence_profiles",
        verbose_name=_("job role"),
    )
    unit = models.ForeignKey(
        "organisation.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competence_profiles",
        verbose_name=_("unit"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    number = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successors"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        ordering = ["name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "number"], name="profile_unique_version"),
            models.CheckConstraint(
                condition=(Q(kind="job_role", job_role__isnull=False, unit__isnull=True))
                | Q(kind="unit", unit__isnull=False, job_role__isnull=True)
                | Q(kind="named", job_role__isnull=True, unit__isnull=True),
                name="profile_kind_matches_subject",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT


class ProfileTarget(models.Model):
    """Target level and importance of one competence in a profile."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="targets")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="profile_targets")
    target_level = models.PositiveSmallIntegerField(_("target level"), validators=[MinValueValidator(1)])
    importance = models.CharField(
        _("importance"), max_length=20, choices=Importance.choices, default=Importance.IMPORTANT
    )

    class Meta:
        verbose_name = _("profile target")
        verbose_name_plural = _("profile targets")
        constraints = [
            models.UniqueConstraint(fields=["profile", "competence"], name="profile_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.competence_id}: {self.target_level}"


class IndividualTarget(models.Model):
    """A person's own target for a competence; overrides their role or unit profile."""

    employee = models.ForeignKey(
        "organisation.Employee", on_delete=models.CASCADE, related_name="competence_targets"
    )
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="individual_targets")
    target_level = models.PositiveSmallIntegerField(_("target level"), validators=[MinValueValidator(1)])
    importance = models.CharField(
        _("importance"), max_length=20, choices=Importance.choices, default=Importance.IMPORTANT
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("individual target")
        verbose_name_plural = _("individual targets")
        constraints = [
            models.UniqueConstraint(fields=["employee", "competence"], name="individual_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}/{self.competence_id}: {self.target_level}"


class Consultation(models.Model):
    """A draft framework version or profile opened for comments to chosen people (co-creation)."""

    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="consultations"
    )
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, null=True, blank=True, related_name="consultations"
    )
    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(
        "organisation.Employee",
        blank=True,
        related_name="competence_consultations",
        verbose_name=_("participants"),
    )
    message = models.TextField(_("message to participants"), blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(framework_version__isnull=False, profile__isnull=True)
                | Q(framework_version__isnull=True, profile__isnull=False),
                name="consultation_has_one_subject",
            )
        ]

    def __str__(self) -> str:
        return str(self.profile or self.framework_version)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def subject_version(self) -> FrameworkVersion:
        """The framework version under discussion: the draft itself, or the one the profile uses."""
        if self.framework_version is not None:
            return self.framework_version
        assert self.profile is not None  # the check constraint: exactly one subject
        return self.profile.framework_version


class Comment(models.Model):
    """A comment on a competence (or the whole subject) in a consultation, optionally proposing a
    changed target that the owner accepts or rejects."""

    class Decision(models.TextChoices):
        NONE = "", _("No proposal")
        PENDING = "pending", _("Awaiting decision")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    competence = models.ForeignKey(
        Competence, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    body = models.TextField(_("comment"))
    proposed_target_level = models.PositiveSmallIntegerField(
        _("proposed target level"), null=True, blank=True
    )
    proposed_importance = models.CharField(
        _("proposed importance"), max_length=20, choices=Importance.choices, blank=True
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, default=Decision.NONE, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:50]
