"""The programme forms: create and edit a programme with partners and steering group, its target group
(limited to what the acting user sees), phases, participants with a status per phase, hourly costs —
through the services; bad input is shown on the field and nothing is written; who may do what."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from kapabel.core.models import Role
from kapabel.organisation.models import RoleAssignment
from kapabel.programmes import services
from kapabel.programmes.models import (
    HourlyCost,
    Participant,
    ParticipantPhase,
    Partner,
    Phase,
    Programme,
    SteeringMember,
    TargetLine,
)

from .factories import SYSTEM, full_week, past_cohort, programme

d = datetime.date
pytestmark = pytest.mark.django_db


def test_coordinator_creates_and_edits_a_programme(world, login):
    client = login(world.user("coordinator"))
    assert "/programmes/new/" in client.get(reverse("programmes:list")).content.decode()
    response = client.post(
        reverse("programmes:create"),
        {
            "name": "KAMBU 3",
            "purpose": "Kompetenceløft",
            "owner": world.manager_employee.pk,
            "owner_unit": world.centre1.pk,
            "status": "planned",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "budget": "250000",
        },
    )
    prog = Programme.objects.get(name="KAMBU 3")
    assert response.status_code == 302 and response["Location"] == reverse("programmes:edit", args=[prog.pk])
    assert prog.municipality == world.a and prog.owner == world.manager_employee and prog.budget == D(250000)
    response = client.post(
        reverse("programmes:edit", args=[prog.pk]),
        {
            "name": "KAMBU 3.0",
            "status": "running",
            "starts_on": "2027-01-01",
            "ends_on": "2027-06-30",
            "budget": "1",
        },
    )
    assert response.status_code == 302
    prog.refresh_from_db()
    assert (prog.name, prog.status, prog.ends_on, prog.owner) == (
        "KAMBU 3.0",
        "running",
        d(2027, 6, 30),
        None,
    )
    client.post(
        reverse("programmes:partner_add", args=[prog.pk]), {"partner-name": "VIA", "partner-kind": "provider"}
    )
    client.post(
        reverse("programmes:steering_member_add", args=[prog.pk]),
        {"member-name": "Mette", "member-title": "Centerchef", "member-person": world.manager_employee.pk},
    )
    assert [(p.name, p.kind) for p in Partner.objects.filter(programme=prog)] == [("VIA", "provider")]
    member = SteeringMember.objects.get(programme=prog)
    assert member.user == world.user("manager") and member.title == "Centerchef"
    page = client.get(reverse("programmes:edit", args=[prog.pk])).content.decode()
    assert "VIA" in page and "Centerchef" in page
    assert 'value="2027-01-01"' in page  # the date pickers show the stored dates (ISO, any language)


def test_bad_input_is_shown_on_the_field_and_nothing_is_written(world, login):
    client = login(world.user("coordinator"))
    response = client.post(
        reverse("programmes:create"),
        {
            "name": "Baglæns",
            "status": "planned",
            "starts_on": "2027-02-01",
            "ends_on": "2027-01-01",
            "budget": "0",
        },
    )
    assert response.status_code == 400
    assert 'id="id_ends_on_error"' in response.content.decode()
    assert not Programme.objects.exists()
    prog = programme(world)
    response = client.post(
        reverse("programmes:phase_create", args=[prog.pk]),
        {"name": "Fase", "kind": "course", "starts_on": "2015-03-01", "ends_on": "2015-02-01"},
    )
    assert response.status_code == 400 and 'id="id_ends_on_error"' in response.content.decode()
    assert not Phase.objects.exists()
    response = client.post(
        reverse("programmes:hourly_costs"),
        {
            "job_role": world.role_b.pk,
            "hourly_cost": "300",
            "valid_from": "2015-01-01",
        },  # another municipality
    )
    assert response.status_code == 400 and 'id="id_job_role_error"' in response.content.decode()
    assert not HourlyCost.objects.exists()


def test_target_group_is_limited_to_what_the_user_sees_and_keeps_the_rest(world, login):
    prog = programme(world)
    services.programme_set_target(
        programme=prog, employees=[world.outsider], actor=SYSTEM
    )  # in Forvaltning To
    client = login(world.user("hr"))  # HR for Forvaltning Et only
    page = client.get(reverse("programmes:target", args=[prog.pk])).content.decode()
    assert "Emma Employee" in page and "Oskar Outsider" not in page and "Team Gamma" not in page
    response = client.post(
        reverse("programmes:target", args=[prog.pk]), {"employees": [world.outsider.pk]}
    )  # not offered to this user
    assert response.status_code == 400
    response = client.post(
        reverse("programmes:target", args=[prog.pk]),
        {"units": [world.team1.pk], "job_roles": [world.role_a.pk], "employees": [world.colleague.pk]},
    )
    assert response.status_code == 302
    lines = {
        (line.kind, line.unit_id or line.job_role_id or line.employee_id) for line in prog.target_lines.all()
    }
    assert lines == {
        ("unit", world.team1.pk),
        ("job_role", world.role_a.pk),
        ("employee", world.colleague.pk),
        ("employee", world.outsider.pk),  # outside HR's part: kept
    }


def test_phases_participants_and_statuses(world, login):
    prog = programme(world)
    services.programme_set_target(programme=prog, units=[world.centre1], actor=SYSTEM)
    cohort = past_cohort(world.a, full_week(d(2015, 3, 2)), [world.employee])
    client = login(world.user("coordinator"))
    response = client.post(
        reverse("programmes:phase_create", args=[prog.pk]),
        {
            "name": "Kursus",
            "kind": "course",
            "starts_on": "2015-03-02",
            "ends_on": "2015-03-06",
            "cohorts": [cohort.pk],
        },
    )
    assert response.status_code == 302
    phase = Phase.objects.get()
    assert list(phase.cohorts.all()) == [cohort] and phase.position == 1
    response = client.post(
        reverse("programmes:phase_edit", args=[prog.pk, phase.pk]),
        {"name": "Kursus 1", "kind": "education", "starts_on": "2015-03-02", "ends_on": "2015-03-13"},
    )
    assert response.status_code == 302
    phase.refresh_from_db()
    assert (phase.name, phase.kind, phase.ends_on, phase.cohorts.count()) == (
        "Kursus 1",
        "education",
        d(2015, 3, 13),
        0,
    )
    # Bulk: everyone in the target group (Center Et and below: Emma, Carl, Mette), into the phase.
    page = client.get(reverse("programmes:participants", args=[prog.pk])).content.decode()
    assert "Oskar Outsider" not in page and "Mette Manager" in page
    response = client.post(
        reverse("programmes:participants", args=[prog.pk]), {"everyone": "on", "phases": [phase.pk]}
    )
    assert response.status_code == 302
    assert set(Participant.objects.values_list("employee__name", flat=True)) == {
        "Emma Employee",
        "Carl Colleague",
        "Mette Manager",
    }
    assert ParticipantPhase.objects.filter(phase=phase, status="selected").count() == 3
    emma = Participant.objects.get(employee=world.employee)
    response = client.post(
        reverse("programmes:participant_statuses", args=[prog.pk]),
        {f"status-{emma.pk}-{phase.pk}": "enrolled"},
    )
    assert response.status_code == 302
    assert ParticipantPhase.objects.get(participant=emma).status == "enrolled"
    assert ParticipantPhase.objects.filter(status="selected").count() == 2
    # Nobody chosen: an error on the field, nobody added.
    response = client.post(reverse("programmes:participants", args=[prog.pk]), {})
    assert response.status_code == 400 and 'id="id_employees_error"' in response.content.decode()


def test_hourly_costs_entered_per_job_role(world, login):
    client = login(world.user("hr"))
    response = client.post(
        reverse("programmes:hourly_costs"),
        {"job_role": world.role_a.pk, "hourly_cost": "312.50", "valid_from": "2015-01-01"},
    )
    assert response.status_code == 302
    row = HourlyCost.objects.get()
    assert (row.job_role, row.hourly_cost, row.municipality) == (world.role_a, D("312.50"), world.a)
    page = client.get(reverse("programmes:hourly_costs"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "312,50" in page and "1. januar 2015" in page
    assert 'for="id_job_role">Stilling' in page  # the label is translated


def edit_urls(prog, phase):
    return [
        reverse("programmes:edit", args=[prog.pk]),
        reverse("programmes:target", args=[prog.pk]),
        reverse("programmes:phase_create", args=[prog.pk]),
        reverse("programmes:phase_edit", args=[prog.pk, phase.pk]),
        reverse("programmes:participants", args=[prog.pk]),
    ]


def test_who_may_edit(world, login, client):
    prog = programme(world)
    phase = services.phase_create(
        programme=prog, name="F", starts_on=d(2015, 1, 5), ends_on=d(2015, 1, 9), actor=SYSTEM
    )
    services.steering_member_add(programme=prog, name="Styregruppe", user=world.user("manager"), actor=SYSTEM)
    for persona in ("employee", "other_municipality_admin"):
        login(world.user(persona))
        for url in edit_urls(prog, phase):
            assert client.get(url).status_code == 404, (persona, url)
            assert client.post(url, {"name": "x"}).status_code == 404, (persona, url)
    login(world.user("employee"))
    assert client.get(reverse("programmes:create")).status_code == 403
    assert client.get(reverse("programmes:hourly_costs")).status_code == 403
    login(world.user("manager"))  # in the steering group: figures, no edits
    for url in edit_urls(prog, phase):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("programmes:partner_add", args=[prog.pk]), {"partner-name": "X"}).status_code
        == 403
    )
    assert client.get(reverse("programmes:create")).status_code == 403
    overview = client.get(reverse("programmes:overview", args=[prog.pk])).content.decode()
    assert reverse("programmes:edit", args=[prog.pk]) not in overview
    assert Programme.objects.get().name == "KAMBU" and not Partner.objects.exists()


def test_steering_member_without_a_role_finds_the_menu_entry(world, login):
    from tests.conftest import make_user

    outsider_user = make_user("styregruppe")
    client = login(outsider_user)
    home = client.get("/").content.decode()
    assert 'href="/programmes/"' not in home
    prog = programme(world)
    services.steering_member_add(programme=prog, name="Ekstern", user=outsider_user, actor=SYSTEM)
    home = client.get("/").content.decode()
    assert 'href="/programmes/"' in home
    assert prog.name in client.get(reverse("programmes:list")).content.decode()
    assert client.get(reverse("programmes:overview", args=[prog.pk])).status_code == 200
    assert client.get(reverse("programmes:participants", args=[prog.pk])).status_code == 403
    assert not RoleAssignment.objects.filter(user=outsider_user).exists()
    assert Role.COORDINATOR  # the roles that edit are not involved


def test_overview_links_the_forms_for_managers(world, login):
    prog = programme(world)
    page = (
        login(world.user("coordinator")).get(reverse("programmes:overview", args=[prog.pk])).content.decode()
    )
    for name in ("edit", "phase_create", "participants", "target"):
        assert reverse(f"programmes:{name}", args=[prog.pk]) in page
    assert TargetLine.objects.count() == 0


def test_partners_and_members_removed(world, login, client):
    prog = programme(world)
    partner = services.partner_add(programme=prog, name="HK Kommunal", kind="union", actor=SYSTEM)
    member = services.steering_member_add(programme=prog, name="M", user=world.user("manager"), actor=SYSTEM)
    remove_partner = reverse("programmes:partner_remove", args=[prog.pk, partner.pk])
    remove_member = reverse("programmes:steering_member_remove", args=[prog.pk, member.pk])
    login(world.user("manager"))  # a steering member may not
    assert client.post(remove_partner).status_code == 403
    login(world.user("coordinator"))
    assert client.get(remove_partner).status_code == 405
    assert client.post(remove_partner).status_code == 302
    assert client.post(remove_member).status_code == 302
    assert not Partner.objects.exists() and not SteeringMember.objects.exists()
    login(world.user("manager"))  # no longer in the steering group: the programme is gone for them
    assert client.get(reverse("programmes:overview", args=[prog.pk])).status_code == 404


def test_form_pages_do_not_query_per_row(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prog = programme(world)
    services.programme_set_target(programme=prog, units=[world.a_root], actor=SYSTEM)
    phases = [
        services.phase_create(
            programme=prog, name=f"F{n}", starts_on=d(2015, 1, 5), ends_on=d(2015, 1, 9), actor=SYSTEM
        )
        for n in range(2)
    ]
    client = login(world.user("coordinator"))
    urls = [reverse(f"programmes:{name}", args=[prog.pk]) for name in ("participants", "target", "edit")]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    services.participants_add(programme=prog, employees=[world.employee], phases=phases, actor=SYSTEM)
    few = counts()
    services.participants_add(
        programme=prog,
        employees=[world.colleague, world.manager_employee],
        phases=phases,
        actor=SYSTEM,
    )
    assert counts() == few  # 1 and 3 participants (and a candidate left to add): the same queries


def test_hr_over_a_unit_keeps_an_owner_outside_it(world, login):
    prog = programme(world, owner=world.outsider, owner_unit=world.team3)  # Forvaltning To
    client = login(world.user("hr"))  # HR for Forvaltning Et
    page = client.get(reverse("programmes:edit", args=[prog.pk])).content.decode()
    assert "Oskar Outsider" in page  # the current owner stays a choice
    assert "Team Gamma" in page
    new = client.get(reverse("programmes:create")).content.decode()
    assert "Oskar Outsider" not in new and "Team Gamma" not in new  # not offered otherwise
    response = client.post(
        reverse("programmes:edit", args=[prog.pk]),
        {
            "name": "KAMBU",
            "status": "planned",
            "owner": world.outsider.pk,
            "owner_unit": world.team3.pk,
            "starts_on": "2015-01-01",
            "ends_on": "2016-06-30",
            "budget": "100000",
        },
    )
    assert response.status_code == 302
    prog.refresh_from_db()
    assert (prog.owner, prog.owner_unit, prog.ends_on) == (world.outsider, world.team3, d(2016, 6, 30))
