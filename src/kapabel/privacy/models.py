"""Retention rules (how long Kapabel keeps the data of people who have left) and their runs.

Rules are data, not constants (house style): a row per municipality and kind with the number of years,
the day it applies from, and its source (the municipality's decision or legal basis). The rule in
force on a day is the one with the latest `valid_from` on or before it; a new rule is a new row, so
the history of what applied when is kept."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kapabel.core.models import Municipality


class RetentionRule(models.Model):
    class Kind(models.TextChoices):
        FORMER_EMPLOYEES = "former_employees", _("Anonymise people who have left")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="retention_rules")
    kind = models.CharField(_("rule"), max_length=30, choices=Kind.choices, default=Kind.FORMER_EMPLOYEES)
    years = models.PositiveSmallIntegerField(
        _("years after employment ended"),
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("People who left at least this many years ago are anonymised."),
    )
    valid_from = models.DateField(_("applies from"))
    source = models.CharField(
        _("decision or legal basis"),
        max_length=300,
        help_text=_("E.g. the municipality's decision and its case number."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["municipality", "kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "valid_from"], name="retention_rule_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.years}"


class RetentionRun(models.Model):
    """One application of a municipality's retention rule: how many people it found due, and how many
    it anonymised. Names are not kept here; each anonymisation is in the audit log. A dry run writes
    nothing, not even one of these."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(
        RetentionRule, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    cutoff = models.DateField(_("left on or before"), null=True, blank=True)
    found = models.PositiveIntegerField(_("people due"), default=0)
    anonymised = models.PositiveIntegerField(_("people anonymised"), default=0)
    actor_label = models.CharField(max_length=200)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.started_at:%Y-%m-%d}"
