"""Programme fixtures on top of the organisation `world`: a past cohort with sessions on fixed dates,
booked participants, substitutes and placements — built through the services."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from kapabel.learning import services as learning
from kapabel.learning.models import Cohort
from kapabel.learning.services import SessionSpec
from kapabel.programmes import services
from kapabel.programmes.models import FundingScheme, Programme, SchemeKind, SchemeParameter
from kapabel.programmes.seed import seed

SYSTEM = "tests"


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def scheme(kind: str) -> FundingScheme:
    """A seeded scheme (seeded again after a transactional test flushed the migration's rows)."""
    if not FundingScheme.objects.filter(kind=kind).exists():
        seed(FundingScheme, SchemeParameter)
    return FundingScheme.objects.get(kind=kind)


def past_cohort(
    municipality,
    days: Sequence[tuple[datetime.date, int, int, int, int]],
    people,
    title: str = "KAMBU-kursus",
) -> Cohort:
    """A cohort whose sessions are (day, from hour, from minute, to hour, to minute), with `people`
    booked before the sessions are added (services do not book into the past)."""
    provider = learning.provider_create(municipality=municipality, name=f"Udbyder {title}", actor=SYSTEM)
    offer = learning.offer_create(
        municipality=municipality,
        provider=provider,
        title=title,
        actor=SYSTEM,
        price_per_participant=Decimal(5000),
    )
    cohort = learning.cohort_create(
        offer=offer, capacity=max(2, len(people)), status=Cohort.Status.OPEN, actor=SYSTEM
    )
    if people:
        learning.enrolments_bulk_book(cohort=cohort, employees=list(people), actor=SYSTEM)
    for day, h1, m1, h2, m2 in days:
        learning.session_create(
            cohort=cohort,
            spec=SessionSpec(starts_at=local(day, h1, m1), ends_at=local(day, h2, m2)),
            actor=SYSTEM,
        )
    return cohort


def full_week(monday: datetime.date, days: int = 5, hours: tuple[int, int, int, int] = (9, 0, 16, 24)):
    return [(monday + datetime.timedelta(days=n), *hours) for n in range(days)]


def programme(world, **extra) -> Programme:
    values = {
        "municipality": world.a,
        "name": "KAMBU",
        "starts_on": datetime.date(2015, 1, 1),
        "ends_on": datetime.date(2016, 12, 31),
        "budget": Decimal(100000),
        "actor": SYSTEM,
    }
    values.update(extra)
    return services.programme_create(**values)


def build_small_programme(world) -> Programme:
    """Two participants on a course: week of 2 March 2015 full time (5 × 7.4 = 37 h), week of 9 March
    three days 9–15 (18 h). Substitute A (30 h/week) covers Emma for both weeks; substitute B
    (contracted 10 h/week, placed 12) covers Carl in the first week only."""
    prog = programme(world)
    days = full_week(datetime.date(2015, 3, 2)) + [
        (datetime.date(2015, 3, 9 + n), 9, 0, 15, 0) for n in range(3)
    ]
    cohort = past_cohort(world.a, days, [world.employee, world.colleague])
    phase = services.phase_create(
        programme=prog,
        name="Kursus",
        starts_on=datetime.date(2015, 3, 2),
        ends_on=datetime.date(2015, 3, 13),
        cohorts=[cohort],
        actor=SYSTEM,
    )
    emma, carl = services.participants_add(
        programme=prog, employees=[world.employee, world.colleague], phases=[phase], actor=SYSTEM
    )
    jr = scheme(SchemeKind.JOBROTATION)
    a = services.substitute_create(
        programme=prog,
        name="Vikar Anna",
        unit=world.team1,
        starts_on=datetime.date(2015, 3, 2),
        ends_on=datetime.date(2015, 5, 31),
        hours_per_week=Decimal(30),
        unemployment_months=Decimal(7),
        hourly_wage=Decimal(200),
        actor=SYSTEM,
    )
    services.placement_create(
        substitute=a,
        participants=[emma],
        starts_on=datetime.date(2015, 3, 2),
        ends_on=datetime.date(2015, 3, 13),
        hours_per_week=Decimal(30),
        scheme=jr,
        actor=SYSTEM,
    )
    b = services.substitute_create(
        programme=prog,
        name="Vikar Bo",
        unit=world.team2,
        starts_on=datetime.date(2015, 3, 2),
        ends_on=datetime.date(2015, 3, 31),
        hours_per_week=Decimal(10),
        unemployment_months=Decimal(2),
        actor=SYSTEM,
    )
    services.placement_create(
        substitute=b,
        participants=[carl],
        starts_on=datetime.date(2015, 3, 2),
        ends_on=datetime.date(2015, 3, 6),
        hours_per_week=Decimal(12),
        scheme=jr,
        actor=SYSTEM,
    )
    return prog


def build_programme_pages_data(world) -> Programme:
    """The small programme with a Kompetencefond application and the manager in the steering group,
    for the browser tests (attached to the world once)."""
    if hasattr(world, "programme_pages"):
        return world.programme_pages
    prog = build_small_programme(world)
    emma = prog.participants.get(employee=world.employee)
    services.application_create(
        programme=prog,
        scheme=scheme(SchemeKind.KOMPETENCEFOND),
        participant=emma,
        title="Diplommodul i forvaltning",
        education_starts_on=datetime.date(2027, 3, 1),
        eligible_costs=Decimal(20000),
        actor=SYSTEM,
    )
    services.steering_member_add(
        programme=prog, name="Mette Manager", user=world.user("manager"), actor=SYSTEM
    )
    services.partner_add(programme=prog, name="VIA University College", kind="provider", actor=SYSTEM)
    services.programme_set_target(programme=prog, units=[world.centre1], actor=SYSTEM)
    services.hourly_cost_set(
        job_role=world.role_a,
        hourly_cost=Decimal("312.50"),
        valid_from=datetime.date(2015, 1, 1),
        actor=SYSTEM,
    )
    world.programme_pages = prog
    return prog
