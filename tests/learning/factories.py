"""Learning fixtures on top of the organisation `world`: a provider, offers and cohorts in Aby."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from kapabel.learning import services
from kapabel.learning.models import Cohort, Offer, Session
from kapabel.learning.services import SessionSpec

SYSTEM = "tests"


def at(days: float, hour: int = 9) -> datetime.datetime:
    """A time `days` from today at `hour` (local time)."""
    day = timezone.localdate() + datetime.timedelta(days=int(days))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_offer(municipality, provider, title: str = "Kommunikation med borgere", **extra) -> Offer:
    return services.offer_create(
        municipality=municipality, provider=provider, title=title, actor=SYSTEM, **extra
    )


def make_cohort(
    offer: Offer,
    *,
    capacity: int = 2,
    days: float = 30,
    sessions: int = 1,
    status: str = Cohort.Status.OPEN,
    **extra,
) -> Cohort:
    specs = [
        SessionSpec(starts_at=at(days + i, 9), ends_at=at(days + i, 15), place="Rådhuset")
        for i in range(sessions)
    ]
    return services.cohort_create(
        offer=offer, capacity=capacity, status=status, sessions=specs, actor=SYSTEM, **extra
    )


def move_to_past(cohort: Cohort, days: int = 10) -> None:
    """Shift a cohort's sessions into the past (test set-up only: services refuse to plan the past)."""
    for session in Session.objects.filter(cohort=cohort):
        Session.objects.filter(pk=session.pk).update(
            starts_at=session.starts_at - datetime.timedelta(days=days + 60),
            ends_at=session.ends_at - datetime.timedelta(days=days + 60),
        )
    from kapabel.learning.services.cohorts import _refresh_span

    _refresh_span(cohort)


def build_learning_world(world) -> SimpleNamespace:
    provider = services.provider_create(municipality=world.a, name="Komponent", actor=SYSTEM)
    b_provider = services.provider_create(municipality=world.b, name="VIA", actor=SYSTEM)
    offer = make_offer(world.a, provider, ects=Decimal("5"), price_per_participant=Decimal("4200"))
    expensive = make_offer(
        world.a,
        provider,
        "Diplommodul i ledelse",
        kind="education_module",
        level="diplom",
        requires_hr_approval=True,
    )
    cohort = make_cohort(offer, capacity=2)
    b_offer = make_offer(world.b, b_provider, "Samtaleteknik")
    b_cohort = make_cohort(b_offer, capacity=5)
    return SimpleNamespace(
        provider=provider,
        offer=offer,
        expensive=expensive,
        cohort=cohort,
        b_offer=b_offer,
        b_cohort=b_cohort,
    )
