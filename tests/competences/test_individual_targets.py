"""Who may set a person's individual target (issue 10 #2): the person's managers, HR whose grant
covers the person, municipality and platform administrators — not coordinators, not oneself."""

from __future__ import annotations

import pytest

from kapabel.competences import permissions
from kapabel.competences.models import IndividualTarget
from kapabel.core.models import Role
from kapabel.organisation.models import RoleAssignment
from tests.competences.factories import make_framework
from tests.conftest import make_user

URL = "/api/v1/individual-targets"


@pytest.fixture
def competence(world):
    _framework, _version, _area, items = make_framework(world.a, publish=True)
    return items[0]


def _post(client, employee, competence):
    return client.post(
        URL,
        {"employee_id": employee.pk, "competence_id": competence.pk, "target_level": 3},
        content_type="application/json",
    )


@pytest.mark.parametrize(
    "persona, person, status",
    [
        ("coordinator", "employee", 403),  # reads everyone in A, decides nobody's goals
        ("coordinator", "outsider", 403),
        ("manager", "employee", 201),  # leads Centre 1, above Team 1
        ("manager", "colleague", 201),
        ("manager", "manager_employee", 403),  # not their own target
        ("manager", "outsider", 404),
        ("hr", "colleague", 201),  # granted the Forvaltning 1 subtree
        ("hr", "outsider", 404),  # Forvaltning 2: not covered, not even visible
        ("admin", "outsider", 201),
        ("platform_admin", "outsider", 201),
        ("other_municipality_admin", "employee", 404),
        ("employee", "employee", 403),
    ],
)
def test_api_set_individual_target(world, competence, login, persona, person, status):
    employee = getattr(world, person)
    response = _post(login(world.user(persona)), employee, competence)
    assert response.status_code == status, response.content
    written = IndividualTarget.objects.filter(employee=employee, competence=competence).exists()
    assert written == (status == 201)


def test_hr_who_also_reads_everyone_may_still_only_set_targets_in_their_subtree(world, competence, login):
    """Visibility is not the rule: a coordinator of A who is HR for Forvaltning 1 sees the outsider
    in Forvaltning 2 but may not set their target."""
    user = make_user("hr_and_coordinator")
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, municipality=world.a)
    RoleAssignment.objects.create(user=user, role=Role.HR, municipality=world.a, unit=world.forvaltning1)
    client = login(user)
    assert _post(client, world.outsider, competence).status_code == 403
    assert _post(client, world.employee, competence).status_code == 201
    assert not IndividualTarget.objects.filter(employee=world.outsider).exists()


def test_can_set_individual_target_rule(world):
    rule = permissions.can_set_individual_target
    assert not rule(world.user("coordinator"), world.employee)
    assert rule(world.user("manager"), world.employee) and not rule(world.user("manager"), world.outsider)
    assert not rule(world.user("manager"), world.manager_employee)
    assert rule(world.user("hr"), world.colleague) and not rule(world.user("hr"), world.outsider)
    assert rule(world.user("admin"), world.outsider) and not rule(world.user("admin"), world.b_employee)
    assert rule(world.user("other_municipality_admin"), world.b_employee)
    assert rule(world.user("platform_admin"), world.b_employee)
    assert not rule(world.user("employee"), world.employee)
