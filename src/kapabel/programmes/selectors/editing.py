"""Reads for the programme forms: the choices a coordinator or HR may pick from, limited to the part of
the municipality they see (a municipality-wide role sees it all; a role over a unit sees its subtree),
and the rows the edit pages list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from kapabel.assessments.models import Campaign
from kapabel.core.access import scope_for, subtree_q
from kapabel.core.models import Municipality, User
from kapabel.learning.models import Cohort
from kapabel.organisation.models import Employee, JobRole, OrgUnit
from kapabel.programmes import permissions
from kapabel.programmes.models import (
    Application,
    ApplicationDocument,
    HourlyCost,
    Participant,
    ParticipantPhase,
    Partner,
    Phase,
    SteeringMember,
    TargetLine,
)
from kapabel.programmes.selectors.loading import _target_q


def _seen_q(user: User | Any, municipality_id: int, path_field: str) -> Q:
    """The units (by `path_field`) a manager of programmes sees in the municipality; nothing if none."""
    grants = [
        g for g in scope_for(user).grants_for(*permissions.MANAGERS) if g.municipality_id == municipality_id
    ]
    if any(g.path is None for g in grants):
        return Q()
    q = Q(pk__in=[])
    for grant in grants:
        if grant.path is not None:
            q |= subtree_q(grant.path, path_field)
    return q


def managed_municipality(user: User | Any, preferred_id: int | None) -> Municipality | None:
    """The municipality a manager works in: the preferred one (the header's choice) if they manage
    programmes there, else the first they manage programmes in."""
    ids = sorted({g.municipality_id for g in scope_for(user).grants_for(*permissions.MANAGERS)})
    if not ids:
        return None
    chosen = preferred_id if preferred_id in ids else ids[0]
    return Municipality.objects.filter(pk=chosen).first()


def units_for(user: User | Any, municipality_id: int, keep: int | None = None) -> QuerySet[OrgUnit]:
    """Active units the user sees; `keep` (a value already chosen, e.g. the owning unit) stays a choice
    so saving the form does not drop it."""
    seen = _seen_q(user, municipality_id, "path")
    if keep is not None:
        seen |= Q(pk=keep)
    return OrgUnit.objects.filter(municipality_id=municipality_id, active=True).filter(seen).order_by("path")


def employees_for(user: User | Any, municipality_id: int, keep: int | None = None) -> QuerySet[Employee]:
    """Active people the user sees (by unit); `keep` as in `units_for`."""
    seen = _seen_q(user, municipality_id, "unit__path")
    if keep is not None:
        seen |= Q(pk=keep)
    return (
        Employee.objects.filter(municipality_id=municipality_id, active=True)
        .filter(seen)
        .select_related("unit")
        .order_by("name", "pk")
    )


def job_roles_of(municipality_id: int) -> QuerySet[JobRole]:
    return JobRole.objects.filter(municipality_id=municipality_id, active=True).order_by("title", "pk")


def steering_people(user: User | Any, municipality_id: int) -> QuerySet[Employee]:
    """People with a login who can be given a steering group seat that opens the figures: only those
    the acting user sees (by unit), like every other people picker. Anyone else, a director above
    the user's part, say, can still be named on a seat without a login, or given the login by HR."""
    return employees_for(user, municipality_id).filter(user__isnull=False).select_related("user")


def campaigns_of(municipality_id: int) -> QuerySet[Campaign]:
    return Campaign.objects.filter(municipality_id=municipality_id).order_by("-pk")


def cohorts_of(municipality_id: int) -> QuerySet[Cohort]:
    return (
        Cohort.objects.filter(offer__municipality_id=municipality_id)
        .select_related("offer")
        .order_by("-first_starts_at", "pk")
    )


def partner_of(programme: Any, pk: int) -> Partner | None:
    return Partner.objects.filter(programme=programme, pk=pk).select_related("programme").first()


def steering_member_of(programme: Any, pk: int) -> SteeringMember | None:
    return SteeringMember.objects.filter(programme=programme, pk=pk).select_related("programme").first()


def partners_of(programme_id: int) -> list[Partner]:
    return list(Partner.objects.filter(programme_id=programme_id))


def steering_of(programme_id: int) -> list[SteeringMember]:
    return list(SteeringMember.objects.filter(programme_id=programme_id))


@dataclass
class Target:
    """A programme's target group split into what the acting user sees (and may change) and the lines
    outside their part of the municipality (kept as they are when the user saves)."""

    units: list[OrgUnit] = field(default_factory=list)
    job_roles: list[JobRole] = field(default_factory=list)
    employees: list[Employee] = field(default_factory=list)
    hidden_units: list[OrgUnit] = field(default_factory=list)
    hidden_employees: list[Employee] = field(default_factory=list)


def target_of(user: User | Any, programme_id: int, municipality_id: int) -> Target:
    lines = TargetLine.objects.filter(programme_id=programme_id).select_related(
        "unit", "job_role", "employee"
    )
    seen_units = set(units_for(user, municipality_id).values_list("pk", flat=True))
    seen_people = set(employees_for(user, municipality_id).values_list("pk", flat=True))
    target = Target()
    for line in lines:
        if line.unit is not None:
            (target.units if line.unit_id in seen_units else target.hidden_units).append(line.unit)
        elif line.job_role is not None:
            target.job_roles.append(line.job_role)
        elif line.employee is not None:
            bucket = target.employees if line.employee_id in seen_people else target.hidden_employees
            bucket.append(line.employee)
    return target


def target_candidates(user: User | Any, programme_id: int, municipality_id: int) -> QuerySet[Employee]:
    """The people of the target group the user sees who are not participants yet."""
    lines = list(TargetLine.objects.filter(programme_id=programme_id).select_related("unit"))
    q = _target_q(lines)
    if q is None:
        return Employee.objects.none()
    already = Participant.objects.filter(programme_id=programme_id).values("employee_id")
    return employees_for(user, municipality_id).filter(q).exclude(pk__in=already)


PICKER_LISTS = ("target", "participants", "owner", "steering")


def picker_people(user: User | Any, municipality_id: int, programme: Any, which: str) -> QuerySet[Employee]:
    """The people a programme form's people picker `which` offers (and accepts): the target group's
    named people, the target group's people not participating yet, the owner, the steering group's
    logins. `programme` is None on a programme not created yet."""
    if which == "target":
        return employees_for(user, municipality_id)
    if which == "owner":
        return employees_for(user, municipality_id, keep=programme.owner_id if programme else None)
    if which == "participants" and programme is not None:
        return target_candidates(user, programme.pk, municipality_id)
    if which == "steering" and programme is not None:
        return steering_people(user, municipality_id)
    return Employee.objects.none()


def participants_with_statuses(
    user: User | Any, programme_id: int, municipality_id: int
) -> tuple[list[Participant], dict[tuple[int, int], str]]:
    """The participants the user sees (by unit) and their status per phase."""
    participants = list(
        Participant.objects.filter(programme_id=programme_id)
        .filter(_seen_q(user, municipality_id, "employee__unit__path"))
        .select_related("employee__unit")
        .order_by("employee__name", "pk")
    )
    statuses = {
        (participant_id, phase_id): status
        for participant_id, phase_id, status in ParticipantPhase.objects.filter(
            participant__in=[p.pk for p in participants]
        ).values_list("participant_id", "phase_id", "status")
    }
    return participants, statuses


def phases_of(programme_id: int) -> list[Phase]:
    return list(Phase.objects.filter(programme_id=programme_id).order_by("position", "starts_on", "pk"))


def phase_for_edit(programme_id: int, phase_id: int) -> Phase | None:
    return (
        Phase.objects.filter(programme_id=programme_id, pk=phase_id)
        .select_related("programme")
        .prefetch_related("cohorts__offer")
        .first()
    )


def hourly_costs_of(municipality_id: int) -> list[HourlyCost]:
    return list(
        HourlyCost.objects.filter(municipality_id=municipality_id)
        .select_related("job_role")
        .order_by("job_role__title", "-valid_from")
    )


def documents_of(application: Application) -> list[ApplicationDocument]:
    return list(ApplicationDocument.objects.filter(application=application).select_related("uploaded_by"))


def document_of(application: Application, document_id: int) -> ApplicationDocument | None:
    return ApplicationDocument.objects.filter(application=application, pk=document_id).first()
