"""Substitute cover (vikardækning), modelled apart from how it is paid: substitutes with their hiring
facts and outcome, and placements that cover one or more participants' absences."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kapabel.programmes.models.programme import Participant, Programme


class Substitute(models.Model):
    """A vikar hired for a programme. Personal data: shown to the programme's coordinators and HR only;
    covered by the GDPR export and erasure (`kapabel.programmes.privacy`)."""

    class RecruitedVia(models.TextChoices):
        JOBCENTER = "jobcenter", _("Jobcenter")
        AGENCY = "agency", _("Temp agency")
        OWN = "own", _("Own recruitment")
        OTHER = "other", _("Other")

    class Benefit(models.TextChoices):
        DAGPENGE = "dagpenge", _("Unemployment benefit (dagpenge)")
        KONTANTHJAELP = "kontanthjaelp", _("Social assistance (kontanthjælp)")
        UDDANNELSESHJAELP = "uddannelseshjaelp", _("Education assistance (uddannelseshjælp)")
        OTHER = "other", _("Other benefit")
        NONE = "none", _("No benefit")

    class Outcome(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        PERMANENT_HERE = "permanent_here", _("Permanent job in the municipality")
        OTHER_JOB = "other_job", _("Other job")
        EDUCATION = "education", _("Education")
        UNEMPLOYED = "unemployed", _("Unemployed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="substitutes")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    recruited_via = models.CharField(
        _("recruited through"), max_length=10, choices=RecruitedVia.choices, default=RecruitedVia.JOBCENTER
    )
    unemployment_months = models.DecimalField(
        _("unemployment before hiring (months)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    benefit = models.CharField(
        _("benefit when hired"), max_length=20, choices=Benefit.choices, default=Benefit.DAGPENGE
    )
    starts_on = models.DateField(_("employed from"))
    ends_on = models.DateField(_("employed until"))
    hours_per_week = models.DecimalField(
        _("contracted hours per week"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0)]
    )
    hourly_wage = models.DecimalField(
        _("hourly wage cost (kr.)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    unit = models.ForeignKey(
        "organisation.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    manager = models.ForeignKey(
        "organisation.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manager"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.UNKNOWN)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("substitute")
        verbose_name_plural = _("substitutes")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="substitute_period"),
            models.CheckConstraint(condition=Q(hours_per_week__gte=0), name="substitute_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_work(self) -> bool:
        return self.outcome in (self.Outcome.PERMANENT_HERE, self.Outcome.OTHER_JOB)


class Placement(models.Model):
    """A substitute covers the absences of one or more participants in a unit for a period, for a number
    of hours a week. `scheme` is how the cover is paid (jobrotation, own budget …), or empty."""

    substitute = models.ForeignKey(Substitute, on_delete=models.CASCADE, related_name="placements")
    unit = models.ForeignKey(
        "organisation.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    participants = models.ManyToManyField(Participant, related_name="placements", verbose_name=_("covers"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0)]
    )
    scheme = models.ForeignKey(
        "programmes.FundingScheme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paid through"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="placement_period"),
            models.CheckConstraint(condition=Q(hours_per_week__gte=0), name="placement_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.substitute_id} {self.starts_on}–{self.ends_on}"
