"""Load everything a programme report needs in a fixed number of queries (no query per participant,
substitute, placement or week), as plain in-memory data for `selectors.report`."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from kapabel.assessments.models import Assessment
from kapabel.core.access import subtree_q
from kapabel.learning.models import PLACE_STATUSES, Enrolment, EnrolmentStatus, Session
from kapabel.organisation.models import Employee
from kapabel.programmes import rules
from kapabel.programmes.models import (
    Application,
    FundingScheme,
    HourlyCost,
    Participant,
    ParticipantPhase,
    Phase,
    Placement,
    Programme,
    Substitute,
    TargetLine,
)
from kapabel.programmes.selectors.schemes import all_params

# Holding a place and away from work (a no-show was at work).
AWAY_STATUSES = tuple(s for s in PLACE_STATUSES if s != EnrolmentStatus.NO_SHOW)
COMPLETED_STATUSES = (EnrolmentStatus.COMPLETED, EnrolmentStatus.ATTENDED_FULL)
CLARIFIED_STATUSES = (
    Assessment.Status.SUBMITTED,
    Assessment.Status.MANAGER_ASSESSED,
    Assessment.Status.AGREED,
)


@dataclass
class Loaded:
    programme: Programme
    phases: list[Phase]
    phase_cohorts: dict[int, set[int]]
    participants: list[Participant]
    # employee id -> [(cohort id, status, price)]
    enrolments: dict[int, list[tuple[int, str, Decimal | None]]]
    cohort_weeks: dict[int, dict[datetime.date, Decimal]]
    substitutes: list[Substitute]
    placements: dict[int, list[Placement]]  # substitute id -> placements
    covers: dict[int, list[int]]  # placement id -> participant ids
    applications: list[Application]
    schemes: dict[int, FundingScheme]
    params: dict[int, list[rules.Param]]
    hourly_costs: dict[int, list[tuple[datetime.date, Decimal]]]  # job role -> sorted
    stored_status: dict[int, dict[str, int]]  # phase -> status -> count
    clarified: dict[int, set[int]]  # campaign -> employee ids
    target_size: int
    extra: dict[str, Any] = field(default_factory=dict)


def _target_q(lines: list[TargetLine]) -> Q | None:
    q: Q | None = None
    for line in lines:
        if line.kind == TargetLine.Kind.UNIT and line.unit is not None:
            part = subtree_q(line.unit.path, "unit__path")
        elif line.kind == TargetLine.Kind.JOB_ROLE:
            part = Q(job_role_id=line.job_role_id)
        else:
            part = Q(pk=line.employee_id)
        q = part if q is None else q | part
    return q


def load(programme: Programme) -> Loaded:
    phases = list(
        Phase.objects.filter(programme=programme).prefetch_related("cohorts").order_by("position", "id")
    )
    phase_cohorts = {ph.pk: {c.pk for c in ph.cohorts.all()} for ph in phases}
    cohort_ids = set().union(*phase_cohorts.values()) if phase_cohorts else set()
    participants = list(
        Participant.objects.filter(programme=programme)
        .select_related("employee__unit", "employee__job_role")
        .order_by("id")
    )
    people = Participant.objects.filter(programme=programme).values("employee_id")
    enrolments: dict[int, list[tuple[int, str, Decimal | None]]] = defaultdict(list)
    for employee_id, cohort_id, status, price in Enrolment.objects.filter(
        cohort_id__in=cohort_ids, employee_id__in=people
    ).values_list("employee_id", "cohort_id", "status", "cohort__offer__price_per_participant"):
        enrolments[employee_id].append((cohort_id, status, price))
    sessions: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = defaultdict(list)
    for cohort_id, starts, ends in Session.objects.filter(cohort_id__in=cohort_ids).values_list(
        "cohort_id", "starts_at", "ends_at"
    ):
        sessions[cohort_id].append((timezone.localtime(starts), timezone.localtime(ends)))
    day_cap = programme.full_time_week_hours / Decimal(5)
    cohort_weeks = {cid: rules.session_hours_by_week(rows, day_cap) for cid, rows in sessions.items()}
    substitutes = list(
        Substitute.objects.filter(programme=programme).select_related("unit").order_by("starts_on", "id")
    )
    placements: dict[int, list[Placement]] = defaultdict(list)
    for placement in (
        Placement.objects.filter(substitute__programme=programme)
        .select_related("unit")
        .order_by("starts_on", "id")
    ):
        placements[placement.substitute_id].append(placement)
    covers: dict[int, list[int]] = defaultdict(list)
    for placement_id, participant_id in Placement.participants.through.objects.filter(
        placement__substitute__programme=programme
    ).values_list("placement_id", "participant_id"):
        covers[placement_id].append(participant_id)
    applications = list(
        Application.objects.filter(programme=programme)
        .select_related("participant__employee")
        .order_by("education_starts_on", "id")
    )
    schemes = {s.pk: s for s in FundingScheme.objects.all()}
    hourly_costs: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for job_role_id, valid_from, cost in (
        HourlyCost.objects.filter(municipality_id=programme.municipality_id)
        .order_by("valid_from")
        .values_list("job_role_id", "valid_from", "hourly_cost")
    ):
        hourly_costs[job_role_id].append((valid_from, cost))
    stored_status: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        ParticipantPhase.objects.filter(phase__programme=programme)
        .values("phase_id", "status")
        .annotate(n=Count("id"))
    ):
        stored_status[row["phase_id"]][row["status"]] = row["n"]
    campaign_ids = [ph.campaign_id for ph in phases if ph.campaign_id]
    clarified: dict[int, set[int]] = defaultdict(set)
    if campaign_ids:
        for campaign_id, employee_id in Assessment.objects.filter(
            campaign_id__in=campaign_ids, employee_id__in=people, status__in=CLARIFIED_STATUSES
        ).values_list("campaign_id", "employee_id"):
            clarified[campaign_id].add(employee_id)
    lines = list(TargetLine.objects.filter(programme=programme).select_related("unit"))
    target_q = _target_q(lines)
    target_size = (
        Employee.objects.filter(municipality_id=programme.municipality_id, active=True)
        .filter(target_q)
        .count()
        if target_q is not None
        else len(participants)
    )
    return Loaded(
        programme=programme,
        phases=phases,
        phase_cohorts=phase_cohorts,
        participants=participants,
        enrolments=enrolments,
        cohort_weeks=cohort_weeks,
        substitutes=substitutes,
        placements=placements,
        covers=covers,
        applications=applications,
        schemes=schemes,
        params=all_params(),
        hourly_costs=hourly_costs,
        stored_status=stored_status,
        clarified=clarified,
        target_size=target_size,
    )
