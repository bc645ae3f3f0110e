"""API for campaigns, assessments and ratings. The same selectors, permission helpers and services as
the HTML views; a concurrent save answers 409 with the current version."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from kapabel.assessments import permissions, selectors, services
from kapabel.assessments.models import Campaign, Part
from kapabel.core import audit
from kapabel.core.api_auth import require_write_scope
from kapabel.core.api_schema import BodySchema, Id, Pagination, choices_schema, id_query, problem_response
from kapabel.core.web import request_user
from kapabel.organisation import permissions as org_permissions
from kapabel.organisation import selectors as org_selectors

router = Router(tags=["assessments"])
CampaignKind = Annotated[Campaign.Kind, WithJsonSchema(choices_schema(Campaign.Kind, "CampaignKind"))]


class CampaignOut(Schema):
    id: int
    municipality_id: int
    name: str
    kind: str
    framework_version_id: int
    profile_id: int | None
    opens_on: datetime.date
    closes_on: datetime.date
    status: str
    questions: list[str]
    participant_count: int
    send_invitations: bool


class CampaignIn(BodySchema):
    municipality_id: Id
    name: str = Field(min_length=1, max_length=200)
    kind: CampaignKind = Campaign.Kind.INDIVIDUAL
    framework_version_id: Id
    profile_id: Id | None = None
    opens_on: datetime.date | None = Field(None, description="Default: today")
    closes_on: datetime.date | None = Field(None, description="Required")
    unit_ids: list[Id] = Field(default_factory=list, description="Units with their subtrees")
    unit_ids_without_subtree: list[Id] = Field(default_factory=list)
    job_role_ids: list[Id] = Field(default_factory=list)
    employee_ids: list[Id] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)
    description: str = ""
    send_invitations: bool = Field(
        False, description="E-mail each participant an invitation with a link to their form when it opens"
    )


class AnswerIn(BodySchema):
    competence_id: Id
    level: int | Literal["unknown"] | None = Field(None, description='A level, "unknown" (ved ikke) or null')
    comment: str = ""
    importance_now: str = ""
    importance_future: str = ""


class AssessmentIn(BodySchema):
    part: Literal["self", "manager", "agreed"] = "self"
    version: int = Field(
        description="self_version (part self) or manager_version you started from (optimistic locking)"
    )
    submit: bool = False
    answers: list[AnswerIn] = Field(default_factory=list)
    needs_answers: list[str] = Field(default_factory=list, description="Needs survey: one per question")
    wishes: list[Id] = Field(default_factory=list, description="Needs survey: competence ids")


class AssessmentOut(Schema):
    id: int
    campaign_id: int
    employee_id: int
    unit_id: int
    status: str
    self_version: int
    manager_version: int
    self_submitted_at: datetime.datetime | None
    manager_submitted_at: datetime.datetime | None
    agreed_at: datetime.datetime | None
    self_draft: dict[str, Any]


class RatingOut(Schema):
    id: int
    employee_id: int | None
    unit_id: int | None
    competence_id: int
    framework_version_id: int
    source: str
    level: int | None
    comment: str
    campaign_id: int | None
    rated_at: datetime.datetime
    created_at: datetime.datetime
    supersedes_id: int | None
    superseded_by_id: int | None


class CorrectionIn(BodySchema):
    level: int | None = None
    comment: str = ""


class CurrentLevelOut(Schema):
    competence_id: int
    framework_version_id: int
    level: int | None
    source: str
    self_level: int | None
    manager_level: int | None
    agreed_level: int | None


def _answers(items: list[AnswerIn]) -> dict[int, dict[str, Any]]:
    """Answers keyed by competence id; a null level means not answered."""
    return {
        a.competence_id: a.dict(exclude={"competence_id"}) | {"level": "" if a.level is None else a.level}
        for a in items
    }


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns you may see")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_campaigns(request: HttpRequest, status: str = "", kind: str = "") -> Any:
    user = request_user(request)
    campaigns = selectors.campaigns_for_user(user)
    if status:
        campaigns = campaigns.filter(status=status)
    if kind:
        campaigns = campaigns.filter(kind=kind)
    return campaigns


@router.get("/campaigns/{campaign_id}", response=CampaignOut)
def get_campaign(request: HttpRequest, campaign_id: int) -> Any:
    user = request_user(request)
    return permissions.get_campaign_for_user(user, campaign_id)


@router.post("/campaigns", response={201: CampaignOut}, summary="Create a campaign (HR, administrators)")
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Any:
    require_write_scope(request)
    user = request_user(request)
    municipality = org_permissions.get_municipality_for_user(user, payload.municipality_id)
    permissions.require_manage_campaigns(user, municipality.pk)
    version = (
        selectors.framework_versions_for_municipality(municipality.pk)
        .filter(pk=payload.framework_version_id)
        .first()
    )
    if version is None:
        raise HttpError(404, _("Framework version not found."))
    profile = None
    if payload.profile_id is not None:
        profile = selectors.profiles_for_municipality(municipality.pk).filter(pk=payload.profile_id).first()
        if profile is None:
            raise HttpError(404, _("Profile not found."))
    if payload.closes_on is None:
        raise ValidationError({"closes_on": _("Give the close date.")})
    units = [org_permissions.get_unit_for_user(user, pk) for pk in payload.unit_ids]
    units_only = [org_permissions.get_unit_for_user(user, pk) for pk in payload.unit_ids_without_subtree]
    campaign = services.campaign_create(
        municipality=municipality,
        name=payload.name,
        kind=payload.kind,
        framework_version=version,
        profile=profile,
        opens_on=payload.opens_on or timezone.localdate(),
        closes_on=payload.closes_on,
        description=payload.description,
        questions=payload.questions,
        send_invitations=payload.send_invitations,
        base_url=request.build_absolute_uri("/"),
        scope=services.Scope(
            units=[(u, True) for u in units] + [(u, False) for u in units_only],
            job_roles=[org_permissions.get_job_role_for_user(user, pk) for pk in payload.job_role_ids],
            employees=[org_permissions.get_employee_for_user(user, pk) for pk in payload.employee_ids],
        ),
        actor=user,
    )
    return 201, campaign


class CampaignPatch(BodySchema):
    status: str = Field("closed", description='Only "closed": closing freezes the campaign for good')


@router.patch("/campaigns/{campaign_id}", response=CampaignOut, summary="Close a campaign")
def close_campaign(request: HttpRequest, campaign_id: int, payload: CampaignPatch) -> Any:
    require_write_scope(request)
    user = request_user(request)
    campaign = permissions.get_campaign_for_user(user, campaign_id)
    permissions.require_change_campaign(user, campaign)
    if payload.status != "closed":
        raise ValidationError({"status": _("A campaign can only be closed.")})
    return services.campaign_close(campaign=campaign, actor=user)


@router.get("/campaigns/{campaign_id}/progress", summary="Share submitted and agreed, per unit")
def campaign_progress(request: HttpRequest, campaign_id: int) -> Any:
    user = request_user(request)
    campaign = permissions.get_campaign_for_user(user, campaign_id)
    if not permissions.can_follow_campaigns(user):
        raise HttpError(403, _("Only managers, HR and administrators see progress."))
    return selectors.campaign_progress(campaign, user)


@router.get("/assessments", response=list[AssessmentOut], summary="Assessments you may see")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_assessments(request: HttpRequest, campaign_id: int | None = id_query(), mine: bool = False) -> Any:
    user = request_user(request)
    assessments = selectors.my_assessments(user) if mine else selectors.assessments_for_user(user)
    if campaign_id is not None:
        assessments = assessments.filter(campaign_id=campaign_id)
    return assessments.order_by("pk")


@router.get("/assessments/{assessment_id}", response=AssessmentOut)
def get_assessment(request: HttpRequest, assessment_id: int) -> Any:
    user = request_user(request)
    return permissions.get_assessment_for_user(user, assessment_id)


@router.put(
    "/assessments/{assessment_id}",
    response=AssessmentOut,
    summary="Save or submit one part: your own answers (self), the manager assessment or the agreed level",
    openapi_extra={"responses": {409: problem_response("Someone saved in between: reload and try again.")}},
)
def save_assessment(request: HttpRequest, assessment_id: int, payload: AssessmentIn) -> Any:
    require_write_scope(request)
    user = request_user(request)
    assessment = permissions.get_assessment_for_user(user, assessment_id)
    # "self" is the participant's own part, a self-assessment or the answers to a survey.
    part = assessment.campaign.participant_part if payload.part == "self" else Part(payload.part)
    permissions.require_part(user, assessment, part)
    try:
        if part in (Part.MANAGER, Part.AGREED):
            return services.assessment_save_manager(
                assessment=assessment,
                version=payload.version,
                actor=user,
                answers=_answers(payload.answers),
                step=part,
                submit=payload.submit,
            )
        return services.assessment_save_self(
            assessment=assessment,
            version=payload.version,
            actor=user,
            submit=payload.submit,
            answers=_answers(payload.answers),
            needs_answers=payload.needs_answers,
            wishes=payload.wishes,
        )
    except services.StaleVersion as exc:
        raise HttpError(
            409,
            _("%(error)s (current version: %(version)s)") % {"error": exc, "version": exc.current_version},
        ) from exc


@router.get("/ratings", response=list[RatingOut], summary="Rating history you may see, newest first")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_ratings(
    request: HttpRequest,
    employee_id: int | None = id_query(),
    competence_id: int | None = id_query(),
    campaign_id: int | None = id_query(),
    source: str = "",
    current_only: bool = False,
) -> Any:
    user = request_user(request)
    ratings = selectors.ratings_for_user(user).order_by("-rated_at", "-id")
    if employee_id is not None:
        ratings = ratings.filter(employee_id=employee_id)
        employee = org_selectors.employees_for_user(user, active=None).filter(pk=employee_id).first()
        if employee is not None:
            audit.audit_read(user, employee, action="assessments.history.viewed")
    if competence_id is not None:
        ratings = ratings.filter(competence_id=competence_id)
    if campaign_id is not None:
        ratings = ratings.filter(campaign_id=campaign_id)
    if source:
        ratings = ratings.filter(source=source)
    if current_only:
        ratings = ratings.filter(superseded_by__isnull=True)
    return ratings


@router.get(
    "/ratings/{rating_id}/corrections", response=list[RatingOut], summary="A rating and its corrections"
)
def rating_corrections(request: HttpRequest, rating_id: int) -> Any:
    user = request_user(request)
    rating = permissions.get_rating_for_user(user, rating_id)
    chain = [rating]
    while chain[-1].superseded_by_id:
        chain.append(permissions.get_rating_for_user(user, chain[-1].superseded_by_id))
    return chain


@router.post(
    "/ratings/{rating_id}/corrections",
    response={201: RatingOut},
    summary="Correct a rating (a new rating supersedes it)",
)
def correct_rating(request: HttpRequest, rating_id: int, payload: CorrectionIn) -> Any:
    require_write_scope(request)
    user = request_user(request)
    rating = permissions.get_rating_for_user(user, rating_id)
    if not permissions.can_correct_rating(user, rating):
        raise HttpError(403, _("You may not correct this rating."))
    return 201, services.rating_correct(
        rating=rating, level=payload.level, comment=payload.comment, actor=user
    )


@router.get("/employees/{employee_id}/current-levels", response=list[CurrentLevelOut])
def employee_current_levels(request: HttpRequest, employee_id: int) -> Any:
    user = request_user(request)
    employee = org_permissions.get_employee_for_user(user, employee_id)
    audit.audit_read(user, employee, action="assessments.levels.viewed")
    return selectors.current_levels(employee_ids=[employee.pk]).order_by("competence_id")
