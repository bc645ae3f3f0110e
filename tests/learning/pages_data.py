"""Learning data for the browser tests and screenshots: a catalogue with several kinds, a request
waiting for the manager, a cohort on a public holiday in a room booked twice, a past cohort with
attendance to record, a full education with modules, and evidence. Built on the shared `world`."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from kapabel.competences.models import Competence
from kapabel.learning import services
from kapabel.learning.models import Category, Evidence, OfferCompetence
from kapabel.learning.services import SessionSpec
from tests.learning.factories import SYSTEM, build_learning_world, make_cohort, make_offer, move_to_past


def _category(world, code: str):
    return Category.objects.filter(municipality=world.a, code=code).first()


def build_learning_pages_data(world) -> SimpleNamespace:
    if hasattr(world, "learning_pages"):
        return world.learning_pages
    lw = build_learning_world(world)
    services.offer_update(
        offer=lw.offer,
        category=_category(world, "communication"),
        teaching_days=Decimal("3"),
        description="Et kursus i klar og venlig kommunikation med borgerne, skriftligt og mundtligt.",
        actor=SYSTEM,
    )
    economy = make_offer(
        world.a,
        lw.provider,
        "Økonomistyring for ledere",
        kind="education_module",
        level="akademi",
        qf_level=5,
        ects=Decimal("10"),
        teaching_days=Decimal("6"),
        price_per_participant=Decimal("11500"),
        category=_category(world, "economy_budget"),
        description="Akademimodul om budget, opfølgning og økonomisk styring i en offentlig organisation.",
    )
    competence = Competence.objects.filter(
        version__framework__municipality=world.a, parent__isnull=False
    ).first()
    if competence is not None:
        OfferCompetence.objects.create(offer=economy, competence=competence, expected_gain=1)
    economy_cohort = make_cohort(economy, capacity=12, days=14, sessions=3, min_size=6, code="ØK-1")
    services.enrolment_book(cohort=economy_cohort, employee=world.colleague, actor=SYSTEM)
    services.enrolment_request(
        cohort=economy_cohort, employee=world.employee, actor=SYSTEM, note="Til mit budgetansvar"
    )
    make_offer(
        world.a,
        lw.provider,
        "Excel i praksis",
        kind="e_learning",
        category=_category(world, "it_tools"),
        hours=Decimal("8"),
    )

    # A full education with an obligatory and an elective module; the employee is on one module.
    education = make_offer(
        world.a, lw.provider, "Akademiuddannelse i ledelse", kind="education", level="akademi"
    )
    services.offer_update(offer=education, ects=Decimal("60"), actor=SYSTEM)
    elective = make_offer(
        world.a, lw.provider, "Coaching som ledelsesværktøj", kind="education_module", ects=Decimal("5")
    )
    services.education_module_set(education=education, module=economy, obligatory=True, actor=SYSTEM)
    services.education_module_set(
        education=education, module=elective, obligatory=False, position=1, actor=SYSTEM
    )

    # A past cohort: attendance to record and results to give; evidence for the employee.
    past_offer = make_offer(world.a, lw.provider, "Sagsbehandling og forvaltningsret", ects=Decimal("5"))
    past = make_cohort(past_offer, capacity=10, days=40, sessions=2)
    done = services.enrolment_book(cohort=past, employee=world.employee, actor=SYSTEM)
    services.enrolment_book(cohort=past, employee=world.colleague, actor=SYSTEM)
    move_to_past(past)
    services.cohort_set_status(cohort=past, status="running", actor=SYSTEM)
    if competence is not None:
        Evidence.objects.create(employee=world.employee, competence=competence, level=2, enrolment=done)

    # A cohort on Christmas Day in a room that another cohort also has then.
    room = services.room_create(municipality=world.a, name="Mødelokale 1", actor=SYSTEM)
    year = timezone.localdate().year + 1
    christmas = datetime.datetime(year, 12, 25, 9, tzinfo=timezone.get_current_timezone())
    spec = SessionSpec(starts_at=christmas, ends_at=christmas + datetime.timedelta(hours=3), room=room)
    workshop = make_offer(world.a, lw.provider, "Kommunikation i praksis – workshop")
    holiday = services.cohort_create(offer=workshop, capacity=8, sessions=[spec], status="open", actor=SYSTEM)
    services.cohort_create(offer=workshop, capacity=8, sessions=[spec], actor=SYSTEM)

    world.learning_pages = SimpleNamespace(
        lw=lw, economy=economy, economy_cohort=economy_cohort, past=past, holiday=holiday, education=education
    )
    return world.learning_pages
