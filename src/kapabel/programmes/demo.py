"""Demo step (order 70, after learning and dialogues): the programmes the product grew from, built
through the programme, learning and organisation services, scaled to the demo municipality.

- **KAMBU** (Aarhus, Børn og Unge, 2015–2016): a target group of administrative staff in Børn og Unge
  (400 in Aarhus, here at most half of the forvaltning), competence clarification of 230/400 of them
  (autumn 2015), a 4-week full-time course for 112/400 (spring 2016), 6-week modules in two hold
  (autumn 2016), then adaptation. Unemployed substitutes from the jobcenter cover the staff on the
  course and the modules, one for three participants, paid by jobrotationsydelse; a third of them
  end in work. Partners COK, VIA and HK Kommunal; the demo manager (`leder`) sits in the steering group
  and sees figures, not names.
- **KAMBU 2.0** (planned, autumn 2026): a phase planned on jobrotation — closed to new forløb from
  1 February 2026, so the report warns — and the alternative: a Kompetencefond group application and
  the own budget.
- **Næstved** (Center for Arbejdsmarked, 18 months from January 2025): up to 100 staff on akademi and
  diplom modules, each module with a Kompetencefond application (80 %, capped per person per rolling
  12 months, so a third module within a year is cut to what is left of the cap).

Only the 2015 jobrotation rate of those years is in the seeded (sourced) rules. The demo invents no
national figure: 2016 has no rate, so the report warns that the scheme has no rules in force for the
2016 phases (as `rules.param_at` finds no row) until a platform administrator enters the real one.
Deterministic for a seed."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kapabel.competences.models import Competence, Status
from kapabel.core.access import subtree_q
from kapabel.core.demo import DemoContext
from kapabel.learning import events as learning_events
from kapabel.learning import services as learning
from kapabel.learning.models import Cohort, Enrolment, EnrolmentStatus, Provider
from kapabel.learning.services import SessionSpec
from kapabel.organisation.models import Employee, OrgUnit
from kapabel.programmes import services
from kapabel.programmes.models import (
    FundingScheme,
    Participant,
    PhaseStatus,
    Programme,
    SchemeKind,
    SchemeParameter,
    Substitute,
)
from kapabel.programmes.seed import seed

SYSTEM = "demo"
DAY = datetime.timedelta(days=1)
D = Decimal


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _provider(municipality: Any, name: str) -> Provider:
    found = Provider.objects.filter(municipality=municipality, name=name).first()
    return found or learning.provider_create(municipality=municipality, name=name, actor=SYSTEM)


def _past_cohort(
    municipality: Any,
    provider: Provider,
    title: str,
    people: list[Employee],
    days: list[datetime.date],
    *,
    price: Decimal,
    level: str = "none",
    kind: str = "course",
    hours: tuple[int, int, int, int] = (8, 30, 15, 54),
    complete: bool = True,
) -> Cohort:
    """A cohort that ran on `days`, with `people` booked (before the sessions exist: services do not
    book into the past) and, when `complete`, completed."""
    # What the course develops: the first competences of the municipality's published framework.
    developed = Competence.objects.filter(
        version__framework__municipality=municipality, version__status=Status.PUBLISHED
    ).order_by("pk")[:2]
    offer = learning.offer_create(
        municipality=municipality,
        provider=provider,
        title=title,
        kind=kind,
        level=level,
        price_per_participant=price,
        actor=SYSTEM,
        competences={competence: 1 for competence in developed},
    )
    cohort = learning.cohort_create(
        offer=offer,
        capacity=max(1, len(people)),
        status=Cohort.Status.OPEN,
        actor=SYSTEM,
        offer_to_interested=False,
    )
    if people:
        learning.enrolments_bulk_book(cohort=cohort, employees=people, actor=SYSTEM)
    h1, m1, h2, m2 = hours
    for day in days:
        learning.session_create(
            cohort=cohort,
            spec=SessionSpec(starts_at=_local(day, h1, m1), ends_at=_local(day, h2, m2)),
            actor=SYSTEM,
        )
    if complete and days and days[-1] < timezone.localdate():
        for enrolment in Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.BOOKED).order_by(
            "pk"
        ):
            learning.enrolment_complete(enrolment=enrolment, actor=SYSTEM)
    return cohort


def _weekdays(start: datetime.date, weeks: int) -> list[datetime.date]:
    return [start + n * DAY for n in range(weeks * 7) if (start + n * DAY).weekday() < 5]


def _weekly(start: datetime.date, count: int) -> list[datetime.date]:
    return [start + datetime.timedelta(weeks=n) for n in range(count)]


def _scheme(kind: str) -> FundingScheme:
    return FundingScheme.objects.get(kind=kind)


def _substitutes(
    ctx: DemoContext,
    programme: Programme,
    participants: list[Participant],
    start: datetime.date,
    end: datetime.date,
    *,
    number: int,
    outcomes: Sequence[str],
) -> list[Substitute]:
    """One substitute per three participants, employed for the cohort's weeks at 37 hours, covering them."""
    rng = ctx.rng
    jobrotation = _scheme(SchemeKind.JOBROTATION)
    result = []
    for n in range(0, len(participants), 3):
        group = participants[n : n + 3]
        index = number + n // 3
        substitute = services.substitute_create(
            programme=programme,
            name=f"Vikar {index + 1:03d}",
            email=f"vikar{index + 1:03d}@vikar.demo.kapabel.dk",
            unit=group[0].employee.unit,
            starts_on=start,
            ends_on=end,
            hours_per_week=D(37),
            hourly_wage=D(215),
            unemployment_months=D(rng.randint(6, 20)),
            benefit=Substitute.Benefit.KONTANTHJAELP if rng.random() < 0.2 else Substitute.Benefit.DAGPENGE,
            outcome=outcomes[(index) % len(outcomes)],
            actor=SYSTEM,
        )
        services.placement_create(
            substitute=substitute,
            participants=group,
            starts_on=start,
            ends_on=end,
            hours_per_week=D(37),
            scheme=jobrotation,
            actor=SYSTEM,
        )
        result.append(substitute)
    return result


def _kambu(ctx: DemoContext, municipality: Any, pool: list[Employee], users: dict[str, Any]) -> Programme:
    rng = ctx.rng
    target = pool[: min(400, max(9, len(pool) // 2))]
    n = len(target)
    clarified = target[: round(n * 230 / 400)]
    course = clarified[: max(3, round(n * 112 / 400))]
    modules = clarified[len(course) : len(course) + max(4, round(n * 80 / 400))] or course[:4]
    programme = services.programme_create(
        municipality=municipality,
        name="KAMBU – Kompetenceudvikling af administrative medarbejdere i Børn og Unge",
        purpose="Et fælles fagligt løft af de administrative medarbejdere: kompetenceafklaring, "
        "et skræddersyet "
        "kursus og akademi-, diplom- og kommunommoduler på fuld tid, mens ledige vikarer løser opgaverne.",
        starts_on=datetime.date(2015, 8, 1),
        ends_on=datetime.date(2017, 6, 30),
        budget=(D(6_000_000) * n / 400).quantize(D(1)),
        status=Programme.Status.COMPLETED,
        actor=SYSTEM,
    )
    bu = OrgUnit.objects.filter(
        municipality=municipality, kind=OrgUnit.Kind.FORVALTNING, name="Børn og Unge"
    ).first()
    services.programme_set_target(programme=programme, employees=target, actor=SYSTEM, units=[])
    for name, kind in (
        ("COK – Center for Offentlig Kompetenceudvikling", "provider"),
        ("VIA University College", "provider"),
        ("HK Kommunal", "union"),
        ("Jobcenter", "jobcenter"),
    ):
        services.partner_add(programme=programme, name=name, kind=kind, actor=SYSTEM)
    services.steering_member_add(
        programme=programme, name="Forvaltningsdirektør, Børn og Unge", title="Formand", actor=SYSTEM
    )
    if "leder" in users:
        services.steering_member_add(
            programme=programme,
            name=users["leder"].get_full_name() or "Leder",
            title="Leder",
            user=users["leder"],
            actor=SYSTEM,
        )
    services.steering_member_add(
        programme=programme, name="HK Kommunal", title="Tillidsrepræsentant", actor=SYSTEM
    )
    jobrotation = _scheme(SchemeKind.JOBROTATION)
    cok = _provider(municipality, "COK – Center for Offentlig Kompetenceudvikling")
    via = _provider(municipality, "VIA University College")
    course_cohort = _past_cohort(
        municipality,
        cok,
        "KAMBU: Skræddersyet kursus (4 uger)",
        course,
        _weekdays(datetime.date(2016, 3, 7), 4),
        price=D(12000),
    )
    hold1 = modules[: len(modules) // 2]
    hold2 = modules[len(modules) // 2 :]
    module_cohorts = [
        _past_cohort(
            municipality,
            via,
            f"KAMBU: Moduler, hold {k + 1} (6 uger)",
            group,
            _weekdays(start, 6),
            price=D(16000),
            level="akademi",
            kind="education_module",
        )
        for k, (group, start) in enumerate(
            ((hold1, datetime.date(2016, 9, 5)), (hold2, datetime.date(2016, 10, 24)))
        )
    ]
    phases = [
        services.phase_create(
            programme=programme,
            name="Kompetenceafklaring",
            kind="clarification",
            starts_on=datetime.date(2015, 9, 1),
            ends_on=datetime.date(2015, 11, 30),
            actor=SYSTEM,
        ),
        services.phase_create(
            programme=programme,
            name="Skræddersyet kursus, 4 uger",
            kind="course",
            starts_on=datetime.date(2016, 3, 7),
            ends_on=datetime.date(2016, 4, 1),
            cohorts=[course_cohort],
            funding_scheme=jobrotation,
            actor=SYSTEM,
        ),
        services.phase_create(
            programme=programme,
            name="Akademi-, diplom- og kommunommoduler, to hold",
            kind="education",
            starts_on=datetime.date(2016, 9, 5),
            ends_on=datetime.date(2016, 12, 2),
            cohorts=module_cohorts,
            funding_scheme=jobrotation,
            actor=SYSTEM,
        ),
        services.phase_create(
            programme=programme,
            name="Tilpasning af fremtidige tilbud",
            kind="adaptation",
            starts_on=datetime.date(2017, 1, 2),
            ends_on=datetime.date(2017, 6, 30),
            actor=SYSTEM,
        ),
    ]
    participants = services.participants_add(
        programme=programme, employees=target, phases=phases[:1], actor=SYSTEM
    )
    by_employee = {p.employee_id: p for p in participants}
    clarified_ids = {e.pk for e in clarified}
    for p in participants:
        if p.employee_id in clarified_ids:
            services.participant_phase_set(
                participant=p, phase=phases[0], status=PhaseStatus.CLARIFIED, actor=SYSTEM
            )
    services.participants_add(programme=programme, employees=course, phases=phases[1:2], actor=SYSTEM)
    services.participants_add(programme=programme, employees=modules, phases=phases[2:3], actor=SYSTEM)
    # About a third of the substitutes get work afterwards (two in three of them in the municipality).
    outcomes = [
        Substitute.Outcome.PERMANENT_HERE,
        Substitute.Outcome.UNEMPLOYED,
        Substitute.Outcome.EDUCATION,
        Substitute.Outcome.OTHER_JOB,
        Substitute.Outcome.UNEMPLOYED,
        Substitute.Outcome.UNKNOWN,
        Substitute.Outcome.PERMANENT_HERE,
        Substitute.Outcome.UNEMPLOYED,
        Substitute.Outcome.EDUCATION,
    ]
    subs = _substitutes(
        ctx,
        programme,
        [by_employee[e.pk] for e in course],
        datetime.date(2016, 3, 7),
        datetime.date(2016, 4, 1),
        number=0,
        outcomes=outcomes,
    )
    for group, start in ((hold1, datetime.date(2016, 9, 5)), (hold2, datetime.date(2016, 10, 24))):
        subs += _substitutes(
            ctx,
            programme,
            [by_employee[e.pk] for e in group],
            start,
            start + datetime.timedelta(weeks=6) - 3 * DAY,
            number=len(subs),
            outcomes=outcomes,
        )
    rng.shuffle(subs)
    if bu is not None:
        services.programme_update(programme=programme, owner_unit=bu, actor=SYSTEM)
    return programme


def _kambu_2(ctx: DemoContext, municipality: Any, pool: list[Employee]) -> Programme:
    people = pool[: max(6, min(60, len(pool) // 6))]
    programme = services.programme_create(
        municipality=municipality,
        name="KAMBU 2.0 (planlagt)",
        purpose="Næste runde af KAMBU: moduler på fuld tid med vikardækning. Jobrotation er lukket for nye "
        "forløb fra 1. februar 2026, så planen har en alternativ finansiering.",
        starts_on=datetime.date(2026, 8, 1),
        ends_on=datetime.date(2027, 6, 30),
        budget=D(1_500_000),
        actor=SYSTEM,
    )
    fund = _scheme(SchemeKind.KOMPETENCEFOND)
    services.phase_create(
        programme=programme,
        name="Moduler med jobrotation (oprindelig plan)",
        kind="education",
        starts_on=datetime.date(2026, 9, 7),
        ends_on=datetime.date(2026, 12, 18),
        funding_scheme=_scheme(SchemeKind.JOBROTATION),
        actor=SYSTEM,
    )
    alternative = services.phase_create(
        programme=programme,
        name="Moduler med Kompetencefonden og eget budget (alternativ plan)",
        kind="education",
        starts_on=datetime.date(2026, 9, 7),
        ends_on=datetime.date(2026, 12, 18),
        funding_scheme=fund,
        actor=SYSTEM,
    )
    services.participants_add(programme=programme, employees=people, phases=[alternative], actor=SYSTEM)
    group = services.application_create(
        programme=programme,
        scheme=fund,
        phase=alternative,
        title="Gruppeansøgning: akademimoduler efterår 2026",
        people=len(people),
        education_starts_on=datetime.date(2026, 9, 7),
        education_ends_on=datetime.date(2026, 12, 18),
        eligible_costs=D(18500) * len(people),
        actor=SYSTEM,
    )
    services.application_move(
        application=group, status="submitted", on=datetime.date(2026, 5, 18), actor=SYSTEM
    )
    services.application_create(
        programme=programme,
        scheme=_scheme(SchemeKind.OWN_BUDGET),
        phase=alternative,
        title="Eget budget: vikardækning uden jobrotationsydelse",
        people=len(people),
        education_starts_on=datetime.date(2026, 9, 7),
        eligible_costs=D(900_000),
        actor=SYSTEM,
    )
    return programme


def _naestved(ctx: DemoContext, municipality: Any, pool: list[Employee]) -> Programme:
    people = pool[:100]
    programme = services.programme_create(
        municipality=municipality,
        name="Center for Arbejdsmarked: akademi- og diplommoduler (18 måneder)",
        purpose="Luk kompetencegabet fra medarbejdernes egen analyse: fælles fagligt niveau, tværfagligt "
        "samarbejde, kommunikation med borgere og virksomheder, lovgivning og overførsel til praksis.",
        starts_on=datetime.date(2025, 1, 6),
        ends_on=datetime.date(2026, 6, 30),
        budget=(D(1_200_000) * len(people) / 100).quantize(D(1)),
        status=Programme.Status.COMPLETED,
        actor=SYSTEM,
    )
    fund = _scheme(SchemeKind.KOMPETENCEFOND)
    provider = _provider(municipality, "Erhvervsakademi Sjælland")
    third = max(1, len(people) // 3)
    rounds = [
        ("Akademimodul: Offentlig forvaltning", datetime.date(2025, 2, 4), people, "akademi", D(14500)),
        (
            "Diplommodul: Beskæftigelsesindsats",
            datetime.date(2025, 9, 2),
            people[: 2 * third],
            "diplom",
            D(16500),
        ),
        (
            "Akademimodul: Kommunikation med borgere og virksomheder",
            datetime.date(2026, 2, 3),
            people[:third],
            "akademi",
            D(14500),
        ),
    ]
    participants: dict[int, Participant] = {}
    for title, start, group, level, price in rounds:
        cohort = _past_cohort(
            municipality,
            provider,
            title,
            group,
            _weekly(start, 10),
            price=price,
            level=level,
            kind="education_module",
            hours=(9, 0, 15, 30),
        )
        phase = services.phase_create(
            programme=programme,
            name=title,
            kind="education",
            starts_on=start,
            ends_on=start + datetime.timedelta(weeks=10),
            cohorts=[cohort],
            funding_scheme=fund,
            actor=SYSTEM,
        )
        for p in services.participants_add(
            programme=programme, employees=group, phases=[phase], actor=SYSTEM
        ):
            participants[p.employee_id] = p
        for employee in group:
            app = services.application_create(
                programme=programme,
                scheme=fund,
                phase=phase,
                participant=participants[employee.pk],
                title=f"{title} – {employee.name}",
                education_starts_on=start,
                eligible_costs=price + D(1500),
                actor=SYSTEM,
            )
            services.application_move(application=app, status="submitted", on=start - 40 * DAY, actor=SYSTEM)
            services.application_move(
                application=app,
                status="granted",
                on=start - 26 * DAY,
                actor=SYSTEM,
                amount=min((price + D(1500)) * D("0.8"), D(30000)),
            )
            if start.year == 2025:
                services.application_move(application=app, status="paid", on=start + 90 * DAY, actor=SYSTEM)
    return programme


def build_programmes(ctx: DemoContext) -> None:
    municipality = ctx.data.get("municipality")
    if municipality is None:
        return
    # The bookings are history: nobody is told about them (the learning demo does the same).
    with transaction.atomic(), learning_events.muted():
        # The national rules come with migration 0002; a database emptied since (a test's flush) has
        # none, and seeding is idempotent.
        seed(FundingScheme, SchemeParameter)
        people = Employee.objects.filter(municipality=municipality, active=True).select_related("unit")
        bu = OrgUnit.objects.filter(municipality=municipality, name="Børn og Unge").first()
        pool = (
            list(people.filter(subtree_q(bu.path, "unit__path")).order_by("pk"))
            if bu
            else list(people.order_by("pk"))
        )
        cfa = OrgUnit.objects.filter(municipality=municipality, name="Center for Arbejdsmarked").first()
        naestved_pool = list(people.filter(subtree_q(cfa.path, "unit__path")).order_by("pk")) if cfa else []
        if len(naestved_pool) < 10:
            sfb = OrgUnit.objects.filter(
                municipality=municipality, name="Sociale Forhold og Beskæftigelse"
            ).first()
            if sfb is not None:
                naestved_pool = list(people.filter(subtree_q(sfb.path, "unit__path")).order_by("pk"))
        kambu = _kambu(ctx, municipality, pool, ctx.data.get("users", {}))
        kambu_2 = _kambu_2(ctx, municipality, pool[len(pool) // 2 :] or pool)
        naestved = _naestved(ctx, municipality, naestved_pool or pool)
    ctx.data["programmes"] = {"kambu": kambu, "kambu_2": kambu_2, "naestved": naestved}
    lines = [
        f"{p.name}: {p.participants.count()} deltagere, "
        f"{Substitute.objects.filter(programme=p).count()} vikarer"
        for p in (kambu, kambu_2, naestved)
    ]
    ctx.report.append("Programmer: " + "; ".join(lines))
