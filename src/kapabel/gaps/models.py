"""Gap analysis: settings and the maintained tables.

`GapFact` holds one row per active employee × competence with a target: the target (and where it
came from), the current level (NULL = unknown) and the gap, computed by `definition.person_gaps`.
`GapAggregate` holds, per unit × competence, the totals over the unit's whole *subtree*, so the
heatmap of any unit reads one row per shown unit and competence instead of scanning people or
ratings. `GapPriorityGroup` holds the job role × unit groups of the priorities page,
`GapCampaignLevels` every person's levels in every campaign (the snapshot the trend compares) and
`GapTrendAggregate` the trend's subtree totals per pair of campaigns. All are written only by
`kapabel.gaps.upkeep` (and its bulk `kapabel.gaps.rebuild`); see docs/gaps.md.

Their foreign keys have no database constraint (`db_constraint=False`): the rows are derived from the
tables they point to and written only by the upkeep, and a rebuild inserts millions of them, each of
which the database would otherwise check against five parent tables (PostgreSQL does so row by row at
commit: minutes at 50,000 employees). Deleting a parent still deletes the rows (Django's CASCADE), and
`upkeep.verify` compares every row with a recomputation.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kapabel.competences.models import IMPORTANCE_DEFAULT_WEIGHTS, Importance


class GapSettings(models.Model):
    """Per-municipality settings of the gap analysis (rows with defaults, not constants)."""

    municipality = models.OneToOneField(
        "core.Municipality", on_delete=models.CASCADE, related_name="gap_settings"
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group shown in aggregated views"), default=5, validators=[MinValueValidator(2)]
    )
    weight_essential = models.PositiveSmallIntegerField(
        _("weight of essential"), default=IMPORTANCE_DEFAULT_WEIGHTS[Importance.ESSENTIAL]
    )
    weight_important = models.PositiveSmallIntegerField(
        _("weight of important"), default=IMPORTANCE_DEFAULT_WEIGHTS[Importance.IMPORTANT]
    )
    weight_nice_to_have = models.PositiveSmallIntegerField(
        _("weight of nice to have"), default=IMPORTANCE_DEFAULT_WEIGHTS[Importance.NICE_TO_HAVE]
    )
    # How the leader survey's "importance now" and "in three years" weigh in the priorities
    # (docs/gaps.md, "Priorities and the leader survey").
    leader_influence = models.PositiveSmallIntegerField(
        _("weight of the leader survey in the priorities (%)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "0 leaves the priorities to the gaps alone; 100 lets the leaders' importance count fully."
        ),
    )
    leader_future_share = models.PositiveSmallIntegerField(
        _("share of “in three years” in the leaders' importance (%)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_("0 uses the importance now only; 100 the importance in three years only."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("gap analysis settings")
        verbose_name_plural = _("gap analysis settings")

    def __str__(self) -> str:
        return str(self.municipality_id)

    @property
    def weights(self) -> dict[str, int]:
        return {
            Importance.ESSENTIAL: self.weight_essential,
            Importance.IMPORTANT: self.weight_important,
            Importance.NICE_TO_HAVE: self.weight_nice_to_have,
        }


class TargetSource(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual target")
    JOB_ROLE = "job_role", _("Job role profile")
    UNIT = "unit", _("Unit profile")


class GapFact(models.Model):
    """One active employee × target competence: target, current level and gap."""

    # Two indexes only, (employee, competence) and (unit, competence), which every read and the upkeep
    # use: each index roughly doubles the cost of writing the millions of rows of a rebuild. Deleting a
    # municipality, job role or competence (rare) scans instead.
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    employee = models.ForeignKey(
        "organisation.Employee",
        on_delete=models.CASCADE,
        related_name="gap_facts",
        db_index=False,
        db_constraint=False,
    )
    unit = models.ForeignKey(
        "organisation.OrgUnit",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    job_role = models.ForeignKey(
        "organisation.JobRole",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    competence = models.ForeignKey(
        "competences.Competence",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    target_level = models.PositiveSmallIntegerField()
    target_source = models.CharField(max_length=20, choices=TargetSource.choices)
    importance = models.CharField(max_length=20, choices=Importance.choices)
    weight = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    gap = models.PositiveSmallIntegerField(null=True, blank=True)
    weighted_gap = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "competence"], name="gap_fact_unique"),
        ]
        indexes = [models.Index(fields=["unit", "competence"], name="gap_fact_unit_idx")]

    def __str__(self) -> str:
        return f"{self.employee_id}/{self.competence_id} gap={self.gap}"


class GapAggregate(models.Model):
    """Totals over a unit's whole subtree for one competence. `people`: with a target; `known`: of
    those, with a current level; `below`: of those, below target; sums over the known."""

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    unit = models.ForeignKey(
        "organisation.OrgUnit", on_delete=models.CASCADE, related_name="gap_aggregates", db_constraint=False
    )
    competence = models.ForeignKey(
        "competences.Competence", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    people = models.IntegerField(default=0)
    known = models.IntegerField(default=0)
    below = models.IntegerField(default=0)
    gap_sum = models.IntegerField(default=0)
    weighted_gap_sum = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "competence"], name="gap_aggregate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.competence_id}"


class GapPriorityGroup(models.Model):
    """The people placed directly in one unit with one job role (or none) who are below target in
    one competence: how many, and their gap and weighted gap sums. The "job role × unit" groups of
    the priorities page rank these rows; a group with nobody below target has no row."""

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    unit = models.ForeignKey(
        "organisation.OrgUnit",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    job_role = models.ForeignKey(
        "organisation.JobRole",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    competence = models.ForeignKey(
        "competences.Competence",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    people = models.IntegerField(default=0)
    gap_sum = models.IntegerField(default=0)
    weighted_gap_sum = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["unit", "competence"], name="gap_group_unit_idx"),
            models.Index(fields=["municipality", "-weighted_gap_sum", "-people"], name="gap_group_rank_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.job_role_id}/{self.competence_id}"


class GapCampaignLevels(models.Model):
    """Snapshot for the trend: one person's levels in one campaign, for each of their current target
    competences that has a known level there, as {"competence id": level}. The level is the one the
    trend compares (`snapshots.campaign_levels`): of the campaign's ratings of the competence, or of
    any competence that maps into it, the latest per source, first known in the municipality's
    source order."""

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    employee = models.ForeignKey(
        "organisation.Employee",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    campaign = models.ForeignKey(
        "assessments.Campaign", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    levels = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "campaign"], name="gap_campaign_levels_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}/{self.campaign_id}"


class GapTrendAggregate(models.Model):
    """The trend between two campaigns over a unit's whole subtree, for one competence: the people
    with a target and a known level in both campaigns, and the sums of their gaps in the first
    (`campaign_a`) and the second (`campaign_b`). One row per pair with `campaign_a_id <=
    campaign_b_id` (equal: one campaign against itself); read the other way round by swapping."""

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    campaign_a = models.ForeignKey(
        "assessments.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    campaign_b = models.ForeignKey(
        "assessments.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    unit = models.ForeignKey(
        "organisation.OrgUnit", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    competence = models.ForeignKey(
        "competences.Competence",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    people = models.IntegerField(default=0)
    gap_a_sum = models.IntegerField(default=0)
    gap_b_sum = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_a", "campaign_b", "unit", "competence"], name="gap_trend_unique"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "campaign_a"], name="gap_trend_muni_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_a_id}-{self.campaign_b_id}/{self.unit_id}/{self.competence_id}"
