"""The demo builder: the people it draws from, teaching days, the catalogue, and small helpers the
cohort story (`cohorts.py`) uses to book, record attendance and results, and confirm evidence."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from decimal import Decimal

import holidays
from django.contrib.auth import get_user_model
from django.utils import timezone

from kapabel.competences.models import Competence, Status
from kapabel.core.access import forget_scope
from kapabel.core.demo import DemoContext
from kapabel.core.models import Municipality, User
from kapabel.learning import services
from kapabel.learning.demo.catalogue import (
    INTERNAL_CATEGORY,
    KOMMUNOM_MODULES,
    OFFERS,
    PROVIDERS,
    ROOMS,
)
from kapabel.learning.models import (
    Attendance,
    Category,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Evidence,
    Offer,
    Room,
)
from kapabel.learning.services import SessionSpec
from kapabel.organisation.models import Employee

SYSTEM = "demo"
S = EnrolmentStatus
A = Attendance.Status
ADMIN_ROLES = (
    "Administrativ medarbejder",
    "Lønkonsulent",
    "Økonomimedarbejder",
    "HR-konsulent",
    "IT-konsulent",
    "ERP-procesrådgiver",
)
JOBCENTRE_ROLES = ("Jobkonsulent", "Sagsbehandler")
TEAMS_URL = "https://teams.microsoft.com/l/meetup-join/demo-kapabel"


class Calendar:
    """Teaching days: weekdays that are not Danish public holidays, each given to one cohort only."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.used: set[datetime.date] = set()
        self.closed = holidays.country_holidays(
            "DK", years=range(today.year - 1, today.year + 2), categories=("public", "optional")
        )

    def take(self, offset: int) -> datetime.date:
        day = self.today + datetime.timedelta(days=offset)
        while day.weekday() >= 5 or day in self.closed or day in self.used:
            day += datetime.timedelta(days=1)
        self.used.add(day)
        return day


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class Builder:
    def __init__(self, ctx: DemoContext, municipality: Municipality) -> None:
        self.m = municipality
        self.rng = random.Random(f"kapabel-learning-{ctx.seed}")
        self.now = timezone.now()
        self.calendar = Calendar(timezone.localdate())
        users = {
            u.username: u
            for u in get_user_model().objects.filter(username__in=("leder", "medarbejder", "hr"))
        }
        for user in users.values():
            forget_scope(user)
        self.leder_user: User | None = users.get("leder")
        self.medarbejder_user: User | None = users.get("medarbejder")
        self.hr: User | str = users.get("hr") or SYSTEM
        staff = list(
            Employee.objects.filter(municipality=municipality, active=True)
            .select_related("unit", "job_role")
            .order_by("pk")
        )
        by_user = {e.user_id: e for e in staff if e.user_id}
        self.leder = by_user.get(self.leder_user.pk) if self.leder_user else None
        self.medarbejder = by_user.get(self.medarbejder_user.pk) if self.medarbejder_user else None
        personas = {e.pk for e in (self.leder, self.medarbejder) if e is not None}
        people = [e for e in staff if e.pk not in personas]
        titles = {e.pk: e.job_role.title if e.job_role else "" for e in people}
        self.admin = [e for e in people if titles[e.pk] in ADMIN_ROLES]
        self.jobcentre = [e for e in people if titles[e.pk] in JOBCENTRE_ROLES]
        self.managers = [e for e in people if titles[e.pk] == "Leder"]
        centre_path = self.leder.unit.path if self.leder else None
        self.team = [e for e in people if centre_path and e.unit.path.startswith(centre_path)]
        self.offers: dict[str, Offer] = {}
        self.cohorts: dict[str, Cohort] = {}
        self.rooms: list[Room] = []

    # --- helpers ---------------------------------------------------------------------------------

    def pick(self, pool: Sequence[Employee], n: int, *, avoid: Iterable[Employee] = ()) -> list[Employee]:
        avoided = {e.pk for e in avoid}
        candidates = [e for e in pool if e.pk not in avoided]
        return self.rng.sample(candidates, min(n, len(candidates)))

    def sessions(
        self, first: int, count: int, *, every: int = 7, room: int | None = 0, online: Sequence[int] = ()
    ) -> list[SessionSpec]:
        specs = []
        for i in range(count):
            day = self.calendar.take(first + i * every)
            if i in online:
                specs.append(SessionSpec(at(day, 9), at(day, 12), online=True, online_url=TEAMS_URL))
                continue
            chosen = self.rooms[room] if room is not None and self.rooms else None
            place = f"{chosen.name}, {chosen.address}" if chosen else "Udbyderens lokaler"
            specs.append(SessionSpec(at(day, 9), at(day, 15), place=place, room=chosen))
        return specs

    def cohort(
        self,
        key: str,
        offer: str,
        code: str,
        capacity: int,
        sessions: list[SessionSpec],
        *,
        past: bool = False,
        status: str = Cohort.Status.OPEN,
        min_size: int = 0,
        teacher: str = "",
    ) -> Cohort:
        """A cohort; a past one gets its sessions later (`add_sessions`), once people are booked."""
        first = sessions[0].starts_at
        day = datetime.timedelta(days=1)
        if past or status == Cohort.Status.PLANNED:
            opens = first - 90 * day
        else:
            opens = min(self.now - 21 * day, first - 30 * day)
        cohort = services.cohort_create(
            offer=self.offers[offer],
            capacity=capacity,
            code=code,
            min_size=min_size,
            registration_opens=opens,
            registration_closes=first - 7 * day,
            cancellation_cutoff=first - 14 * day,
            status=status,
            sessions=() if past else sessions,
            actor=SYSTEM,
        )
        if teacher:
            services.facilitator_add(cohort=cohort, external_name=teacher, actor=SYSTEM)
        self.cohorts[key] = cohort
        return cohort

    def add_sessions(self, cohort: Cohort, sessions: list[SessionSpec]) -> None:
        for spec in sessions:
            services.session_create(cohort=cohort, spec=spec, actor=self.hr)

    def book(self, cohort: Cohort, people: Sequence[Employee]) -> services.BulkResult:
        return services.enrolments_bulk_book(cohort=cohort, employees=list(people), actor=self.hr)

    def request(
        self, cohort: Cohort, employee: Employee, actor: User | str = SYSTEM, note: str = ""
    ) -> Enrolment:
        return services.enrolment_request(cohort=cohort, employee=employee, actor=actor, note=note)

    def attend(
        self, cohort: Cohort, absent: Sequence[Employee] = (), partial: Sequence[Employee] = ()
    ) -> None:
        """Attendance for every session: `absent` missed them all, `partial` missed part of one."""
        enrolments = list(Enrolment.objects.filter(cohort=cohort, status=S.BOOKED).order_by("pk"))
        absent_ids, partial_ids = {e.pk for e in absent}, {e.pk for e in partial}
        for index, session in enumerate(cohort.sessions.order_by("starts_at")):
            marks: dict[int, str] = {}
            for enrolment in enrolments:
                if enrolment.employee_id in absent_ids:
                    marks[enrolment.pk] = A.ABSENT
                elif enrolment.employee_id in partial_ids and index == 1:
                    marks[enrolment.pk] = A.PARTIAL
                else:
                    marks[enrolment.pk] = A.PRESENT
            services.attendance_record(session=session, marks=marks, actor=self.hr)

    def results(self, cohort: Cohort, failed: Sequence[Employee] = ()) -> None:
        failed_ids = {e.pk for e in failed}
        for enrolment in Enrolment.objects.filter(
            cohort=cohort, status__in=(S.ATTENDED_FULL, S.ATTENDED_PARTIAL, S.NO_SHOW)
        ).order_by("pk"):
            if enrolment.employee_id in failed_ids or enrolment.status == S.NO_SHOW:
                reason = "Udeblev." if enrolment.status == S.NO_SHOW else "Eksamen ikke bestået."
                services.enrolment_fail(enrolment=enrolment, reason=reason, actor=self.hr)
            else:
                services.enrolment_complete(enrolment=enrolment, actor=self.hr)
        services.cohort_set_status(cohort=cohort, status=Cohort.Status.COMPLETED, actor=self.hr)

    def confirm(self, cohort: Cohort, *, leave: Iterable[Employee] = ()) -> None:
        """HR confirms the evidence of a cohort's completions (but not of the people in `leave`)."""
        rows = Evidence.objects.filter(enrolment__cohort=cohort, confirmed_at__isnull=True).order_by("pk")
        for evidence in rows.exclude(employee_id__in=[e.pk for e in leave]):
            services.evidence_confirm(evidence=evidence, actor=self.hr)

    # --- the story -------------------------------------------------------------------------------

    def catalogue(self) -> None:
        m = self.m
        services.learning_setup(municipality=m, actor=SYSTEM)
        services.learning_settings_update(
            municipality=m, hr_approval_price_threshold=Decimal("15000"), actor=SYSTEM
        )
        providers = {
            name: services.provider_create(
                municipality=m, name=name, kind=kind, external_id=ext, actor=SYSTEM
            )
            for name, kind, ext in PROVIDERS
        }
        categories = {c.code: c for c in Category.objects.filter(municipality=m) if c.code}
        categories[INTERNAL_CATEGORY] = services.category_create(
            municipality=m, name=INTERNAL_CATEGORY, position=20, actor=SYSTEM
        )
        competences = {
            c.code: c
            for c in Competence.objects.filter(
                version__framework__municipality=m, version__status=Status.PUBLISHED
            ).exclude(code="")
        }
        for spec in OFFERS:
            gains = {
                competences[code]: gain for code, gain in spec.competences.items() if code in competences
            }
            self.offers[spec.key] = services.offer_create(
                municipality=m,
                provider=providers[spec.provider],
                title=spec.title,
                kind=spec.kind,
                category=categories.get(spec.category),
                level=spec.level,
                qf_level=spec.qf_level,
                ects=spec.decimal("ects"),
                teaching_days=spec.decimal("teaching_days"),
                hours=spec.decimal("hours"),
                weeks_full_time=spec.decimal("weeks_full_time"),
                price_per_participant=Decimal(spec.price),
                description=spec.description,
                eligible_schemes=list(spec.schemes),
                requires_hr_approval=spec.requires_hr_approval,
                external_id=f"DEMO-{spec.key.upper()}",
                competences=gains,
                actor=SYSTEM,
            )
        for position, (key, obligatory) in enumerate(KOMMUNOM_MODULES):
            services.education_module_set(
                education=self.offers["kommunom"],
                module=self.offers[key],
                obligatory=obligatory,
                position=position,
                actor=SYSTEM,
            )
        # Diplom modules build on the akademi level: "Ledelse af forandringer" asks for project management.
        services.offer_set_prerequisites(
            offer=self.offers["forandringer"], prerequisites=[self.offers["projektledelse"]], actor=SYSTEM
        )
        self.rooms = [
            services.room_create(municipality=m, name=name, address=address, capacity=capacity, actor=SYSTEM)
            for name, address, capacity in ROOMS
        ]
