"""Reads for learning, scoped to what the acting user may see (see `permissions` for the rules), and
the unscoped queue arithmetic the services share."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import holidays
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kapabel.core.access import scope_for
from kapabel.learning.models import (
    PENDING_STATUSES,
    PLACE_STATUSES,
    Attendance,
    Category,
    Cohort,
    EducationModule,
    Enrolment,
    EnrolmentStatus,
    Evidence,
    Facilitator,
    Interest,
    InternalActivity,
    Merit,
    Offer,
    Provider,
    Room,
    Session,
)
from kapabel.learning.search.query import matching as search_matching
from kapabel.organisation.models import Employee

# --- Scoped querysets ----------------------------------------------------------------------------


def providers_for_user(user: Any) -> QuerySet[Provider]:
    return Provider.objects.filter(scope_for(user).municipalities_q())


def categories_for_user(user: Any) -> QuerySet[Category]:
    return Category.objects.filter(scope_for(user).municipalities_q())


def rooms_for_user(user: Any) -> QuerySet[Room]:
    return Room.objects.filter(scope_for(user).municipalities_q())


def offers_for_user(user: Any, *, search: str = "", active: bool | None = True) -> QuerySet[Offer]:
    """The catalogue of the user's municipalities. `search` is the Danish full-text search
    (`kapabel.learning.search`: stems and prefixes; title matches first)."""
    offers = Offer.objects.filter(scope_for(user).municipalities_q()).select_related("provider", "category")
    if active is not None:
        offers = offers.filter(active=active)
    if search:
        offers = search_matching(offers, search)
    return offers


def cohorts_for_user(user: Any) -> QuerySet[Cohort]:
    return Cohort.objects.filter(scope_for(user).municipalities_q("offer__")).select_related("offer")


def sessions_for_user(user: Any) -> QuerySet[Session]:
    return Session.objects.filter(scope_for(user).municipalities_q("cohort__offer__")).select_related(
        "cohort", "room"
    )


def people_for_user(user: Any) -> QuerySet[Employee]:
    return Employee.objects.filter(scope_for(user).employees_q()).select_related("unit")


def enrolments_for_user(user: Any) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(scope_for(user).employees_q("employee__")).select_related(
        "cohort__offer", "employee__unit"
    )


def evidence_for_user(user: Any) -> QuerySet[Evidence]:
    return Evidence.objects.filter(scope_for(user).employees_q("employee__")).select_related(
        "employee__unit", "competence"
    )


def activities_for_user(user: Any) -> QuerySet[InternalActivity]:
    """Internal activities where the user may see the learner or the colleague who teaches."""
    scope = scope_for(user)
    return InternalActivity.objects.filter(
        scope.employees_q("learner__") | scope.employees_q("mentor__")
    ).select_related("learner", "mentor", "competence")


def interests_for_user(user: Any) -> QuerySet[Interest]:
    return Interest.objects.filter(scope_for(user).employees_q("employee__")).order_by("created_at", "id")


def attendance_for_user(user: Any) -> QuerySet[Attendance]:
    return Attendance.objects.filter(scope_for(user).employees_q("enrolment__employee__"))


def approvals_for_user(user: Any) -> QuerySet[Enrolment]:
    """Pending enrolments of the people the user may see, oldest first (the approval queue; the
    service decides per step whether this user may approve)."""
    return (
        enrolments_for_user(user)
        .filter(status__in=PENDING_STATUSES)
        .exclude(employee_id=scope_for(user).employee_id or 0)
        .order_by("created_at", "id")
    )


# --- Details for the API and pages (for objects already fetched with a permission check) ---------


def offer_detail(offer: Offer) -> dict[str, Any]:
    return {
        **{f.attname: getattr(offer, f.attname) for f in Offer._meta.concrete_fields},
        "provider": offer.provider,
        "prerequisite_ids": sorted(offer.prerequisites.values_list("pk", flat=True)),
        "competences": list(offer.offer_competences.values("competence_id", "expected_gain")),
        "modules": list(offer.education_modules.values("module_id", "obligatory", "position")),
    }


def cohort_detail(cohort: Cohort) -> dict[str, Any]:
    counts = cohort_counts([cohort.pk]).get(cohort.pk, {})
    return {
        **{f.attname: getattr(cohort, f.attname) for f in Cohort._meta.concrete_fields},
        "display_title": cohort.display_title,
        "booked": sum(counts.get(s, 0) for s in PLACE_STATUSES),
        "waitlisted": counts.get(EnrolmentStatus.WAITLISTED, 0),
        "pending": sum(counts.get(s, 0) for s in PENDING_STATUSES),
        "sessions": list(cohort.sessions.order_by("starts_at", "id")),
    }


def enrolment_detail(enrolment: Enrolment) -> dict[str, Any]:
    return {
        **{f.attname: getattr(enrolment, f.attname) for f in Enrolment._meta.concrete_fields},
        "history": list(enrolment.history.order_by("at", "id")),
    }


# --- The queue (unscoped; callers already hold the cohort) ---------------------------------------


def places_taken(cohort: Cohort | int) -> int:
    cohort_id = cohort if isinstance(cohort, int) else cohort.pk
    return Enrolment.objects.filter(cohort_id=cohort_id, status__in=PLACE_STATUSES).count()


def waitlist(cohort: Cohort | int) -> QuerySet[Enrolment]:
    """The waiting list in the order places are given: first queued, first booked."""
    cohort_id = cohort if isinstance(cohort, int) else cohort.pk
    return Enrolment.objects.filter(cohort_id=cohort_id, status=EnrolmentStatus.WAITLISTED).order_by(
        "queued_at", "id"
    )


def cohort_counts(cohort_ids: list[int]) -> dict[int, dict[str, int]]:
    """{cohort id: {status: count}} for a list page, in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for cohort_id, status, n in (
        Enrolment.objects.filter(cohort_id__in=cohort_ids)
        .values_list("cohort_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[cohort_id][status] = n
    return counts


def completed_offer_ids(employee_ids: list[int], offer_ids: list[int]) -> dict[int, set[int]]:
    """{employee id: offers among `offer_ids` they have completed}."""
    result: dict[int, set[int]] = defaultdict(set)
    for employee_id, offer_id in Enrolment.objects.filter(
        employee_id__in=employee_ids, cohort__offer_id__in=offer_ids, status=EnrolmentStatus.COMPLETED
    ).values_list("employee_id", "cohort__offer_id"):
        result[employee_id].add(offer_id)
    return result


def overlapping_bookings(cohort: Cohort, employee_ids: list[int]) -> dict[int, Enrolment]:
    """{employee id: a booked enrolment on another cohort with a session overlapping one of this
    cohort's sessions}."""
    spans = list(Session.objects.filter(cohort=cohort).values_list("starts_at", "ends_at"))
    if not spans or not employee_ids:
        return {}
    overlap = Q(pk__in=[])
    for starts_at, ends_at in spans:
        overlap |= Q(starts_at__lt=ends_at, ends_at__gt=starts_at)
    clashing = Session.objects.filter(overlap, cohort=OuterRef("cohort_id"))
    found: dict[int, Enrolment] = {}
    for enrolment in (
        Enrolment.objects.filter(employee_id__in=employee_ids, status=EnrolmentStatus.BOOKED)
        .exclude(cohort=cohort)
        .filter(Exists(clashing))
        .select_related("cohort__offer")
        .order_by("id")
    ):
        found.setdefault(enrolment.employee_id, enrolment)
    return found


# --- Planning flags ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Two sessions that use the same room or facilitator at the same time."""

    kind: str  # "room" or "facilitator"
    resource: str
    session_a: int
    session_b: int


def _pairs(sessions: list[tuple[int, datetime.datetime, datetime.datetime]]) -> list[tuple[int, int]]:
    """Overlapping pairs among sessions sorted by start (a sweep; sessions of one resource are few)."""
    pairs = []
    sessions = sorted(sessions, key=lambda s: (s[1], s[0]))
    for i, (pk, _start, end) in enumerate(sessions):
        for other_pk, other_start, _other_end in sessions[i + 1 :]:
            if other_start >= end:
                break
            pairs.append((pk, other_pk))
    return pairs


def booking_conflicts(municipality_id: int, *, since: datetime.datetime | None = None) -> list[Conflict]:
    """Rooms and facilitators booked twice at the same time, in sessions of live cohorts from `since`
    (default: now) on."""
    since = since or timezone.now()
    sessions = Session.objects.filter(
        cohort__offer__municipality_id=municipality_id, ends_at__gt=since
    ).exclude(cohort__status=Cohort.Status.CANCELLED)
    by_room: dict[tuple[int, str], list[tuple[int, datetime.datetime, datetime.datetime]]] = defaultdict(list)
    for pk, room_id, room_name, starts_at, ends_at in sessions.filter(room__isnull=False).values_list(
        "pk", "room_id", "room__name", "starts_at", "ends_at"
    ):
        by_room[(room_id, room_name)].append((pk, starts_at, ends_at))
    # A facilitator of a cohort teaches all its sessions; one of a session only that one.
    by_person: dict[str, list[tuple[int, datetime.datetime, datetime.datetime]]] = defaultdict(list)
    spans = {
        pk: (cohort_id, s, e)
        for pk, cohort_id, s, e in sessions.values_list("pk", "cohort_id", "starts_at", "ends_at")
    }
    by_cohort: dict[int, list[int]] = defaultdict(list)
    for pk, (cohort_id, _s, _e) in spans.items():
        by_cohort[cohort_id].append(pk)
    facilitators = Facilitator.objects.filter(
        Q(cohort_id__in=list(by_cohort)) | Q(session_id__in=list(spans))
    ).values_list("cohort_id", "session_id", "employee_id", "employee__name", "external_name")
    for cohort_id, session_id, employee_id, employee_name, external_name in facilitators:
        key = (
            f"employee:{employee_id}:{employee_name}"
            if employee_id
            else f"external:{external_name.strip().lower()}:{external_name}"
        )
        session_ids = by_cohort.get(cohort_id, []) if cohort_id else [session_id]
        seen = {s[0] for s in by_person[key]}
        by_person[key].extend((pk, spans[pk][1], spans[pk][2]) for pk in session_ids if pk not in seen)
    conflicts = [
        Conflict("room", name, a, b) for (_room_id, name), items in by_room.items() for a, b in _pairs(items)
    ]
    conflicts += [
        Conflict("facilitator", key.split(":", 2)[2], a, b)
        for key, items in by_person.items()
        for a, b in _pairs(items)
    ]
    return conflicts


def holiday_flags(sessions: list[Session]) -> dict[int, str]:
    """{session id: the Danish name of the public holiday it falls on} (Grundlovsdag, Christmas Eve
    and New Year's Eve included: most municipal workplaces are closed then)."""
    years = {timezone.localtime(s.starts_at).year for s in sessions} | {
        timezone.localtime(s.ends_at).year for s in sessions
    }
    if not years:
        return {}
    calendar = holidays.country_holidays(
        "DK", years=sorted(years), language="da", categories=("public", "optional")
    )
    flags = {}
    for session in sessions:
        day = timezone.localtime(session.starts_at).date()
        last = timezone.localtime(session.ends_at).date()
        while day <= last:
            if day in calendar:
                flags[session.pk] = str(calendar.get(day))
                break
            day += datetime.timedelta(days=1)
    return flags


# --- Education progress --------------------------------------------------------------------------


@dataclass(frozen=True)
class EducationProgress:
    education: Offer
    ects_required: Decimal | None
    ects_completed: Decimal
    ects_merit: Decimal
    obligatory_missing: list[Offer]
    completed_modules: list[Offer]
    started_on: datetime.date | None
    deadline: datetime.date | None


def education_progress(employee: Employee, education: Offer) -> EducationProgress:
    """A person's progress towards a full education: ECTS from completed modules, merit (up to the
    education's merit limit), obligatory modules still missing, and the completion deadline counted
    from the first module they started."""
    modules = list(EducationModule.objects.filter(education=education).select_related("module"))
    module_ids = [m.module_id for m in modules]
    done = Enrolment.objects.filter(
        employee=employee, cohort__offer_id__in=module_ids, status=EnrolmentStatus.COMPLETED
    ).select_related("cohort__offer")
    completed: dict[int, Offer] = {}
    ects = Decimal("0")
    for enrolment in done:
        offer = enrolment.cohort.offer
        if offer.pk not in completed:
            completed[offer.pk] = offer
            ects += (
                enrolment.ects_earned if enrolment.ects_earned is not None else (offer.ects or Decimal("0"))
            )
    merits = list(Merit.objects.filter(employee=employee, education=education))
    merit_ects = min(sum((m.ects for m in merits), Decimal("0")), education.merit_limit_ects)
    merited = {m.module_id for m in merits if m.module_id}
    first = (
        Enrolment.objects.filter(
            employee=employee, cohort__offer_id__in=module_ids, status__in=PLACE_STATUSES
        )
        .exclude(cohort__first_starts_at__isnull=True)
        .order_by("cohort__first_starts_at")
        .values_list("cohort__first_starts_at", flat=True)
        .first()
    )
    started_on = timezone.localtime(first).date() if first else None
    deadline = None
    if started_on is not None:
        try:
            deadline = started_on.replace(year=started_on.year + education.completion_years)
        except ValueError:  # 29 February
            deadline = started_on.replace(year=started_on.year + education.completion_years, day=28)
    return EducationProgress(
        education=education,
        ects_required=education.ects,
        ects_completed=ects,
        ects_merit=merit_ects,
        obligatory_missing=[
            m.module
            for m in modules
            if m.obligatory and m.module_id not in completed and m.module_id not in merited
        ],
        completed_modules=list(completed.values()),
        started_on=started_on,
        deadline=deadline,
    )
