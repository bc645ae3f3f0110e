"""Funding schemes as data: each scheme (jobrotation, Den Kommunale Kompetencefond, VEU, SVU, own
budget, other) has dated parameter rows — a value with a validity period and the source it comes from.
Platform administrators edit them; the rules in `kapabel.programmes.rules` read the row in force at a
date and never hold a rate, cap or duration themselves."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SchemeKind(models.TextChoices):
    JOBROTATION = "jobrotation", _("Jobrotation (jobrotationsydelse)")
    KOMPETENCEFOND = "kompetencefond", _("Den Kommunale Kompetencefond")
    VEU = "veu", _("VEU allowance (VEU-godtgørelse)")
    SVU = "svu", _("State adult education support (SVU)")
    OWN_BUDGET = "own_budget", _("Own budget")
    OTHER = "other", _("Other source")


class ParameterKey(models.TextChoices):
    HOURLY_RATE = "hourly_rate", _("Hourly rate (kr.)")
    WEEKLY_RATE = "weekly_rate", _("Weekly rate (kr.)")
    MIN_PRIOR_UNEMPLOYMENT_MONTHS = (
        "min_prior_unemployment_months",
        _("Prior unemployment, at least (months)"),
    )
    MIN_WEEKLY_HOURS = "min_weekly_hours", _("Substitute hours per week on average, at least")
    MAX_PLACEMENT_MONTHS = "max_placement_months", _("Employment per substitute, at most (months)")
    CLOSED_TO_NEW = "closed_to_new", _("Closed to new forløb (1 = closed)")
    GRANT_SHARE_PCT = "grant_share_pct", _("Share of eligible costs paid (%)")
    CAP_PER_PERSON = "cap_per_person", _("Cap per person per rolling 12 months (kr.)")
    CAP_PER_PERSON_MASTER = "cap_per_person_master", _("Cap per person for master programmes (kr.)")
    WINDOW_MONTHS_BEFORE = "window_months_before", _("Application opens, months before the start")
    WINDOW_DAYS_BEFORE = "window_days_before", _("Application closes, days before the start")
    MAX_WEEKLY_HOURS = "max_weekly_hours", _("Hours per week, at most")


class FundingScheme(models.Model):
    """A way to pay for training or substitute cover. National (not owned by a municipality)."""

    kind = models.CharField(_("kind"), max_length=20, choices=SchemeKind.choices, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("funding scheme")
        verbose_name_plural = _("funding schemes")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SchemeParameter(models.Model):
    """One dated value of a scheme: in force from `valid_from` to `valid_to` (inclusive; empty: open)."""

    scheme = models.ForeignKey(
        FundingScheme, on_delete=models.CASCADE, related_name="parameters", verbose_name=_("scheme")
    )
    key = models.CharField(_("parameter"), max_length=40, choices=ParameterKey.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("scheme parameter")
        verbose_name_plural = _("scheme parameters")
        ordering = ["scheme", "key", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "key", "valid_from"], name="scheme_parameter_unique_from"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="scheme_parameter_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.key} {self.valid_from}: {self.value}"
