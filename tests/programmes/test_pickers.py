"""The programme forms choose units and people with the organisation's pickers: a page never lists
everyone in the municipality (its size and queries do not grow with the staff), the people search
lists only what the field accepts, and a person picked through the picker's submitted value is saved."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapabel.organisation.models import Employee
from kapabel.programmes import services
from kapabel.programmes.models import Participant, SteeringMember
from tests.conftest import make_user

from .factories import SYSTEM, programme

pytestmark = pytest.mark.django_db

EXTRA = "Zenia Ekstra"


def _staff(world, start: int, stop: int) -> None:
    Employee.objects.bulk_create(
        Employee(
            municipality=world.a,
            external_id=f"X{n}",
            name=f"{EXTRA} {n:04d}",
            unit=world.team1,
            job_role=world.role_a,
        )
        for n in range(start, stop)
    )


def test_form_pages_do_not_grow_with_the_municipality(world, login):
    prog = programme(world)
    services.programme_set_target(programme=prog, units=[world.a_root], actor=SYSTEM)
    client = login(world.user("coordinator"))
    names = ("target", "participants", "edit")
    urls = [reverse(f"programmes:{name}", args=[prog.pk]) for name in names]

    def measure():
        result = {}
        for name, url in zip(names, urls, strict=True):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            page = response.content.decode()
            result[name] = (len(queries), len(page), page.count(EXTRA))
        return result

    _staff(world, 0, 30)
    few = measure()
    _staff(world, 30, 300)
    many = measure()
    for name in names:
        assert many[name][0] == few[name][0], name  # the same queries
        assert abs(many[name][1] - few[name][1]) < 100, name  # the same page, but for a count
        assert many[name][2] <= 20, name  # one page of results at most (names show twice: label, data)
    page = client.get(urls[0]).content.decode()
    assert f"{EXTRA} 0299" not in page and "304" in page


def test_people_are_picked_by_the_pickers_value_and_searched_in_what_the_field_accepts(world, login):
    prog = programme(world)
    services.programme_set_target(programme=prog, units=[world.centre1], actor=SYSTEM)
    client = login(world.user("hr"))  # HR for Forvaltning Et only
    pick = reverse("programmes:people_pick", args=[prog.pk])
    found = client.get(pick, {"list": "target", "name": "employees", "employees__q": "o"}).content.decode()
    assert "Carl Colleague" in found and "Oskar Outsider" not in found  # outside HR's part
    assert client.get(pick, {"list": "nobody", "name": "employees"}).status_code == 400
    # Without JavaScript the search button shows the form again with the results; nothing is saved.
    response = client.post(
        reverse("programmes:target", args=[prog.pk]), {"employees__search": "1", "employees__q": "Carl"}
    )
    assert response.status_code == 200 and "Carl Colleague" in response.content.decode()
    assert prog.target_lines.count() == 1
    # The picker submits the chosen people's ids under the field's name, the tree the unit ids.
    response = client.post(
        reverse("programmes:target", args=[prog.pk]),
        {"units": [world.team1.pk], "units__tree": "1", "employees": [world.colleague.pk]},
    )
    assert response.status_code == 302
    assert {(line.kind, line.unit_id or line.employee_id) for line in prog.target_lines.all()} == {
        ("unit", world.team1.pk),
        ("employee", world.colleague.pk),
    }
    # Participants: the search lists the target group's people not participating yet.
    found = client.get(pick, {"list": "participants", "name": "employees"}).content.decode()
    assert "Emma Employee" in found and "Carl Colleague" in found and "Mette Manager" not in found
    response = client.post(
        reverse("programmes:participants", args=[prog.pk]), {"employees": [world.colleague.pk]}
    )
    assert response.status_code == 302
    assert list(Participant.objects.values_list("employee", flat=True)) == [world.colleague.pk]
    response = client.post(
        reverse("programmes:participants", args=[prog.pk]), {"employees": [world.manager_employee.pk]}
    )
    assert response.status_code == 400  # not in the target group


def test_owner_and_steering_member_are_one_person_from_the_picker(world, login):
    prog = programme(world)
    client = login(world.user("coordinator"))
    data = {
        "name": "KAMBU",
        "status": "planned",
        "starts_on": "2015-01-01",
        "ends_on": "2016-06-30",
        "budget": "100000",
    }
    response = client.post(
        reverse("programmes:edit", args=[prog.pk]), {**data, "owner": [world.employee.pk, world.colleague.pk]}
    )
    body = response.content.decode()
    assert response.status_code == 400 and 'id="id_owner_error"' in body and "Vælg kun én person." in body
    response = client.post(
        reverse("programmes:edit", args=[prog.pk]), {**data, "owner": [world.colleague.pk]}
    )
    assert response.status_code == 302
    prog.refresh_from_db()
    assert prog.owner == world.colleague
    person = world.manager_employee
    found = client.get(
        reverse("programmes:people_pick", args=[prog.pk]),
        {"list": "steering", "name": "member-person", "member-person__q": person.name},
    ).content.decode()
    assert person.name in found
    response = client.post(
        reverse("programmes:steering_member_add", args=[prog.pk]),
        {"member-name": "Mette", "member-person": [person.pk]},
    )
    assert response.status_code == 302
    assert SteeringMember.objects.get(programme=prog).user_id == person.user_id


def test_steering_logins_are_only_people_the_user_sees(world, login):
    """Like every people picker, the steering group's login picker is intersected with the acting
    user's part of the municipality: HR of Forvaltning 1 neither finds nor saves a login in
    Forvaltning 2; the coordinator (all of the municipality) does."""
    from kapabel.organisation import services as org

    outsider_login = make_user("oskar")
    org.employee_link_user(employee=world.outsider, user=outsider_login, actor=SYSTEM)
    prog = programme(world)
    pick = reverse("programmes:people_pick", args=[prog.pk])
    query = {"list": "steering", "name": "member-person", "member-person__q": "Oskar"}
    add = reverse("programmes:steering_member_add", args=[prog.pk])
    posted = {"member-name": "Oskar", "member-person": [world.outsider.pk]}

    hr = login(world.user("hr"))
    assert "Oskar Outsider" not in hr.get(pick, query).content.decode()
    assert "Mette Manager" in hr.get(pick, {**query, "member-person__q": "Mette"}).content.decode()
    response = hr.post(add, posted)
    assert response.status_code == 400 and 'id="id_member-person_error"' in response.content.decode()
    assert not SteeringMember.objects.filter(programme=prog).exists()

    coordinator = login(world.user("coordinator"))
    assert "Oskar Outsider" in coordinator.get(pick, query).content.decode()
    assert coordinator.post(add, posted).status_code == 302
    assert SteeringMember.objects.get(programme=prog).user == outsider_login
