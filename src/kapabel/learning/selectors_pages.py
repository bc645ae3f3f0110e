"""Reads for the learning pages ("Min læring", the approval queue, the team calendar, cohort
administration, attendance, bulk booking, the start page). Each starts from a scoped selector in
`kapabel.learning.selectors`, so a page shows only what its user may see, and each runs a fixed number
of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from kapabel.learning import permissions, selectors
from kapabel.learning.models import (
    LIVE_STATUSES,
    PENDING_STATUSES,
    PLACE_STATUSES,
    Attendance,
    Cohort,
    EducationModule,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    Evidence,
    Facilitator,
    Merit,
    Offer,
    OfferKind,
    Session,
)
from kapabel.organisation.models import Employee

S = EnrolmentStatus
# Who has attendance recorded: holding a place, result not yet given (as `services.results`).
ATTENDING = (S.BOOKED, S.ATTENDED_FULL, S.ATTENDED_PARTIAL, S.NO_SHOW)
# Cohorts that may still take people.
UPCOMING_COHORTS = (Cohort.Status.PLANNED, Cohort.Status.OPEN, Cohort.Status.FULL)
# Enrolments a person may still withdraw from before the start (the service checks the deadlines).
CANCELLABLE = (*PENDING_STATUSES, S.WAITLISTED, S.BOOKED)


def has_started(cohort: Cohort) -> bool:
    return cohort.first_starts_at is not None and cohort.first_starts_at <= timezone.now()


def has_started_session(session: Session) -> bool:
    return session.starts_at <= timezone.now()


def cancellable(enrolments: list[Enrolment]) -> set[int]:
    """Ids of the enrolments (with their cohorts loaded) the person can still withdraw from."""
    return {e.pk for e in enrolments if e.status in CANCELLABLE and not has_started(e.cohort)}


# --- Fill of cohorts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fill:
    capacity: int
    min_size: int
    booked: int = 0
    waitlisted: int = 0
    pending: int = 0

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def under_minimum(self) -> bool:
        return self.booked < self.min_size


def cohort_fills(cohorts: list[Cohort]) -> dict[int, Fill]:
    """{cohort id: places booked, waiting and pending} for a list of cohorts, in one query."""
    counts = selectors.cohort_counts([c.pk for c in cohorts])
    fills = {}
    for cohort in cohorts:
        by_status = counts.get(cohort.pk, {})
        fills[cohort.pk] = Fill(
            capacity=cohort.capacity,
            min_size=cohort.min_size,
            booked=sum(by_status.get(s, 0) for s in PLACE_STATUSES),
            waitlisted=by_status.get(S.WAITLISTED, 0),
            pending=sum(by_status.get(s, 0) for s in PENDING_STATUSES),
        )
    return fills


# --- Offer and cohort pages -----------------------------------------------------------------------


def upcoming_cohorts(offer: Offer) -> list[Cohort]:
    """The offer's cohorts that have not started and are not cancelled, first start first."""
    return list(
        Cohort.objects.filter(offer=offer, status__in=UPCOMING_COHORTS)
        .filter(Q(first_starts_at__isnull=True) | Q(first_starts_at__gt=timezone.now()))
        .select_related("offer")
        .order_by(F("first_starts_at").asc(nulls_last=True), "id")
    )


def offer_page(offer: Offer, employee_id: int | None) -> dict[str, Any]:
    """What the offer page shows beside the offer: competences, prerequisites (and whether the person
    has completed them), modules of a full education, and whether the person already waits for a cohort."""
    prerequisites = list(offer.prerequisites.order_by("title"))
    done: set[int] = set()
    if employee_id is not None and prerequisites:
        done = selectors.completed_offer_ids([employee_id], [p.pk for p in prerequisites]).get(
            employee_id, set()
        )
    return {
        "competences": list(
            offer.offer_competences.select_related("competence").order_by("competence__code", "competence_id")
        ),
        "prerequisites": [{"offer": p, "done": p.pk in done} for p in prerequisites],
        "modules": list(offer.education_modules.select_related("module").order_by("position", "id")),
        "interested": employee_id is not None
        and offer.interests.filter(employee_id=employee_id, handled_at__isnull=True).exists(),
    }


def my_enrolments_on(employee_id: int | None, cohort_ids: list[int]) -> dict[int, Enrolment]:
    """{cohort id: the person's live enrolment on it}."""
    if not employee_id or not cohort_ids:
        return {}
    return {
        e.cohort_id: e
        for e in Enrolment.objects.filter(
            employee_id=employee_id, cohort_id__in=cohort_ids, status__in=LIVE_STATUSES
        )
    }


@dataclass
class SessionRow:
    session: Session
    facilitators: list[str] = field(default_factory=list)
    holiday: str = ""
    conflicts: list[str] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return has_started_session(self.session)


def cohort_sessions(cohort: Cohort, *, flags: bool) -> tuple[list[SessionRow], list[str]]:
    """The cohort's sessions with their own facilitators, and the cohort's facilitators. With `flags`
    (for planners) each session also carries the public holiday it falls on and the room and
    facilitator double bookings it is part of."""
    sessions = list(cohort.sessions.select_related("room").order_by("starts_at", "id"))
    teachers = Facilitator.objects.filter(Q(cohort=cohort) | Q(session__cohort=cohort)).select_related(
        "employee"
    )
    by_session: dict[int, list[str]] = defaultdict(list)
    whole: list[str] = []
    for facilitator in teachers:
        name = facilitator.employee.name if facilitator.employee else facilitator.external_name
        if facilitator.session_id:
            by_session[facilitator.session_id].append(name)
        else:
            whole.append(name)
    rows = [SessionRow(s, by_session.get(s.pk, [])) for s in sessions]
    if flags and sessions:
        holidays = selectors.holiday_flags(sessions)
        mine = {s.pk for s in sessions}
        clashes = [
            c
            for c in selectors.booking_conflicts(cohort.offer.municipality_id, since=sessions[0].starts_at)
            if c.session_a in mine or c.session_b in mine
        ]
        others = {
            s.pk: s
            for s in Session.objects.filter(
                pk__in={c.session_b if c.session_a in mine else c.session_a for c in clashes}
            ).select_related("cohort__offer")
        }
        described: dict[int, list[str]] = defaultdict(list)
        for clash in clashes:
            for own, other in ((clash.session_a, clash.session_b), (clash.session_b, clash.session_a)):
                if own in mine and other in others:
                    described[own].append(_clash_text(clash.kind, clash.resource, others[other]))
        for row in rows:
            row.holiday = holidays.get(row.session.pk, "")
            row.conflicts = described.get(row.session.pk, [])
    return rows, whole


def _clash_text(kind: str, resource: str, other: Session) -> str:
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    when = date_format(timezone.localtime(other.starts_at), "SHORT_DATETIME_FORMAT")
    values = {"resource": resource, "cohort": other.cohort.display_title, "when": when}
    if kind == "room":
        return _("The room %(resource)s is also booked for %(cohort)s (%(when)s).") % values
    return _("%(resource)s also teaches %(cohort)s (%(when)s).") % values


@dataclass(frozen=True)
class Participant:
    enrolment: Enrolment
    waitlist_position: int | None
    can_decide: bool  # may approve or decline the step it waits at
    can_cancel: bool  # may cancel on the person's behalf (before the start)
    can_give_result: bool  # may mark completed or not passed (HR, once the cohort has started)


def participants(user: Any, cohort: Cohort) -> list[Participant]:
    """The cohort's enrolments of the people the user may see, places first, then the waiting list in
    its order, then requests and ended ones; with what the user may do about each."""
    enrolments = list(
        selectors.enrolments_for_user(user)
        .filter(cohort=cohort)
        .select_related("employee__unit")
        .order_by(F("queued_at").asc(nulls_last=True), "created_at", "id")
    )
    queue = list(selectors.waitlist(cohort).values_list("pk", flat=True))
    order: dict[str, int] = {s: i for i, s in enumerate([*PLACE_STATUSES, S.WAITLISTED, *PENDING_STATUSES])}
    enrolments.sort(key=lambda e: order.get(e.status, len(order)))
    started = has_started(cohort)
    results = (
        started
        and cohort.status != Cohort.Status.CANCELLED
        and permissions.can_administer_learning(user, cohort.offer.municipality_id)
    )
    return [
        Participant(
            enrolment=e,
            waitlist_position=queue.index(e.pk) + 1 if e.pk in queue else None,
            can_decide=can_decide(user, e),
            can_cancel=not started and e.status in CANCELLABLE and permissions.can_act_for(user, e.employee),
            can_give_result=results and e.status in ATTENDING,
        )
        for e in enrolments
    ]


def can_decide(user: Any, enrolment: Enrolment) -> bool:
    if enrolment.status in (S.REQUESTED, S.AWAITING_MANAGER):
        return permissions.can_approve_manager_step(user, enrolment.employee)
    if enrolment.status == S.AWAITING_HR:
        return permissions.can_approve_hr_step(user, enrolment.employee)
    return False


@dataclass(frozen=True)
class AttendanceRow:
    enrolment: Enrolment
    mark: str


def attendance_rows(user: Any, session: Session) -> list[AttendanceRow]:
    """The participants who can have attendance recorded for the session, with their mark so far."""
    enrolments = list(
        selectors.enrolments_for_user(user)
        .filter(cohort_id=session.cohort_id, status__in=ATTENDING)
        .order_by("employee__name", "id")
    )
    marks = dict(
        Attendance.objects.filter(session=session, enrolment__in=[e.pk for e in enrolments]).values_list(
            "enrolment_id", "status"
        )
    )
    return [AttendanceRow(e, marks.get(e.pk, "")) for e in enrolments]


# --- Min læring ------------------------------------------------------------------------------------


def my_enrolments(user: Any, employee_id: int) -> list[Enrolment]:
    """The person's enrolments, newest first, each with its status history (two queries)."""
    return list(
        selectors.enrolments_for_user(user)
        .filter(employee_id=employee_id)
        .select_related("cohort__offer")
        .prefetch_related(Prefetch("history", queryset=EnrolmentStatusChange.objects.order_by("at", "id")))
        .order_by("-created_at", "-id")
    )


@dataclass
class CalendarEntry:
    session: Session
    people: list[str] = field(default_factory=list)


def calendar(
    enrolments: QuerySet[Enrolment], *, since: datetime.datetime, until: datetime.datetime | None = None
) -> list[CalendarEntry]:
    """The sessions from `since` (to `until`) of the cohorts these enrolments hold a booked place on,
    with the names of the people booked, in time order (two queries)."""
    booked = enrolments.filter(status=S.BOOKED, cohort__last_ends_at__gte=since)
    if until is not None:
        booked = booked.filter(cohort__first_starts_at__lt=until)
    people: dict[int, list[str]] = defaultdict(list)
    for cohort_id, name in booked.order_by("employee__name").values_list("cohort_id", "employee__name"):
        people[cohort_id].append(name)
    sessions = Session.objects.filter(cohort_id__in=list(people), ends_at__gte=since)
    if until is not None:
        sessions = sessions.filter(starts_at__lt=until)
    return [
        CalendarEntry(session, people[session.cohort_id])
        for session in sessions.select_related("cohort__offer", "room").order_by("starts_at", "id")
    ]


def my_calendar(user: Any, employee_id: int, *, limit: int = 20) -> list[CalendarEntry]:
    own = selectors.enrolments_for_user(user).filter(employee_id=employee_id)
    return calendar(own, since=timezone.now())[:limit]


@dataclass(frozen=True)
class ModuleState:
    module: Offer
    obligatory: bool
    state: str  # completed | merit | enrolled | missing


@dataclass(frozen=True)
class EducationRow:
    progress: selectors.EducationProgress
    modules: list[ModuleState]


def my_educations(employee: Employee) -> list[EducationRow]:
    """Full educations the person has started (a module enrolled or merited, or the education
    itself), with their progress and the state of each module."""
    live_offers = Enrolment.objects.filter(employee=employee, status__in=LIVE_STATUSES).values(
        "cohort__offer_id"
    )
    educations = (
        Offer.objects.filter(kind=OfferKind.EDUCATION, municipality_id=employee.municipality_id)
        .filter(
            Q(education_modules__module_id__in=live_offers)
            | Q(pk__in=live_offers)
            | Q(merits__employee=employee)
        )
        .distinct()
        .order_by("title")
    )
    rows = []
    for education in educations:
        progress = selectors.education_progress(employee, education)
        completed = {o.pk for o in progress.completed_modules}
        merited = set(
            Merit.objects.filter(employee=employee, education=education).values_list("module_id", flat=True)
        )
        enrolled = set(
            Enrolment.objects.filter(
                employee=employee, status__in=LIVE_STATUSES, cohort__offer__part_of__education=education
            ).values_list("cohort__offer_id", flat=True)
        )
        modules = []
        for link in EducationModule.objects.filter(education=education).select_related("module"):
            state = (
                "completed"
                if link.module_id in completed
                else "merit"
                if link.module_id in merited
                else "enrolled"
                if link.module_id in enrolled
                else "missing"
            )
            modules.append(ModuleState(link.module, link.obligatory, state))
        rows.append(EducationRow(progress, modules))
    return rows


def my_evidence(user: Any, employee_id: int) -> list[Evidence]:
    return list(
        selectors.evidence_for_user(user)
        .filter(employee_id=employee_id)
        .select_related("competence", "enrolment__cohort__offer", "activity")
        .order_by("-created_at", "-id")[:100]
    )


# --- Start page --------------------------------------------------------------------------------------


def my_open_requests(user: Any, employee_id: int) -> list[Enrolment]:
    return list(
        selectors.enrolments_for_user(user)
        .filter(employee_id=employee_id, status__in=PENDING_STATUSES)
        .order_by("created_at", "id")[:10]
    )
