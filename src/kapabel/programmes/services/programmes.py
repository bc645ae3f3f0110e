"""Writes of programmes: the programme, its target group, partners, steering group, phases and
participants with their status per phase. Every service checks the actor, validates, runs in one
transaction and writes the audit log."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kapabel.assessments.models import Campaign
from kapabel.core import audit, jobs
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality
from kapabel.learning.models import Cohort
from kapabel.organisation.models import Employee, JobRole, OrgUnit
from kapabel.programmes import permissions
from kapabel.programmes.models import (
    FundingScheme,
    HourlyCost,
    Participant,
    ParticipantPhase,
    Partner,
    Phase,
    PhaseStatus,
    Programme,
    SteeringMember,
    TargetLine,
)
from kapabel.programmes.services.common import Refused

PROGRAMME_FIELDS = ("name", "purpose", "owner", "owner_unit", "status", "starts_on", "ends_on", "budget")
PHASE_FIELDS = ("name", "kind", "position", "starts_on", "ends_on", "campaign", "funding_scheme")


def _same_municipality(municipality_id: int, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and getattr(obj, "municipality_id", municipality_id) != municipality_id:
            raise Refused(
                _("Everything in a programme belongs to the programme's municipality."), code="tenant"
            )


@transaction.atomic
def programme_create(
    *,
    municipality: Municipality,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    actor: Actor,
    purpose: str = "",
    owner: Employee | None = None,
    owner_unit: OrgUnit | None = None,
    budget: Decimal = Decimal(0),
    status: str = Programme.Status.PLANNED,
) -> Programme:
    permissions.require_manage(actor, municipality.pk)
    _same_municipality(municipality.pk, owner, owner_unit)
    if ends_on < starts_on:
        raise Refused(_("A programme cannot end before it starts."), code="period")
    programme = Programme(
        municipality=municipality,
        name=name,
        purpose=purpose,
        owner=owner,
        owner_unit=owner_unit,
        budget=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )
    audit.create_audited(
        programme, fields=PROGRAMME_FIELDS, action="programmes.programme.created", actor=actor
    )
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, actor: Actor, **values: Any) -> Programme:
    permissions.require_manage(actor, programme.municipality_id)
    _same_municipality(programme.municipality_id, values.get("owner"), values.get("owner_unit"))

    def check(obj: Programme) -> None:
        if obj.ends_on < obj.starts_on:
            raise Refused(_("A programme cannot end before it starts."), code="period")

    audit.update_audited(
        programme,
        fields=PROGRAMME_FIELDS,
        values=values,
        action="programmes.programme.updated",
        actor=actor,
        check=check,
    )
    return programme


@transaction.atomic
def programme_set_target(
    *,
    programme: Programme,
    actor: Actor,
    units: Iterable[OrgUnit] = (),
    job_roles: Iterable[JobRole] = (),
    employees: Iterable[Employee] = (),
) -> None:
    """Replace the programme's target group."""
    permissions.require_manage(actor, programme.municipality_id)
    units, job_roles, employees = list(units), list(job_roles), list(employees)
    _same_municipality(programme.municipality_id, *units, *job_roles, *employees)
    TargetLine.objects.filter(programme=programme).delete()
    TargetLine.objects.bulk_create(
        [TargetLine(programme=programme, kind=TargetLine.Kind.UNIT, unit=u) for u in units]
        + [TargetLine(programme=programme, kind=TargetLine.Kind.JOB_ROLE, job_role=r) for r in job_roles]
        + [TargetLine(programme=programme, kind=TargetLine.Kind.EMPLOYEE, employee=e) for e in employees]
    )
    audit.record(
        "programmes.programme.target_set",
        actor=actor,
        obj=programme,
        changes={
            "units": [u.pk for u in units],
            "job_roles": [r.pk for r in job_roles],
            "employees": [e.pk for e in employees],
        },
    )


@transaction.atomic
def partner_add(*, programme: Programme, name: str, kind: str, actor: Actor) -> Partner:
    permissions.require_manage(actor, programme.municipality_id)
    partner = Partner(programme=programme, name=name, kind=kind)
    audit.create_audited(
        partner,
        fields=("name", "kind"),
        action="programmes.partner.added",
        actor=actor,
        municipality_id=programme.municipality_id,
    )
    return partner


@transaction.atomic
def steering_member_add(
    *, programme: Programme, name: str, actor: Actor, title: str = "", user: Any = None
) -> SteeringMember:
    permissions.require_manage(actor, programme.municipality_id)
    member = SteeringMember(programme=programme, name=name, title=title, user=user)
    audit.create_audited(
        member,
        fields=("name", "title", "user"),
        action="programmes.steering_member.added",
        actor=actor,
        municipality_id=programme.municipality_id,
    )
    return member


@transaction.atomic
def partner_remove(*, partner: Partner, actor: Actor) -> None:
    municipality_id = partner.programme.municipality_id
    permissions.require_manage(actor, municipality_id)
    audit.record("programmes.partner.removed", actor=actor, obj=partner, municipality_id=municipality_id)
    partner.delete()


@transaction.atomic
def steering_member_remove(*, member: SteeringMember, actor: Actor) -> None:
    """Take a member off the steering group (with a login, they no longer read the figures)."""
    municipality_id = member.programme.municipality_id
    permissions.require_manage(actor, municipality_id)
    audit.record(
        "programmes.steering_member.removed", actor=actor, obj=member, municipality_id=municipality_id
    )
    member.delete()


@transaction.atomic
def phase_create(
    *,
    programme: Programme,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    actor: Actor,
    kind: str = Phase.Kind.COURSE,
    position: int | None = None,
    campaign: Campaign | None = None,
    cohorts: Sequence[Cohort] = (),
    funding_scheme: FundingScheme | None = None,
) -> Phase:
    permissions.require_manage(actor, programme.municipality_id)
    _same_municipality(programme.municipality_id, campaign, *[c.offer for c in cohorts])
    if ends_on < starts_on:
        raise Refused(_("A phase cannot end before it starts."), code="period")
    if position is None:
        position = Phase.objects.filter(programme=programme).count() + 1
    phase = Phase(
        programme=programme,
        name=name,
        kind=kind,
        position=position,
        starts_on=starts_on,
        ends_on=ends_on,
        campaign=campaign,
        funding_scheme=funding_scheme,
    )
    audit.create_audited(
        phase,
        fields=PHASE_FIELDS,
        action="programmes.phase.created",
        actor=actor,
        municipality_id=programme.municipality_id,
    )
    if cohorts:
        phase.cohorts.set(cohorts)
        audit.record(
            "programmes.phase.cohorts_set",
            actor=actor,
            obj=phase,
            municipality_id=programme.municipality_id,
            changes={"cohorts": [c.pk for c in cohorts]},
        )
    return phase


@transaction.atomic
def phase_update(
    *, phase: Phase, actor: Actor, cohorts: Sequence[Cohort] | None = None, **values: Any
) -> Phase:
    """Change a phase's dates, kind and what it runs (`cohorts` None: the cohorts are kept)."""
    municipality_id = phase.programme.municipality_id
    permissions.require_manage(actor, municipality_id)
    _same_municipality(municipality_id, values.get("campaign"), *[c.offer for c in cohorts or ()])

    def check(obj: Phase) -> None:
        if obj.ends_on < obj.starts_on:
            raise Refused(_("A phase cannot end before it starts."), code="period")

    audit.update_audited(
        phase,
        fields=PHASE_FIELDS,
        values=values,
        action="programmes.phase.updated",
        actor=actor,
        municipality_id=municipality_id,
        check=check,
    )
    if cohorts is not None and {c.pk for c in cohorts} != {c.pk for c in phase.cohorts.all()}:
        phase.cohorts.set(cohorts)
        audit.record(
            "programmes.phase.cohorts_set",
            actor=actor,
            obj=phase,
            municipality_id=municipality_id,
            changes={"cohorts": [c.pk for c in cohorts]},
        )
    return phase


def participants_add(
    *, programme: Programme, employees: Iterable[Employee], actor: Actor, phases: Iterable[Phase] = ()
) -> list[Participant]:
    """Add people to the programme (those already in it are kept) and to `phases` as selected. A long
    write (hundreds of people at once): one transaction with a `JobRun` record of how it ended."""
    permissions.require_manage(actor, programme.municipality_id)
    employees = list(employees)
    _same_municipality(programme.municipality_id, *employees)
    phases = list(phases)
    with jobs.long_write(
        "programmes.participants_add", actor=actor, municipality=programme.municipality_id
    ) as run:
        existing = set(Participant.objects.filter(programme=programme).values_list("employee_id", flat=True))
        new = [Participant(programme=programme, employee=e) for e in employees if e.pk not in existing]
        Participant.objects.bulk_create(new)
        run.progress("participants")
        participants = list(Participant.objects.filter(programme=programme, employee__in=employees))
        if phases:
            ParticipantPhase.objects.bulk_create(
                [ParticipantPhase(participant=p, phase=ph) for p in participants for ph in phases],
                ignore_conflicts=True,
            )
        audit.record(
            "programmes.participants.added",
            actor=actor,
            obj=programme,
            changes={"employees": [e.pk for e in employees], "phases": [ph.pk for ph in phases]},
        )
    return participants


@transaction.atomic
def participant_phase_set(
    *, participant: Participant, phase: Phase, status: str, actor: Actor
) -> ParticipantPhase:
    permissions.require_manage(actor, participant.programme.municipality_id)
    if phase.programme_id != participant.programme_id:
        raise Refused(_("The phase belongs to another programme."), code="phase")
    if status not in PhaseStatus.values:
        raise Refused(_("Unknown status."), code="status")
    row, _created = ParticipantPhase.objects.get_or_create(participant=participant, phase=phase)
    audit.update_audited(
        row,
        fields=("status",),
        values={"status": status},
        action="programmes.participant.status_set",
        actor=actor,
        municipality_id=participant.programme.municipality_id,
        person=participant.employee_id,
    )
    return row


@transaction.atomic
def participant_statuses_set(
    *, programme: Programme, changes: Iterable[tuple[Participant, Phase, str]], actor: Actor
) -> int:
    """Set many statuses at once (the participants page): all are written, or none."""
    count = 0
    for participant, phase, status in changes:
        if participant.programme_id != programme.pk:
            raise Refused(_("The participant belongs to another programme."), code="participant")
        participant_phase_set(participant=participant, phase=phase, status=status, actor=actor)
        count += 1
    return count


@transaction.atomic
def hourly_cost_set(
    *, job_role: JobRole, hourly_cost: Decimal, valid_from: datetime.date, actor: Actor
) -> HourlyCost:
    """HR enters the hourly salary cost of a job role from a date (replacing one from the same date)."""
    permissions.require_manage(actor, job_role.municipality_id)
    if hourly_cost < 0:
        raise Refused(_("An hourly cost cannot be negative."), code="hours")
    row = HourlyCost.objects.filter(job_role=job_role, valid_from=valid_from).first()
    if row is None:
        row = HourlyCost(
            municipality_id=job_role.municipality_id,
            job_role=job_role,
            hourly_cost=hourly_cost,
            valid_from=valid_from,
        )
        audit.create_audited(
            row,
            fields=("job_role", "hourly_cost", "valid_from"),
            action="programmes.hourly_cost.set",
            actor=actor,
        )
    else:
        audit.update_audited(
            row,
            fields=("hourly_cost",),
            values={"hourly_cost": hourly_cost},
            action="programmes.hourly_cost.set",
            actor=actor,
        )
    return row
