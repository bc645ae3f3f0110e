"""The programme pages: who sees what (names only for coordinators and HR of the municipality; the
steering group sees figures; other municipalities get 404), forms through the services, query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from kapabel.programmes import services
from kapabel.programmes.models import Application, Placement, SchemeKind, SchemeParameter, Substitute

from .factories import SYSTEM, full_week, past_cohort, programme, scheme

d = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def prog(world):
    p = programme(world)
    cohort = past_cohort(world.a, full_week(d(2015, 3, 2)), [world.employee, world.colleague])
    phase = services.phase_create(
        programme=p,
        name="Kursus",
        starts_on=d(2015, 3, 2),
        ends_on=d(2015, 3, 6),
        cohorts=[cohort],
        actor=SYSTEM,
    )
    emma, _carl = services.participants_add(
        programme=p, employees=[world.employee, world.colleague], phases=[phase], actor=SYSTEM
    )
    sub = services.substitute_create(
        programme=p,
        name="Vikar Vibeke",
        unit=world.team1,
        starts_on=d(2015, 3, 2),
        ends_on=d(2015, 5, 1),
        hours_per_week=D(37),
        unemployment_months=D(9),
        actor=SYSTEM,
    )
    services.placement_create(
        substitute=sub,
        participants=[emma],
        starts_on=d(2015, 3, 2),
        ends_on=d(2015, 3, 6),
        hours_per_week=D(37),
        scheme=scheme(SchemeKind.JOBROTATION),
        actor=SYSTEM,
    )
    services.steering_member_add(programme=p, name="Styregruppe", user=world.user("manager"), actor=SYSTEM)
    return p


def test_coordinator_sees_names_and_the_ydelse(world, prog, login, django_assert_max_num_queries):
    client = login(world.user("coordinator"))
    with django_assert_max_num_queries(40):
        response = client.get(reverse("programmes:overview", args=[prog.pk]))
    assert response.status_code == 200
    assert "6.617,08" in response.content.decode()  # 37 h × 178,84 kr., in Danish format
    page = client.get(reverse("programmes:substitutes", args=[prog.pk])).content.decode()
    assert "Vikar Vibeke" in page and "Emma Employee" in page


def test_steering_member_sees_figures_not_names(world, prog, login):
    client = login(world.user("manager"))
    response = client.get(reverse("programmes:overview", args=[prog.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vikar Vibeke" not in body and "Emma Employee" not in body
    assert client.get(reverse("programmes:substitutes", args=[prog.pk])).status_code == 403
    assert client.get(reverse("programmes:overview", args=[prog.pk]) + "?format=claim").status_code == 200
    assert prog.name in client.get(reverse("programmes:list")).content.decode()


def test_other_municipality_and_plain_employee_get_404(world, prog, login):
    for persona in ("other_municipality_admin", "employee"):
        client = login(world.user(persona))
        assert client.get(reverse("programmes:overview", args=[prog.pk])).status_code == 404
        assert client.get(reverse("programmes:applications", args=[prog.pk])).status_code == 404


def test_placement_form_refuses_dates_outside_employment(world, prog, login):
    client = login(world.user("hr"))
    sub = Substitute.objects.get()
    emma = prog.participants.get(employee=world.employee)
    response = client.post(
        reverse("programmes:placement_create", args=[prog.pk]),
        {
            "substitute": sub.pk,
            "participants": [emma.pk],
            "starts_on": "2015-04-27",
            "ends_on": "2015-05-15",
            "hours_per_week": "20",
        },
    )
    assert response.status_code == 400
    assert (
        "uden for vikarens ansættelse" in response.content.decode()
        or "outside the substitute" in response.content.decode()
    )
    assert Placement.objects.count() == 1


def test_application_created_and_moved_through_the_pages(world, prog, login):
    client = login(world.user("coordinator"))
    fund = scheme(SchemeKind.KOMPETENCEFOND)
    url = reverse("programmes:applications", args=[prog.pk])
    response = client.post(
        url,
        {
            "scheme": fund.pk,
            "title": "Diplommodul",
            "people": 1,
            "education_starts_on": "2027-03-01",
            "eligible_costs": "20000",
        },
    )
    assert response.status_code == 302
    app = Application.objects.get()
    move = reverse("programmes:application_move", args=[prog.pk, app.pk])
    client.post(move, {"status": "submitted", "on": "2027-03-01"})  # after the deadline: refused
    app.refresh_from_db()
    assert app.status == "draft"
    client.post(move, {"status": "submitted", "on": "2027-02-28"})
    app.refresh_from_db()
    assert app.status == "submitted"


def test_schemes_page_edit_only_for_platform_admin(world, login):
    client = login(world.user("platform_admin"))
    jr = scheme(SchemeKind.JOBROTATION)
    response = client.post(
        reverse("programmes:schemes"),
        {
            "scheme": jr.pk,
            "key": "hourly_rate",
            "value": "207.50",
            "valid_from": "2025-01-01",
            "valid_to": "2025-12-31",
            "source": "STAR 2025",
        },
    )
    assert response.status_code == 302
    assert SchemeParameter.objects.filter(scheme=jr, value=D("207.50")).exists()
    hr = login(world.user("hr"))
    assert hr.get(reverse("programmes:schemes")).status_code == 200
    response = hr.post(
        reverse("programmes:schemes"),
        {"scheme": jr.pk, "key": "hourly_rate", "value": "1", "valid_from": "2023-01-01", "source": "x"},
    )
    assert response.status_code == 403
