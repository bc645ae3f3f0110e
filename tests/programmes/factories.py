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
from kapabel.programmes.models import FundingScheme, Programme

SYSTEM = "tests"


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def scheme(kind: str) -> FundingScheme:
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
