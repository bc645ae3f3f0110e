"""The programmes API under /api/v1/: programmes, phases, participants, substitutes, placements, funding
schemes and applications, and the programme report. The same permission checks, selectors and services
as the pages: what the caller may not see answers 404, what they may not do 403, a refusal 422.
Substitutes (personal data) only for those who run the programme."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from kapabel.core.api_auth import require_write_scope
from kapabel.core.web import request_user
from kapabel.programmes import permissions, services
from kapabel.programmes.models import (
    Application,
    FundingScheme,
    Participant,
    Placement,
    Programme,
    Substitute,
)
from kapabel.programmes.schemas import (
    ApplicationIn,
    ApplicationMoveIn,
    ApplicationOut,
    OutcomeIn,
    ParameterIn,
    ParameterOut,
    ParticipantOut,
    ParticipantsIn,
    PhaseIn,
    PhaseOut,
    PlacementIn,
    PlacementOut,
    ProgrammeDetailOut,
    ProgrammeIn,
    ProgrammeOut,
    ReportOut,
    SchemeOut,
    SubstituteIn,
    SubstituteOut,
)
from kapabel.programmes.selectors import pages
from kapabel.programmes.selectors.report import programme_report

router = Router(tags=["programmes"])


def _programme(p: Programme, participants: int | None = None) -> dict[str, Any]:
    return {
        "id": p.pk,
        "municipality_id": p.municipality_id,
        "name": p.name,
        "purpose": p.purpose,
        "status": p.status,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "budget": p.budget,
        "participants": participants if participants is not None else getattr(p, "participant_count", 0),
    }


def _phase(ph: Any) -> dict[str, Any]:
    return {
        "id": ph.pk,
        "name": ph.name,
        "kind": ph.kind,
        "position": ph.position,
        "starts_on": ph.starts_on,
        "ends_on": ph.ends_on,
        "campaign_id": ph.campaign_id,
        "cohort_ids": [c.pk for c in ph.cohorts.all()],
        "funding_scheme_id": ph.funding_scheme_id,
    }


def _substitute(s: Substitute) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "email": s.email,
        "recruited_via": s.recruited_via,
        "unemployment_months": s.unemployment_months,
        "benefit": s.benefit,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "hours_per_week": s.hours_per_week,
        "unit_id": s.unit_id,
        "manager_id": s.manager_id,
        "outcome": s.outcome,
    }


def _placement(pl: Placement) -> dict[str, Any]:
    return {
        "id": pl.pk,
        "substitute_id": pl.substitute_id,
        "unit_id": pl.unit_id,
        "participant_ids": sorted(p.pk for p in pl.participants.all()),
        "starts_on": pl.starts_on,
        "ends_on": pl.ends_on,
        "hours_per_week": pl.hours_per_week,
        "scheme_id": pl.scheme_id,
    }


def _application(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "scheme_id": a.scheme_id,
        "title": a.title,
        "status": a.status,
        "participant_id": a.participant_id,
        "people": a.people,
        "education_starts_on": a.education_starts_on,
        "eligible_costs": a.eligible_costs,
        "granted_amount": a.granted_amount,
        "paid_amount": a.paid_amount,
        "submitted_on": a.submitted_on,
    }


def _scheme(s: FundingScheme) -> dict[str, Any]:
    return {
        "id": s.pk,
        "kind": s.kind,
        "name": s.name,
        "description": s.description,
        "eligibility": s.eligibility,
        "source": s.source,
        "parameters": [
            {
                "id": p.pk,
                "key": p.key,
                "value": p.value,
                "valid_from": p.valid_from,
                "valid_to": p.valid_to,
                "source": p.source,
            }
            for p in s.parameters.all()
        ],
    }


def _managed(request: HttpRequest, programme_id: int) -> Programme:
    programme = permissions.get_programme_for_user(request.user, programme_id)
    if not permissions.can_manage(request.user, programme):
        raise PermissionDenied(_("Only programme coordinators and HR of the municipality can see this."))
    return programme


def _required(**values: Any) -> None:
    missing = {name: _("This field is required.") for name, value in values.items() if value in (None, [])}
    if missing:
        raise ValidationError(missing)


def _one(found: Any) -> Any:
    if found is None:
        raise Http404
    return found


# --- programmes -------------------------------------------------------------------------------------


@router.get("/programmes", response=list[ProgrammeOut], summary="Programmes you run or follow")
def list_programmes(request: HttpRequest) -> Any:
    return [_programme(p) for p in pages.programme_list(request_user(request))[:500]]


@router.post("/programmes", response={201: ProgrammeDetailOut}, summary="Create a programme")
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Any:
    require_write_scope(request)
    user = request_user(request)
    municipality = _one(pages.municipality_for(user, payload.municipality_id))
    _required(starts_on=payload.starts_on, ends_on=payload.ends_on)
    assert payload.starts_on is not None and payload.ends_on is not None
    programme = services.programme_create(
        municipality=municipality,
        name=payload.name,
        purpose=payload.purpose,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        budget=payload.budget,
        status=payload.status,
        actor=user,
    )
    return Status(201, {**_programme(programme, 0), "phases": [], "manages": True})


@router.get("/programmes/{programme_id}", response=ProgrammeDetailOut)
def get_programme(request: HttpRequest, programme_id: int) -> Any:
    user = request_user(request)
    programme = permissions.get_programme_for_user(user, programme_id)
    return {
        **_programme(programme, pages.participants_of(programme).count()),
        "phases": [_phase(ph) for ph in pages.phases_of(programme)],
        "manages": permissions.can_manage(user, programme),
    }


@router.get(
    "/programmes/{programme_id}/report",
    response=ReportOut,
    summary="The programme report (the same figures as `kapabel programme-report`)",
)
def get_report(request: HttpRequest, programme_id: int) -> Any:
    user = request_user(request)
    programme = permissions.get_programme_for_user(user, programme_id)
    return programme_report(programme, names=permissions.sees_names(user, programme))


@router.get("/programmes/{programme_id}/phases", response=list[PhaseOut])
def list_phases(request: HttpRequest, programme_id: int) -> Any:
    programme = permissions.get_programme_for_user(request_user(request), programme_id)
    return [_phase(ph) for ph in pages.phases_of(programme)]


@router.post("/programmes/{programme_id}/phases", response={201: PhaseOut}, summary="Add a phase")
def create_phase(request: HttpRequest, programme_id: int, payload: PhaseIn) -> Any:
    require_write_scope(request)
    programme = _managed(request, programme_id)
    _required(starts_on=payload.starts_on, ends_on=payload.ends_on)
    assert payload.starts_on is not None and payload.ends_on is not None
    cohorts = pages.cohorts_of(programme, payload.cohort_ids)
    if len(cohorts) != len(set(payload.cohort_ids)):
        raise ValidationError({"cohort_ids": _("Unknown cohorts.")})
    scheme = None
    if payload.funding_scheme_id is not None:
        scheme = pages.scheme_by_id(payload.funding_scheme_id)
        if scheme is None:
            raise ValidationError({"funding_scheme_id": _("Unknown funding scheme.")})
    phase = services.phase_create(
        programme=programme,
        name=payload.name,
        kind=payload.kind,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        cohorts=cohorts,
        funding_scheme=scheme,
        actor=request_user(request),
    )
    return Status(201, _phase(phase))


@router.get("/programmes/{programme_id}/participants", response=list[ParticipantOut])
def list_participants(request: HttpRequest, programme_id: int) -> Any:
    user = request_user(request)
    programme = permissions.get_programme_for_user(user, programme_id)
    names = permissions.sees_names(user, programme)
    return (
        [
            {"id": p.pk, "employee_id": p.employee_id, "employee_name": p.employee.name if names else None}
            for p in pages.participants_of(programme)
        ]
        if names
        else []
    )


@router.post("/programmes/{programme_id}/participants", response={201: list[ParticipantOut]})
def add_participants(request: HttpRequest, programme_id: int, payload: ParticipantsIn) -> Any:
    require_write_scope(request)
    programme = _managed(request, programme_id)
    _required(employee_ids=payload.employee_ids)
    employees = list(pages.employees_of(programme).filter(pk__in=payload.employee_ids))
    if len(employees) != len(set(payload.employee_ids)):
        raise ValidationError({"employee_ids": _("Unknown people, or people of another municipality.")})
    phases = pages.phases_by_ids(programme, payload.phase_ids)
    if len(phases) != len(set(payload.phase_ids)):
        raise ValidationError({"phase_ids": _("Unknown phases.")})
    added = services.participants_add(
        programme=programme, employees=employees, phases=phases, actor=request_user(request)
    )
    names = {e.pk: e.name for e in employees}
    return Status(
        201,
        [
            {"id": p.pk, "employee_id": p.employee_id, "employee_name": names.get(p.employee_id)}
            for p in added
        ],
    )


# --- substitutes and placements ---------------------------------------------------------------------------


@router.get("/programmes/{programme_id}/substitutes", response=list[SubstituteOut])
def list_substitutes(request: HttpRequest, programme_id: int) -> Any:
    programme = _managed(request, programme_id)
    return [_substitute(s) for s in pages.substitutes_of(programme)]


@router.post("/programmes/{programme_id}/substitutes", response={201: SubstituteOut})
def create_substitute(request: HttpRequest, programme_id: int, payload: SubstituteIn) -> Any:
    require_write_scope(request)
    programme = _managed(request, programme_id)
    _required(starts_on=payload.starts_on, ends_on=payload.ends_on, hours_per_week=payload.hours_per_week)
    assert (
        payload.starts_on is not None and payload.ends_on is not None and payload.hours_per_week is not None
    )
    unit = pages.units_of(programme).filter(pk=payload.unit_id).first()
    if unit is None:
        raise ValidationError({"unit_id": _("Unknown unit.")})
    manager = None
    if payload.manager_id is not None:
        manager = pages.employees_of(programme).filter(pk=payload.manager_id).first()
        if manager is None:
            raise ValidationError({"manager_id": _("Unknown person.")})
    substitute = services.substitute_create(
        programme=programme,
        name=payload.name,
        email=payload.email,
        unit=unit,
        manager=manager,
        recruited_via=payload.recruited_via,
        unemployment_months=payload.unemployment_months,
        benefit=payload.benefit,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        hours_per_week=payload.hours_per_week,
        hourly_wage=payload.hourly_wage,
        outcome=payload.outcome,
        actor=request_user(request),
    )
    return Status(201, _substitute(substitute))


@router.get("/programmes/{programme_id}/substitutes/{substitute_id}", response=SubstituteOut)
def get_substitute(request: HttpRequest, programme_id: int, substitute_id: int) -> Any:
    programme = _managed(request, programme_id)
    return _substitute(_one(pages.substitute_of(programme, substitute_id)))


@router.patch(
    "/programmes/{programme_id}/substitutes/{substitute_id}",
    response=SubstituteOut,
    summary="Record a substitute's outcome",
)
def set_outcome(request: HttpRequest, programme_id: int, substitute_id: int, payload: OutcomeIn) -> Any:
    require_write_scope(request)
    programme = _managed(request, programme_id)
    substitute = _one(pages.substitute_of(programme, substitute_id))
    services.substitute_update(substitute=substitute, outcome=payload.outcome, actor=request_user(request))
    return _substitute(substitute)


@router.get("/programmes/{programme_id}/placements", response=list[PlacementOut])
def list_placements(request: HttpRequest, programme_id: int) -> Any:
    programme = _managed(request, programme_id)
    return [_placement(pl) for pl in pages.placements_of(programme)]


@router.post("/programmes/{programme_id}/placements", response={201: PlacementOut})
def create_placement(request: HttpRequest, programme_id: int, payload: PlacementIn) -> Any:
    require_write_scope(request)
    programme = _managed(request, programme_id)
    _required(
        participant_ids=payload.participant_ids,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        hours_per_week=payload.hours_per_week,
    )
    assert (
        payload.starts_on is not None and payload.ends_on is not None and payload.hours_per_week is not None
    )
    substitute = pages.substitute_of(programme, payload.substitute_id)
    if substitute is None:
        raise ValidationError({"substitute_id": _("Unknown substitute.")})
    participants = pages.participants_by_ids(programme, payload.participant_ids)
    if len(participants) != len(set(payload.participant_ids)):
        raise ValidationError({"participant_ids": _("Unknown participants.")})
    unit = None
    if payload.unit_id is not None:
        unit = pages.units_of(programme).filter(pk=payload.unit_id).first()
        if unit is None:
            raise ValidationError({"unit_id": _("Unknown unit.")})
    scheme = None
    if payload.scheme_id is not None:
        scheme = pages.scheme_by_id(payload.scheme_id)
        if scheme is None:
            raise ValidationError({"scheme_id": _("Unknown funding scheme.")})
    placement = services.placement_create(
        substitute=substitute,
        participants=participants,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        hours_per_week=payload.hours_per_week,
        unit=unit,
        scheme=scheme,
        actor=request_user(request),
    )
    return Status(201, _placement(placement))


# --- applications ---------------------------------------------------------------------------------------


@router.get("/programmes/{programme_id}/applications", response=list[ApplicationOut])
def list_applications(request: HttpRequest, programme_id: int) -> Any:
    programme = _managed(request, programme_id)
    return [_application(a) for a in pages.applications_of(programme)]


@router.post("/programmes/{programme_id}/applications", response={201: ApplicationOut})
def create_application(request: HttpRequest, programme_id: int, payload: ApplicationIn) -> Any:
    require_write_scope(request)
    programme = _managed(request, programme_id)
    _required(education_starts_on=payload.education_starts_on, eligible_costs=payload.eligible_costs)
    assert payload.education_starts_on is not None and payload.eligible_costs is not None
    scheme = pages.scheme_by_id(payload.scheme_id)
    if scheme is None:
        raise ValidationError({"scheme_id": _("Unknown funding scheme.")})
    participant: Participant | None = None
    if payload.participant_id is not None:
        participant = pages.participant_of(programme, payload.participant_id)
        if participant is None:
            raise ValidationError({"participant_id": _("Unknown participant.")})
    phase = None
    if payload.phase_id is not None:
        phase = pages.phase_of(programme, payload.phase_id)
        if phase is None:
            raise ValidationError({"phase_id": _("Unknown phase.")})
    application = services.application_create(
        programme=programme,
        scheme=scheme,
        title=payload.title,
        participant=participant,
        phase=phase,
        people=payload.people,
        master=payload.master,
        education_starts_on=payload.education_starts_on,
        education_ends_on=payload.education_ends_on,
        eligible_costs=payload.eligible_costs,
        case_number=payload.case_number,
        documents=payload.documents,
        actor=request_user(request),
    )
    return Status(201, _application(application))


@router.get("/programmes/{programme_id}/applications/{application_id}", response=ApplicationOut)
def get_application(request: HttpRequest, programme_id: int, application_id: int) -> Any:
    programme = _managed(request, programme_id)
    return _application(_one(pages.application_of(programme, application_id)))


@router.patch(
    "/programmes/{programme_id}/applications/{application_id}",
    response=ApplicationOut,
    summary="Move an application on: submit, grant or reject, record the payment",
)
def move_application(
    request: HttpRequest, programme_id: int, application_id: int, payload: ApplicationMoveIn
) -> Any:
    require_write_scope(request)
    programme = _managed(request, programme_id)
    application = _one(pages.application_of(programme, application_id))
    services.application_move(
        application=application,
        status=payload.status,
        on=payload.on,
        amount=payload.amount,
        actor=request_user(request),
    )
    return _application(application)


# --- funding schemes ----------------------------------------------------------------------------------------


@router.get(
    "/funding-schemes", response=list[SchemeOut], summary="Funding schemes with their dated parameters"
)
def list_schemes(request: HttpRequest) -> Any:
    return [_scheme(s) for s in pages.schemes()]


@router.get("/funding-schemes/{scheme_id}/parameters", response=list[ParameterOut])
def list_parameters(request: HttpRequest, scheme_id: int) -> Any:
    scheme = _one(pages.schemes().filter(pk=scheme_id).first())
    return _scheme(scheme)["parameters"]


@router.post(
    "/funding-schemes/{scheme_id}/parameters",
    response={201: ParameterOut},
    summary="Add a dated parameter (platform administrators)",
)
def create_parameter(request: HttpRequest, scheme_id: int, payload: ParameterIn) -> Any:
    require_write_scope(request)
    user = request_user(request)
    if not permissions.can_edit_schemes(user):
        raise PermissionDenied(_("Only platform administrators can change funding schemes."))
    scheme = _one(pages.scheme_by_id(scheme_id))
    _required(value=payload.value, valid_from=payload.valid_from)
    assert payload.value is not None and payload.valid_from is not None
    row = services.scheme_parameter_create(
        scheme=scheme,
        key=payload.key,
        value=payload.value,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        source=payload.source,
        actor=user,
    )
    return Status(
        201,
        {
            "id": row.pk,
            "key": row.key,
            "value": row.value,
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
            "source": row.source,
        },
    )
