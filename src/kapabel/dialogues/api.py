"""The dialogues API under /api/v1/: cycles, dialogues (booking, the person's request, preparation,
recording), coverage and development plans. The same selectors, permission checks and services as
the pages: what the caller may not see answers 404, what they may not do 403, a refusal 422.

Route order matters: `/dialogues/coverage` is declared before `/dialogues/{dialogue_id}`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from kapabel.core.access import scope_for
from kapabel.core.api_auth import require_write_scope
from kapabel.core.api_schema import Pagination, id_query
from kapabel.core.web import request_user
from kapabel.dialogues import coverage as coverage_module
from kapabel.dialogues import permissions, selectors, services
from kapabel.dialogues.models import Dialogue, Plan
from kapabel.dialogues.privacy import audit_read
from kapabel.dialogues.schemas import (
    CoverageOut,
    CycleDetailOut,
    CycleIn,
    CycleOut,
    DialogueBookingIn,
    DialogueConsentIn,
    DialogueConsentOut,
    DialogueDetailOut,
    DialogueOut,
    DialoguePreparationIn,
    DialoguePreparationOut,
    DialogueRecordIn,
    DialogueRequestIn,
    PlanActivityIn,
    PlanActivityOut,
    PlanConfirmIn,
    PlanDetailOut,
    PlanGoalIn,
    PlanGoalOut,
    PlanIn,
    PlanOut,
)
from kapabel.learning import selectors as learning_selectors
from kapabel.organisation import selectors as org_selectors

router = Router(tags=["dialogues"])


# --- Shapes ------------------------------------------------------------------------------------------


def _dialogue(d: Dialogue, status: str | None = None) -> dict[str, Any]:
    return {
        "id": d.pk,
        "employee_id": d.employee_id,
        "employee_name": d.employee.name,
        "cycle_id": d.cycle_id,
        "kind": d.kind,
        "group_id": d.group_id,
        "state": d.state,
        "status": status or selectors.status_of(d),
        "window_opens": d.window_opens,
        "due_on": d.due_on,
        "starts_at": d.starts_at,
        "ends_at": d.ends_at,
        "place": d.place,
        "manager_id": d.manager_id,
        "requested_at": d.requested_at,
        "held_at": d.held_at,
        "version": d.version,
    }


def _dialogue_detail(request: HttpRequest, d: Dialogue) -> dict[str, Any]:
    user = request_user(request)
    view = selectors.dialogue_view(user, d)
    audit_read(user, d, employee_id=d.employee_id, municipality_id=d.municipality_id, what="api")
    preparations = ([view.own_preparation] if view.own_preparation else []) + view.other_preparations
    return {
        **_dialogue(d, view.status),
        "content_visible": view.content,
        "notes": d.notes if view.content else None,
        "agreements": d.agreements if view.content else None,
        "agreed_levels": [
            {"competence_id": a.competence_id, "level": a.level, "rating_id": a.rating_id}
            for a in view.agreed_levels
        ]
        if view.content
        else None,
        "preparations": [
            {
                "side": p.side,
                "mine": p.author_id == user.pk,
                "notes": p.notes,
                "answers": p.answers,
                "shared": p.shared,
                "updated_at": p.updated_at,
            }
            for p in preparations
        ],
        "questions": view.questions,
        "plan_ids": [p.pk for p in view.plans] if view.content else None,
    }


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "employee_id": plan.employee_id,
        "dialogue_id": plan.dialogue_id,
        "title": plan.title,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "status": plan.status,
        "version": plan.version,
        "content_version": plan.content_version,
        "agreed_version": plan.agreed_version,
        "employee_confirmed_version": plan.employee_confirmed_version,
        "manager_confirmed_version": plan.manager_confirmed_version,
        "is_agreed": plan.is_agreed,
    }


def _plan_detail(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    audit_read(
        request.user, plan, employee_id=plan.employee_id, municipality_id=plan.municipality_id, what="api"
    )
    detail = selectors.plan_detail(plan)
    return {
        **_plan(plan),
        "goals": [g["goal"] for g in detail["goals"]],
        "activities": [
            {
                "id": row.activity.pk,
                "goal_id": row.activity.goal_id,
                "kind": row.activity.kind,
                "title": row.activity.title,
                "enrolment_id": row.activity.enrolment_id,
                "internal_activity_id": row.activity.internal_activity_id,
                "responsible": row.activity.responsible,
                "due_on": row.activity.due_on,
                "status": row.status,
            }
            for row in detail["activities"]
        ],
        "follow_ups": detail["follow_ups"],
        "versions": detail["versions"],
    }


def _required(**values: Any) -> None:
    missing = {name: _("This field is required.") for name, value in values.items() if value is None}
    if missing:
        raise ValidationError(missing)


# --- Cycles --------------------------------------------------------------------------------------------


@router.get("/dialogue-cycles", response=list[CycleOut], summary="Dialogue cycles that reach people you see")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_cycles(request: HttpRequest) -> Any:
    return selectors.cycles_for_user(request.user)


@router.get("/dialogue-cycles/{cycle_id}", response=CycleDetailOut)
def get_cycle(request: HttpRequest, cycle_id: int) -> Any:
    cycle = permissions.get_cycle_for_user(request.user, cycle_id)
    cycle.status_counts = selectors.cycle_status_counts(request.user, cycle)  # type: ignore[attr-defined]
    return cycle


@router.post(
    "/dialogue-cycles", response={201: CycleDetailOut}, summary="Create a cycle (HR, administrators)"
)
def create_cycle(request: HttpRequest, payload: CycleIn) -> Any:
    require_write_scope(request)
    unit = get_object_or_404(org_selectors.units_for_user(request.user), pk=payload.unit_id)
    _required(starts_on=payload.starts_on, ends_on=payload.ends_on)
    cycle = services.cycle_create(
        unit=unit,
        name=payload.name,
        kind=payload.kind,
        schedule=payload.schedule,
        starts_on=payload.starts_on,  # type: ignore[arg-type]
        ends_on=payload.ends_on,  # type: ignore[arg-type]
        include_subtree=payload.include_subtree,
        window_days=payload.window_days,
        follow_up_months=payload.follow_up_months,
        questions=[q.model_dump() for q in payload.questions],
        actor=request_user(request),
    )
    cycle.status_counts = {"not_booked": cycle.dialogue_count}  # type: ignore[attr-defined]
    return Status(201, cycle)


# --- Dialogues -----------------------------------------------------------------------------------------


@router.get("/dialogues", response=list[DialogueOut], summary="Dialogues you may see")
@paginate(Pagination, page_size=100, max_page_size=1000)
def list_dialogues(
    request: HttpRequest, cycle_id: int | None = id_query(), employee_id: int | None = id_query()
) -> Any:
    queryset = selectors.dialogues_for_user(request.user, cycle_id=cycle_id, employee_id=employee_id)
    return selectors.with_status_flags(queryset)


@router.get(
    "/dialogues/coverage",
    response=CoverageOut,
    summary="Coverage of a unit's subtree: dialogues held in the last 12 months, current plans",
)
def get_coverage(
    request: HttpRequest, unit_id: int | None = id_query("Default: the top unit you see.")
) -> Any:
    units = org_selectors.units_for_user(request.user)
    unit = units.filter(pk=unit_id).first() if unit_id else units.order_by("depth", "path").first()
    if unit is None:
        raise Http404
    result = coverage_module.coverage(request.user, unit)
    return {
        **result.total.as_dict(),
        "minimum_group": result.minimum,
        "units": [row.as_dict() for row in result.units],
        "trend": result.trend,
    }


@router.get(
    "/dialogues/requests", response=list[DialogueOut], summary="Dialogues people asked for, not yet held"
)
@paginate(Pagination, page_size=100, max_page_size=1000)
def list_requests(request: HttpRequest) -> Any:
    return selectors.with_status_flags(selectors.requests_for_user(request.user))


@router.post(
    "/dialogues/requests", response={201: DialogueOut}, summary="Ask for an individual dialogue (yourself)"
)
def request_dialogue(request: HttpRequest, payload: DialogueRequestIn) -> Any:
    require_write_scope(request)
    employee = get_object_or_404(learning_selectors.people_for_user(request.user), pk=payload.employee_id)
    dialogue = services.dialogue_request(employee=employee, actor=request_user(request), note=payload.note)
    return Status(201, _dialogue(dialogue))


@router.get("/dialogues/consent", response=DialogueConsentOut, summary="Your own choice about a new manager")
def get_consent(request: HttpRequest) -> Any:
    employee_id = scope_for(request.user).employee_id
    return {
        "employee_id": employee_id,
        "new_manager_may_read": selectors.consent_for(employee_id) if employee_id else False,
    }


@router.put(
    "/dialogues/consent", response=DialogueConsentOut, summary="May a new manager read your earlier dialogues"
)
def set_consent(request: HttpRequest, payload: DialogueConsentIn) -> Any:
    require_write_scope(request)
    employee = get_object_or_404(learning_selectors.people_for_user(request.user), pk=payload.employee_id)
    consent = services.consent_set(
        employee=employee, actor=request_user(request), allow=payload.new_manager_may_read
    )
    return {"employee_id": employee.pk, "new_manager_may_read": consent.new_manager_may_read}


@router.get("/dialogues/{dialogue_id}", response=DialogueDetailOut)
def get_dialogue(request: HttpRequest, dialogue_id: int) -> Any:
    return _dialogue_detail(request, permissions.get_dialogue_for_user(request.user, dialogue_id))


@router.get(
    "/dialogues/{dialogue_id}/preparation", response=DialoguePreparationOut, summary="Your own preparation"
)
def get_preparation(request: HttpRequest, dialogue_id: int) -> Any:
    user = request_user(request)
    dialogue = permissions.get_dialogue_for_user(user, dialogue_id)
    side = permissions.side_of(user, dialogue)
    if side is None:
        raise Http404
    own = selectors.own_preparation(dialogue, user)
    if own is None:
        return {"side": side, "mine": True, "notes": "", "answers": {}, "shared": False, "updated_at": None}
    return {
        "side": own.side,
        "mine": True,
        "notes": own.notes,
        "answers": own.answers,
        "shared": own.shared,
        "updated_at": own.updated_at,
    }


@router.put(
    "/dialogues/{dialogue_id}/preparation",
    response=DialoguePreparationOut,
    summary="Save your own preparation (private until shared)",
)
def put_preparation(request: HttpRequest, dialogue_id: int, payload: DialoguePreparationIn) -> Any:
    require_write_scope(request)
    dialogue = permissions.get_dialogue_for_user(request.user, dialogue_id)
    if permissions.side_of(request.user, dialogue) is None:
        raise Http404
    preparation = services.preparation_save(
        dialogue=dialogue,
        actor=request_user(request),
        notes=payload.notes,
        shared=payload.shared,
        answers=payload.answers,
    )
    return {
        "side": preparation.side,
        "mine": True,
        "notes": preparation.notes,
        "answers": preparation.answers,
        "shared": preparation.shared,
        "updated_at": preparation.updated_at,
    }


@router.get("/dialogues/{dialogue_id}/booking", response=DialogueOut, summary="The dialogue's booking")
def get_booking(request: HttpRequest, dialogue_id: int) -> Any:
    return _dialogue(permissions.get_dialogue_for_user(request.user, dialogue_id))


@router.post(
    "/dialogues/{dialogue_id}/booking", response=DialogueDetailOut, summary="Book or move the dialogue"
)
def book_dialogue(request: HttpRequest, dialogue_id: int, payload: DialogueBookingIn) -> Any:
    require_write_scope(request)
    dialogue = permissions.get_dialogue_for_user(request.user, dialogue_id)
    _required(starts_at=payload.starts_at, ends_at=payload.ends_at)
    services.dialogue_book(
        dialogue=dialogue,
        starts_at=payload.starts_at,  # type: ignore[arg-type]
        ends_at=payload.ends_at,  # type: ignore[arg-type]
        place=payload.place,
        version=payload.version,
        actor=request_user(request),
    )
    return _dialogue_detail(request, dialogue)


@router.get(
    "/dialogues/{dialogue_id}/record", response=DialogueDetailOut, summary="The record of the dialogue"
)
def get_record(request: HttpRequest, dialogue_id: int) -> Any:
    dialogue = permissions.get_dialogue_for_user(request.user, dialogue_id)
    if not permissions.can_read_content(request.user, dialogue):
        raise Http404
    return _dialogue_detail(request, dialogue)


@router.post(
    "/dialogues/{dialogue_id}/record", response=DialogueDetailOut, summary="Record the dialogue as held"
)
def record_dialogue(request: HttpRequest, dialogue_id: int, payload: DialogueRecordIn) -> Any:
    require_write_scope(request)
    dialogue = permissions.get_dialogue_for_user(request.user, dialogue_id)
    if not permissions.can_read_content(request.user, dialogue):
        raise Http404
    competences = selectors.competences_by_id([level.competence_id for level in payload.levels])
    if len(competences) != len({level.competence_id for level in payload.levels}):
        raise ValidationError({"levels": _("A competence in the list does not exist.")})
    services.dialogue_record(
        dialogue=dialogue,
        notes=payload.notes,
        agreements=payload.agreements,
        levels={competences[level.competence_id]: level.level for level in payload.levels},
        held_at=payload.held_at,
        version=payload.version,
        actor=request_user(request),
    )
    return _dialogue_detail(request, dialogue)


# --- Plans ---------------------------------------------------------------------------------------------


@router.get("/plans", response=list[PlanOut], summary="Development plans you may read (yours, your people's)")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_plans(request: HttpRequest, employee_id: int | None = id_query()) -> Any:
    return selectors.plans_for_user(request.user, employee_id=employee_id)


@router.post("/plans", response={201: PlanDetailOut}, summary="Start a development plan")
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    require_write_scope(request)
    employee = get_object_or_404(learning_selectors.people_for_user(request.user), pk=payload.employee_id)
    dialogue = (
        permissions.get_dialogue_for_user(request.user, payload.dialogue_id) if payload.dialogue_id else None
    )
    plan = services.plan_create(
        employee=employee,
        dialogue=dialogue,
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        actor=request_user(request),
    )
    return Status(201, _plan_detail(request, plan))


@router.get("/plans/{plan_id}", response=PlanDetailOut)
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    return _plan_detail(request, permissions.get_plan_for_user(request.user, plan_id))


@router.get("/plans/{plan_id}/goals", response=list[PlanGoalOut], summary="The plan's goals")
def list_goals(request: HttpRequest, plan_id: int) -> Any:
    return _plan_detail(request, permissions.get_plan_for_user(request.user, plan_id))["goals"]


@router.post("/plans/{plan_id}/goals", response={201: PlanGoalOut}, summary="Add a goal")
def add_goal(request: HttpRequest, plan_id: int, payload: PlanGoalIn) -> Any:
    require_write_scope(request)
    plan = permissions.get_plan_for_user(request.user, plan_id)
    competence = selectors.competences_by_id([payload.competence_id or 0]).get(payload.competence_id or 0)
    if payload.competence_id and competence is None:
        raise Http404
    goal = services.goal_add(
        plan=plan,
        title=payload.title,
        competence=competence,
        target_level=payload.target_level,
        due_on=payload.due_on,
        version=payload.version,
        actor=request_user(request),
    )
    return Status(201, goal)


@router.get("/plans/{plan_id}/activities", response=list[PlanActivityOut], summary="The plan's activities")
def list_activities(request: HttpRequest, plan_id: int) -> Any:
    return _plan_detail(request, permissions.get_plan_for_user(request.user, plan_id))["activities"]


@router.post("/plans/{plan_id}/activities", response={201: PlanActivityOut}, summary="Add an activity")
def add_activity(request: HttpRequest, plan_id: int, payload: PlanActivityIn) -> Any:
    require_write_scope(request)
    plan = permissions.get_plan_for_user(request.user, plan_id)
    goal = get_object_or_404(plan.goals.all(), pk=payload.goal_id) if payload.goal_id else None
    enrolment = (
        get_object_or_404(learning_selectors.enrolments_for_user(request.user), pk=payload.enrolment_id)
        if payload.enrolment_id
        else None
    )
    internal = (
        get_object_or_404(
            learning_selectors.activities_for_user(request.user), pk=payload.internal_activity_id
        )
        if payload.internal_activity_id
        else None
    )
    activity = services.activity_add(
        plan=plan,
        title=payload.title,
        kind=payload.kind,
        goal=goal,
        enrolment=enrolment,
        internal_activity=internal,
        responsible=payload.responsible,
        due_on=payload.due_on,
        version=payload.version,
        actor=request_user(request),
    )
    row = selectors.plan_detail(plan)["activities"]
    found = next(r for r in row if r.activity.pk == activity.pk)
    return Status(
        201,
        {
            **{
                f: getattr(activity, f)
                for f in ("id", "goal_id", "kind", "title", "enrolment_id", "internal_activity_id")
            },
            "responsible": activity.responsible,
            "due_on": activity.due_on,
            "status": found.status,
        },
    )


@router.get("/plans/{plan_id}/confirm", response=PlanOut, summary="Who has confirmed which version")
def get_confirmation(request: HttpRequest, plan_id: int) -> Any:
    return _plan(permissions.get_plan_for_user(request.user, plan_id))


@router.post(
    "/plans/{plan_id}/confirm",
    response=PlanDetailOut,
    summary="Confirm the plan as you saw it (optimistic locking: send its version)",
)
def confirm_plan(request: HttpRequest, plan_id: int, payload: PlanConfirmIn) -> Any:
    require_write_scope(request)
    plan = permissions.get_plan_for_user(request.user, plan_id)
    _required(version=payload.version)
    locked = services.plan_confirm(plan=plan, version=payload.version, actor=request_user(request))
    return _plan_detail(request, locked)
