"""The learning API under /api/v1/: providers, offers, cohorts and sessions, enrolments and their
transitions, attendance, interest and evidence. The same selectors, permission helpers and services as
the pages: a fetch the user may not see answers 404, an action they may not take 403, a refusal by a
guard 422 with the reason (problem+json)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from kapabel.core.api_auth import require_write_scope
from kapabel.core.api_schema import Pagination, id_query
from kapabel.core.web import request_user
from kapabel.learning import permissions, selectors, services
from kapabel.learning.models import Cohort, Enrolment
from kapabel.learning.schemas import (
    AttendanceIn,
    AttendanceOut,
    BulkEnrolIn,
    BulkEnrolOut,
    CohortDetailOut,
    CohortIn,
    CohortOut,
    CohortPatch,
    EnrolIn,
    EnrolmentDetailOut,
    EnrolmentOut,
    EvidenceConfirmIn,
    EvidenceOut,
    HistoryOut,
    InterestIn,
    InterestOut,
    OfferDetailOut,
    OfferIn,
    OfferOut,
    ProviderIn,
    ProviderOut,
    SessionIn,
    SessionOut,
    TransitionIn,
)
from kapabel.learning.search.endpoints import offer_facets, offer_list
from kapabel.learning.search.schemas import FacetsOut
from kapabel.organisation.permissions import get_municipality_for_user

router = Router(tags=["learning"])


def _session_spec(request: HttpRequest, payload: SessionIn) -> services.SessionSpec:
    room = (
        selectors.rooms_for_user(request.user).filter(pk=payload.room_id).first() if payload.room_id else None
    )
    if payload.room_id and room is None:
        raise Http404
    if payload.starts_at is None or payload.ends_at is None:
        raise ValidationError({"starts_at": _("Give the start and the end of the session.")})
    return services.SessionSpec(
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=payload.place,
        online=payload.online,
        online_url=payload.online_url,
        room=room,
    )


# --- Providers ----------------------------------------------------------------------------------


@router.get("/providers", response=list[ProviderOut], summary="Providers of your municipalities")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_providers(request: HttpRequest, q: str = "") -> Any:
    providers = selectors.providers_for_user(request.user)
    return providers.filter(name__icontains=q) if q else providers


@router.get("/providers/{provider_id}", response=ProviderOut)
def get_provider(request: HttpRequest, provider_id: int) -> Any:
    return permissions.get_provider_for_user(request.user, provider_id)


@router.post("/providers", response={201: ProviderOut}, summary="Add a provider (HR, administrators)")
def create_provider(request: HttpRequest, payload: ProviderIn) -> Any:
    require_write_scope(request)
    municipality = get_municipality_for_user(request.user, payload.municipality_id)
    provider = services.provider_create(
        municipality=municipality,
        name=payload.name,
        kind=payload.kind,
        external_id=payload.external_id,
        actor=request_user(request),
    )
    return Status(201, provider)


# --- Offers -------------------------------------------------------------------------------------


# The catalogue search (`?search=` and facet filters) lives with the search (`search.endpoints`).
router.get("/offers", response=list[OfferOut], summary="The catalogue: Danish search and facet filters")(
    paginate(Pagination, page_size=50, max_page_size=500)(offer_list)
)
router.get("/offers/facets", response=FacetsOut, summary="Facet counts for a catalogue search")(offer_facets)


@router.get("/offers/{offer_id}", response=OfferDetailOut)
def get_offer(request: HttpRequest, offer_id: int) -> Any:
    offer = permissions.get_offer_for_user(request.user, offer_id)
    return selectors.offer_detail(offer)


@router.post("/offers", response={201: OfferDetailOut}, summary="Add an offer (HR, administrators)")
def create_offer(request: HttpRequest, payload: OfferIn) -> Any:
    require_write_scope(request)
    provider = permissions.get_provider_for_user(request.user, payload.provider_id)
    category = (
        selectors.categories_for_user(request.user).filter(pk=payload.category_id).first()
        if payload.category_id
        else None
    )
    data = payload.dict(exclude={"provider_id", "category_id"})
    offer = services.offer_create(
        municipality=provider.municipality,
        provider=provider,
        category=category,
        actor=request_user(request),
        **data,
    )
    return Status(201, selectors.offer_detail(offer))


@router.get("/offers/{offer_id}/interest", response=list[InterestOut], summary="Open interests you may see")
def list_interest(request: HttpRequest, offer_id: int) -> Any:
    offer = permissions.get_offer_for_user(request.user, offer_id)
    return selectors.interests_for_user(request.user).filter(offer=offer, handled_at__isnull=True)


@router.post("/offers/{offer_id}/interest", response={201: InterestOut}, summary="Register interest")
def register_interest(request: HttpRequest, offer_id: int, payload: InterestIn) -> Any:
    require_write_scope(request)
    offer = permissions.get_offer_for_user(request.user, offer_id)
    employee = permissions.get_employee_for_user(request.user, payload.employee_id)
    interest = services.interest_register(
        offer=offer, employee=employee, note=payload.note, actor=request_user(request)
    )
    return Status(201, interest)


# --- Cohorts and sessions -----------------------------------------------------------------------


@router.get("/cohorts", response=list[CohortOut], summary="Cohorts of your municipalities")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_cohorts(request: HttpRequest, offer_id: int | None = id_query(), status: str = "") -> Any:
    cohorts = selectors.cohorts_for_user(request.user).order_by("first_starts_at", "id")
    if offer_id is not None:
        cohorts = cohorts.filter(offer_id=offer_id)
    if status:
        cohorts = cohorts.filter(status=status)
    return cohorts


@router.get("/cohorts/{cohort_id}", response=CohortDetailOut)
def get_cohort(request: HttpRequest, cohort_id: int) -> Any:
    return selectors.cohort_detail(permissions.get_cohort_for_user(request.user, cohort_id))


@router.post("/cohorts", response={201: CohortDetailOut}, summary="Create a cohort with its sessions")
def create_cohort(request: HttpRequest, payload: CohortIn) -> Any:
    require_write_scope(request)
    offer = permissions.get_offer_for_user(request.user, payload.offer_id)
    cohort = services.cohort_create(
        offer=offer,
        capacity=payload.capacity,
        code=payload.code,
        title=payload.title,
        min_size=payload.min_size,
        registration_opens=payload.registration_opens,
        registration_closes=payload.registration_closes,
        cancellation_cutoff=payload.cancellation_cutoff,
        status=payload.status,
        sessions=[_session_spec(request, s) for s in payload.sessions],
        actor=request_user(request),
    )
    return Status(201, selectors.cohort_detail(cohort))


@router.patch(
    "/cohorts/{cohort_id}",
    response=CohortDetailOut,
    summary="Change a cohort; `status` opens, closes, starts or completes it, `cancelled` cancels it",
)
def update_cohort(request: HttpRequest, cohort_id: int, payload: CohortPatch) -> Any:
    require_write_scope(request)
    cohort = permissions.get_cohort_for_user(request.user, cohort_id)
    changes = payload.dict(exclude_unset=True)
    status = changes.pop("status", None)
    cancel_reason = changes.pop("cancel_reason", None) or ""
    if changes:
        services.cohort_update(cohort=cohort, actor=request_user(request), **changes)
    if status == Cohort.Status.CANCELLED:
        services.cohort_cancel(cohort=cohort, reason=cancel_reason, actor=request_user(request))
    elif status is not None and status != cohort.status:
        services.cohort_set_status(cohort=cohort, status=status, actor=request_user(request))
    return selectors.cohort_detail(cohort)


@router.get("/cohorts/{cohort_id}/sessions", response=list[SessionOut])
def list_sessions(request: HttpRequest, cohort_id: int) -> Any:
    cohort = permissions.get_cohort_for_user(request.user, cohort_id)
    return selectors.sessions_for_user(request.user).filter(cohort=cohort)


@router.post("/cohorts/{cohort_id}/sessions", response={201: SessionOut})
def create_session(request: HttpRequest, cohort_id: int, payload: SessionIn) -> Any:
    require_write_scope(request)
    cohort = permissions.get_cohort_for_user(request.user, cohort_id)
    spec = _session_spec(request, payload)
    return Status(201, services.session_create(cohort=cohort, spec=spec, actor=request_user(request)))


@router.get("/sessions/{session_id}/attendance", response=list[AttendanceOut])
def list_attendance(request: HttpRequest, session_id: int) -> Any:
    session = permissions.get_session_for_user(request.user, session_id)
    return selectors.attendance_for_user(request.user).filter(session=session)


@router.post("/sessions/{session_id}/attendance", response=list[AttendanceOut], summary="Record attendance")
def record_attendance(request: HttpRequest, session_id: int, payload: AttendanceIn) -> Any:
    require_write_scope(request)
    session = permissions.get_session_for_user(request.user, session_id)
    return services.attendance_record(session=session, marks=payload.marks, actor=request_user(request))


# --- Enrolments ---------------------------------------------------------------------------------


@router.get("/cohorts/{cohort_id}/enrolments", response=list[EnrolmentOut])
@paginate(Pagination, page_size=100, max_page_size=500)
def list_cohort_enrolments(request: HttpRequest, cohort_id: int, status: str = "") -> Any:
    cohort = permissions.get_cohort_for_user(request.user, cohort_id)
    enrolments = selectors.enrolments_for_user(request.user).filter(cohort=cohort).order_by("queued_at", "id")
    return enrolments.filter(status=status) if status else enrolments


@router.post(
    "/cohorts/{cohort_id}/enrolments",
    response={201: EnrolmentOut},
    summary="Enrol someone: booked or waitlisted (HR, administrators, a manager for their people), "
    "or a request (for yourself)",
)
def enrol(request: HttpRequest, cohort_id: int, payload: EnrolIn) -> Any:
    require_write_scope(request)
    cohort = permissions.get_cohort_for_user(request.user, cohort_id)
    employee = permissions.get_employee_for_user(request.user, payload.employee_id)
    enrolment = services.enrolment_book(
        cohort=cohort, employee=employee, note=payload.note, actor=request_user(request)
    )
    return Status(201, enrolment)


@router.get("/enrolments/bulk", summary="How to book a group")
def bulk_help(request: HttpRequest) -> dict[str, Any]:
    return {
        "method": "POST",
        "body": {"cohort_id": "int", "employee_ids": "[int, ...] in queue order"},
        "result": "the free places go to the first, the rest are waitlisted in order",
    }


@router.post("/enrolments/bulk", response={201: BulkEnrolOut}, summary="Book a group onto a cohort")
def enrol_many(request: HttpRequest, payload: BulkEnrolIn) -> Any:
    require_write_scope(request)
    cohort = permissions.get_cohort_for_user(request.user, payload.cohort_id)
    if not payload.employee_ids:
        raise ValidationError({"employee_ids": _("Give the people to book.")})
    visible = selectors.people_for_user(request.user).in_bulk(payload.employee_ids)
    if len(visible) != len(set(payload.employee_ids)):
        raise Http404
    result = services.enrolments_bulk_book(
        cohort=cohort, employees=[visible[pk] for pk in payload.employee_ids], actor=request_user(request)
    )
    return Status(
        201,
        {
            "booked": [e.pk for e in result.booked],
            "waitlisted": [e.pk for e in result.waitlisted],
            "awaiting_hr": [e.pk for e in result.awaiting_hr],
            "skipped": [e.pk for e in result.skipped],
        },
    )


@router.get("/enrolments", response=list[EnrolmentOut], summary="Enrolments of the people you may see")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_enrolments(request: HttpRequest, status: str = "", employee_id: int | None = id_query()) -> Any:
    enrolments = selectors.enrolments_for_user(request.user).order_by("-created_at", "-id")
    if status:
        enrolments = enrolments.filter(status=status)
    if employee_id is not None:
        enrolments = enrolments.filter(employee_id=employee_id)
    return enrolments


@router.get("/enrolments/{enrolment_id}", response=EnrolmentDetailOut)
def get_enrolment(request: HttpRequest, enrolment_id: int) -> Any:
    return selectors.enrolment_detail(permissions.get_enrolment_for_user(request.user, enrolment_id))


@router.get("/enrolments/{enrolment_id}/transitions", response=list[HistoryOut], summary="Status history")
def list_transitions(request: HttpRequest, enrolment_id: int) -> Any:
    enrolment = permissions.get_enrolment_for_user(request.user, enrolment_id)
    return enrolment.history.order_by("at", "id")


@router.post(
    "/enrolments/{enrolment_id}/transitions",
    response=EnrolmentDetailOut,
    summary="Move an enrolment: approve, decline, cancel, complete or fail",
)
def transition(request: HttpRequest, enrolment_id: int, payload: TransitionIn) -> Any:
    require_write_scope(request)
    enrolment = permissions.get_enrolment_for_user(request.user, enrolment_id)
    actor = request_user(request)
    if payload.action == "complete":
        services.enrolment_complete(
            enrolment=enrolment, ects_earned=payload.ects_earned, version=payload.version, actor=actor
        )
    else:
        handlers: dict[str, Callable[..., Enrolment]] = {
            "approve": services.enrolment_approve,
            "decline": services.enrolment_decline,
            "cancel": services.enrolment_cancel,
            "fail": services.enrolment_fail,
        }
        handlers[payload.action](
            enrolment=enrolment, reason=payload.reason, version=payload.version, actor=actor
        )
    return selectors.enrolment_detail(enrolment)


# --- Evidence -----------------------------------------------------------------------------------


@router.get("/evidence", response=list[EvidenceOut], summary="Evidence of the people you may see")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_evidence(
    request: HttpRequest, confirmed: bool | None = None, employee_id: int | None = id_query()
) -> Any:
    evidence = selectors.evidence_for_user(request.user)
    if confirmed is not None:
        evidence = evidence.filter(confirmed_at__isnull=not confirmed)
    if employee_id is not None:
        evidence = evidence.filter(employee_id=employee_id)
    return evidence


@router.get("/evidence/{evidence_id}", response=EvidenceOut)
def get_evidence(request: HttpRequest, evidence_id: int) -> Any:
    return permissions.get_evidence_for_user(request.user, evidence_id)


@router.patch(
    "/evidence/{evidence_id}",
    response=EvidenceOut,
    summary="Confirm evidence (a manager or HR): writes a rating with source evidence",
)
def confirm_evidence(request: HttpRequest, evidence_id: int, payload: EvidenceConfirmIn) -> Any:
    require_write_scope(request)
    evidence = permissions.get_evidence_for_user(request.user, evidence_id)
    if not payload.confirmed:
        raise ValidationError({"confirmed": _("Evidence can only be confirmed.")})
    return services.evidence_confirm(
        evidence=evidence, level=payload.level, comment=payload.comment, actor=request_user(request)
    )


from kapabel.learning.api_planning import router as planning_router  # noqa: E402

router.add_router("", planning_router)
