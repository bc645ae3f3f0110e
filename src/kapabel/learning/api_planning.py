"""The learning API's calendar, recommendation and internal-learning routes under /api/v1/ (mounted
into `kapabel.learning.api.router`): a cohort's iCalendar feed, one's own feed URL and its renewal,
one's e-mail language, recommendations for a person or a unit, internal learning suggestions and
pairings. Every path answers GET (for oneself when no one is named); writes name the person in the
body (`employee_id`), so someone one may not see is 404 like everywhere else."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from kapabel.competences.permissions import get_competence_for_user
from kapabel.core.access import scope_for
from kapabel.core.api_auth import require_write_scope
from kapabel.core.api_schema import BodySchema, Pagination, id_query
from kapabel.core.web import request_user
from kapabel.learning import calendar, permissions, recommend, selectors, services, suggestions
from kapabel.learning.models import CalendarFeed, InternalActivity
from kapabel.learning.notifications.recipients import default_language
from kapabel.organisation.models import Employee
from kapabel.organisation.permissions import get_unit_for_user

router = Router(tags=["learning"])

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _own_employee_or_none(request: HttpRequest) -> Employee | None:
    """The user's own employee record (None for a user who is not an employee)."""
    employee_id = scope_for(request.user).employee_id
    if employee_id is None:
        return None
    return permissions.get_employee_for_user(request.user, employee_id)


# --- Calendars ----------------------------------------------------------------------------------


@router.get(
    "/cohorts/{cohort_id}/calendar.ics",
    summary="A cohort's sessions as iCalendar (text/calendar)",
    openapi_extra={"responses": {200: {"description": "RFC 5545", "content": {"text/calendar": {}}}}},
)
def cohort_calendar(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = permissions.get_cohort_for_user(request.user, cohort_id)
    body = calendar.to_ical(calendar.cohort_events(cohort), name=cohort.display_title)
    response = HttpResponse(body, content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = f'inline; filename="cohort-{cohort.pk}.ics"'
    return response


class FeedOut(Schema):
    url: str | None
    renewed_at: datetime.datetime | None


class FeedIn(BodySchema):
    employee_id: int


def _feed_out(request: HttpRequest, feed: CalendarFeed | None) -> dict[str, Any]:
    if feed is None:
        return {"url": None, "renewed_at": None}
    path = reverse("learning:calendar_feed", kwargs={"token": feed.token})
    return {"url": request.build_absolute_uri(path), "renewed_at": feed.renewed_at}


@router.get(
    "/learning/calendar-feed",
    response=FeedOut,
    summary="Your personal calendar feed URL (null until you create one)",
)
def my_calendar_feed(request: HttpRequest) -> Any:
    employee = _own_employee_or_none(request)
    return _feed_out(request, calendar.feed_of(employee) if employee is not None else None)


@router.post(
    "/learning/calendar-feed",
    response=FeedOut,
    summary="Create your feed URL, or renew it: a new secret, the old URL stops working",
)
def renew_calendar_feed(request: HttpRequest, payload: FeedIn) -> Any:
    require_write_scope(request)
    employee = permissions.get_employee_for_user(request.user, payload.employee_id)
    return _feed_out(request, services.calendar_feed_renew(employee=employee, actor=request_user(request)))


class PreferenceIn(BodySchema):
    employee_id: int
    language: Literal["da", "en"]


class PreferenceOut(Schema):
    language: str


@router.get("/learning/preferences", response=PreferenceOut, summary="Language of your learning e-mails")
def get_preferences(request: HttpRequest) -> Any:
    employee = _own_employee_or_none(request)
    return {"language": calendar.feed_language(employee) if employee is not None else default_language()}


@router.put("/learning/preferences", response=PreferenceOut, summary="Choose Danish or English e-mails")
def set_preferences(request: HttpRequest, payload: PreferenceIn) -> Any:
    require_write_scope(request)
    employee = permissions.get_employee_for_user(request.user, payload.employee_id)
    return services.notification_preference_set(
        employee=employee, language=payload.language, actor=request_user(request)
    )


# --- Recommendations and internal learning --------------------------------------------------------


class RecommendationOut(Schema):
    kind: str
    title: str
    score: float
    weighted_closed: int
    people: int
    cost: Decimal
    price_per_person: Decimal
    hours_per_person: Decimal
    per_krone: float | None
    per_hour: float | None
    reasons: list[str]
    summary: str
    offer_id: int | None
    competence_ids: list[int]
    colleague_id: int | None
    next_start: datetime.datetime | None


@router.get(
    "/learning/recommendations",
    response=list[RecommendationOut],
    summary="Offers and internal options for a person (employee_id, default yourself) or a unit (unit_id)",
)
def recommendations(
    request: HttpRequest,
    employee_id: int | None = id_query(),
    unit_id: int | None = id_query(),
    limit: int = 10,
) -> Any:
    if employee_id is not None and unit_id is not None:
        raise ValidationError(_("Give either employee_id or unit_id."))
    limit = max(1, min(limit, 100))
    if unit_id is not None:
        unit = get_unit_for_user(request.user, unit_id)
        return recommend.for_unit(request.user, unit, limit=limit)
    employee = (
        permissions.get_employee_for_user(request.user, employee_id)
        if employee_id is not None
        else _own_employee_or_none(request)
    )
    return recommend.for_employee(request.user, employee, limit=limit) if employee is not None else []


class SuggestionOut(Schema):
    competence_id: int
    employee_id: int
    name: str
    unit_id: int
    unit_name: str
    level: int
    target: int
    distance: int
    mentees: int


@router.get(
    "/learning/internal-suggestions",
    response=list[SuggestionOut],
    summary="Colleagues at or above the person's target in a competence (default: each of their gaps), "
    "nearest in the organisation first",
)
def internal_suggestions(
    request: HttpRequest,
    employee_id: int | None = id_query(),
    competence_id: int | None = id_query(),
    target_level: int | None = None,
    limit: int = 10,
) -> Any:
    employee = (
        permissions.get_employee_for_user(request.user, employee_id)
        if employee_id is not None
        else _own_employee_or_none(request)
    )
    if employee is None:
        return []
    if competence_id is None:
        targets = suggestions.person_targets(employee)
    else:
        competence = get_competence_for_user(request_user(request), competence_id)
        targets = (
            {competence.pk: target_level}
            if target_level is not None
            else suggestions.person_targets(employee, [competence.pk])
        )
        if not targets:
            raise ValidationError(
                _("%(name)s has no target in this competence; give target_level.") % {"name": employee.name}
            )
    found = suggestions.internal_suggestions(request.user, employee, targets, limit=max(1, min(limit, 100)))
    return [s for target_id in targets for s in found.get(target_id, [])]


class PairingIn(BodySchema):
    employee_id: int  # the learner
    mentor_id: int
    kind: Literal["peer_training", "mentoring", "shadowing", "team_learning"] = "peer_training"
    competence_id: int | None = None
    target_level: int | None = None
    starts_on: datetime.date | None = None  # default today
    ends_on: datetime.date | None = None
    hours: Decimal | None = None


class ActivityOut(Schema):
    id: int
    kind: str
    learner_id: int
    mentor_id: int | None
    competence_id: int | None
    target_level: int | None
    starts_on: datetime.date
    ends_on: datetime.date | None
    hours: Decimal | None
    status: str


@router.get(
    "/learning/pairings",
    response=list[ActivityOut],
    summary="Internal learning activities of the people you may see",
)
@paginate(Pagination, page_size=50, max_page_size=500)
def list_pairings(request: HttpRequest, employee_id: int | None = id_query()) -> Any:
    activities = selectors.activities_for_user(request.user)
    if employee_id is not None:
        activities = activities.filter(learner_id=employee_id)
    return activities


@router.post(
    "/learning/pairings",
    response={201: ActivityOut},
    summary="Record an internal learning pairing (within the colleague's maximum number of mentees)",
)
def create_pairing(request: HttpRequest, payload: PairingIn) -> Any:
    require_write_scope(request)
    learner = permissions.get_employee_for_user(request.user, payload.employee_id)
    mentor = permissions.get_employee_for_user(request.user, payload.mentor_id)
    competence = (
        get_competence_for_user(request_user(request), payload.competence_id)
        if payload.competence_id
        else None
    )
    activity: InternalActivity = services.internal_pairing_create(
        learner=learner,
        mentor=mentor,
        kind=payload.kind,
        competence=competence,
        target_level=payload.target_level,
        starts_on=payload.starts_on or timezone.localdate(),
        ends_on=payload.ends_on,
        hours=payload.hours,
        actor=request_user(request),
    )
    return Status(201, activity)
