"""Bad input is refused with a clear message and nothing is written; access rules of the services;
the report's query count does not grow with the programme."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kapabel.core.models import AuditEvent
from kapabel.programmes import services
from kapabel.programmes.models import Application, Placement, SchemeKind, SchemeParameter, Substitute
from kapabel.programmes.selectors.report import programme_report

from ..conftest import make_employee
from .factories import SYSTEM, full_week, past_cohort, programme, scheme

d = datetime.date
pytestmark = pytest.mark.django_db


def substitute(prog, unit, **extra):
    values = {
        "programme": prog,
        "name": "Vikar",
        "unit": unit,
        "starts_on": d(2015, 3, 2),
        "ends_on": d(2015, 6, 30),
        "hours_per_week": D(30),
        "actor": SYSTEM,
    }
    values.update(extra)
    return services.substitute_create(**values)


def test_placement_outside_employment_is_refused_and_nothing_written(world):
    prog = programme(world)
    (emma,) = services.participants_add(programme=prog, employees=[world.employee], actor=SYSTEM)
    sub = substitute(prog, world.team1)
    events = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.placement_create(
            substitute=sub,
            participants=[emma],
            starts_on=d(2015, 6, 1),
            ends_on=d(2015, 7, 15),
            hours_per_week=D(20),
            actor=SYSTEM,
        )
    assert refused.value.code == "outside_employment"
    assert "lies outside the substitute's employment" in refused.value.messages[0]
    assert Placement.objects.count() == 0 and AuditEvent.objects.count() == events


@pytest.mark.parametrize("hours", [D(-1), D(169)])
def test_negative_or_impossible_hours_are_refused(world, hours):
    prog = programme(world)
    (emma,) = services.participants_add(programme=prog, employees=[world.employee], actor=SYSTEM)
    sub = substitute(prog, world.team1)
    with pytest.raises(ValidationError):
        services.placement_create(
            substitute=sub,
            participants=[emma],
            starts_on=d(2015, 3, 2),
            ends_on=d(2015, 3, 6),
            hours_per_week=hours,
            actor=SYSTEM,
        )
    with pytest.raises(ValidationError):
        substitute(prog, world.team1, name="Negativ", hours_per_week=hours)
    assert Placement.objects.count() == 0
    assert not Substitute.objects.filter(name="Negativ").exists()


def test_message_in_danish(world, settings):
    prog = programme(world)
    with translation.override("da"), pytest.raises(ValidationError) as refused:
        substitute(prog, world.team1, hours_per_week=D(-1))
    assert refused.value.messages[0] == "Timer pr. uge kan ikke være negative."


def test_application_after_the_deadline_is_refused(world):
    prog = programme(world, ends_on=d(2027, 12, 31))
    fund = scheme(SchemeKind.KOMPETENCEFOND)
    app = services.application_create(
        programme=prog,
        scheme=fund,
        title="Akademi",
        education_starts_on=d(2027, 3, 1),
        eligible_costs=D(20000),
        actor=SYSTEM,
    )
    with pytest.raises(ValidationError) as refused:
        services.application_move(application=app, status="submitted", on=d(2027, 3, 1), actor=SYSTEM)
    assert refused.value.code == "after_deadline"
    with pytest.raises(ValidationError) as early:
        services.application_move(application=app, status="submitted", on=d(2026, 5, 31), actor=SYSTEM)
    assert early.value.code == "before_window"
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT and app.submitted_on is None
    # First and last day of the window are accepted.
    services.application_move(application=app, status="submitted", on=d(2027, 2, 28), actor=SYSTEM)
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    services.application_move(
        application=app, status="granted", amount=D(16000), on=d(2027, 3, 10), actor=SYSTEM
    )
    services.application_move(application=app, status="paid", on=d(2027, 5, 1), actor=SYSTEM)
    app.refresh_from_db()
    assert (app.status, app.paid_amount) == ("paid", D(16000))
    with pytest.raises(ValidationError):
        services.application_move(application=app, status="submitted", actor=SYSTEM)


def test_scheme_outside_its_validity_is_refused(world):
    prog = programme(world)
    with pytest.raises(ValidationError) as closed:
        services.application_create(
            programme=prog,
            scheme=scheme(SchemeKind.JOBROTATION),
            title="Jobrotation",
            education_starts_on=d(2026, 2, 1),
            eligible_costs=D(0),
            actor=SYSTEM,
        )
    assert closed.value.code == "scheme_closed"
    with pytest.raises(ValidationError) as not_open:
        services.application_create(
            programme=prog,
            scheme=scheme(SchemeKind.KOMPETENCEFOND),
            title="For tidligt",
            education_starts_on=d(2010, 1, 1),
            eligible_costs=D(100),
            actor=SYSTEM,
        )
    assert not_open.value.code == "scheme_not_open"
    # A forløb started the day before the closure may still be applied for.
    services.application_create(
        programme=prog,
        scheme=scheme(SchemeKind.JOBROTATION),
        title="Inden lukning",
        education_starts_on=d(2026, 1, 31),
        eligible_costs=D(0),
        actor=SYSTEM,
    )
    assert Application.objects.count() == 1


def test_scheme_parameters_only_by_platform_administrators_and_without_overlap(world):
    jr = scheme(SchemeKind.JOBROTATION)
    with pytest.raises(PermissionDenied):
        services.scheme_parameter_create(
            scheme=jr,
            key="hourly_rate",
            value=D(200),
            valid_from=d(2025, 1, 1),
            valid_to=d(2025, 12, 31),
            source="STAR",
            actor=world.user("admin"),
        )
    with pytest.raises(ValidationError) as overlap:
        services.scheme_parameter_create(
            scheme=jr,
            key="hourly_rate",
            value=D(200),
            valid_from=d(2024, 6, 1),
            source="STAR",
            actor=world.user("platform_admin"),
        )
    assert overlap.value.code == "overlap"
    services.scheme_parameter_create(
        scheme=jr,
        key="hourly_rate",
        value=D("207.50"),
        valid_from=d(2025, 1, 1),
        valid_to=d(2025, 12, 31),
        source="STAR 2025",
        actor=world.user("platform_admin"),
    )
    assert SchemeParameter.objects.filter(scheme=jr, key="hourly_rate").count() == 7


def test_other_municipality_cannot_change_a_programme(world):
    prog = programme(world)
    with pytest.raises(PermissionDenied):
        services.programme_update(
            programme=prog, name="Nyt navn", actor=world.user("other_municipality_admin")
        )
    with pytest.raises(PermissionDenied):
        services.programme_update(programme=prog, name="Nyt navn", actor=world.user("manager"))
    services.programme_update(programme=prog, name="KAMBU 1", actor=world.user("coordinator"))
    with pytest.raises(ValidationError):
        services.participants_add(programme=prog, employees=[world.b_employee], actor=SYSTEM)


def test_report_queries_do_not_grow_with_participants(world):
    prog = programme(world)
    jr = scheme(SchemeKind.JOBROTATION)

    def add(n0: int, count: int) -> None:
        people = [
            make_employee(world.a, world.team1, f"Q{n0 + n}", f"Person {n0 + n}", world.role_a)
            for n in range(count)
        ]
        monday = d(2015, 3, 2 + 7 * (n0 // 100))
        cohort = past_cohort(world.a, full_week(monday), people, title=f"Kursus {n0}")
        phase = services.phase_create(
            programme=prog,
            name=f"Fase {n0}",
            starts_on=d(2015, 3, 2),
            ends_on=d(2015, 4, 30),
            cohorts=[cohort],
            actor=SYSTEM,
        )
        participants = services.participants_add(
            programme=prog, employees=people, phases=[phase], actor=SYSTEM
        )
        sub = substitute(prog, world.team1, name=f"Vikar {n0}", unemployment_months=D(7))
        services.placement_create(
            substitute=sub,
            participants=participants,
            starts_on=d(2015, 3, 2),
            ends_on=d(2015, 4, 30),
            hours_per_week=D(30),
            scheme=jr,
            actor=SYSTEM,
        )

    add(0, 3)
    with CaptureQueriesContext(connection) as small:
        programme_report(prog, names=True)
    add(100, 12)
    add(200, 6)
    with CaptureQueriesContext(connection) as large:
        report = programme_report(prog, names=True)
    assert report["participants"] == 21 and report["substitutes"] == 3
    assert len(large.captured_queries) == len(small.captured_queries)


def test_deadline_reminder_once_to_the_coordinators(world, mailoutbox):
    from kapabel.programmes.services.reminders import reminders_send

    world.user("coordinator").email = "koordinator@aby.dk"
    world.user("coordinator").save()
    prog = programme(world, ends_on=d(2027, 12, 31))
    fund = scheme(SchemeKind.KOMPETENCEFOND)
    for title, start in (("Snart", d(2027, 3, 1)), ("Senere", d(2027, 6, 1))):
        services.application_create(
            programme=prog,
            scheme=fund,
            title=title,
            education_starts_on=start,
            eligible_costs=D(1000),
            actor=SYSTEM,
        )
    # The deadline of "Snart" is 28 February 2027: ten days away on 18 February.
    assert reminders_send(today=d(2027, 2, 18)) == 1
    assert [m.to for m in mailoutbox] == [["koordinator@aby.dk"]]
    assert "Snart" in mailoutbox[0].subject
    assert reminders_send(today=d(2027, 2, 19)) == 0  # once per application
    assert reminders_send(today=d(2027, 3, 1)) == 0  # past the deadline
