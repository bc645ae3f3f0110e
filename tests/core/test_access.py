"""What each persona may see, straight from the access layer."""

import pytest

from kapabel.core.access import scope_for
from kapabel.core.models import Role
from kapabel.organisation import selectors

ALL_A = {"Emma Employee", "Carl Colleague", "Mette Manager", "Oskar Outsider"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("employee", {"Emma Employee"}),
        ("manager", {"Emma Employee", "Carl Colleague", "Mette Manager"}),
        ("hr", {"Emma Employee", "Carl Colleague", "Mette Manager"}),
        ("coordinator", ALL_A),
        ("admin", ALL_A),
        ("platform_admin", ALL_A | {"Bente Bby"}),
        ("other_municipality_admin", {"Bente Bby"}),
    ],
)
def test_visible_employees(world, persona, expected):
    names = set(selectors.employees_for_user(world.user(persona)).values_list("name", flat=True))
    assert names == expected


def test_roles_follow_from_grants_and_organisation(world):
    assert scope_for(world.user("manager")).roles == {Role.EMPLOYEE, Role.MANAGER}
    assert scope_for(world.user("hr")).roles == {Role.HR}
    assert scope_for(world.user("platform_admin")).is_platform_admin


def test_a_person_can_hold_several_roles(world):
    from kapabel.organisation.services import role_grant

    manager = world.user("manager")
    role_grant(user=manager, role=Role.HR, municipality=world.a, unit=world.forvaltning2, actor="t")
    names = set(selectors.employees_for_user(manager).values_list("name", flat=True))
    assert names == ALL_A
    assert scope_for(manager).roles == {Role.EMPLOYEE, Role.MANAGER, Role.HR}


def test_inactive_user_sees_nothing(world):
    user = world.user("admin")
    user.is_active = False
    user.save()
    assert not selectors.employees_for_user(user).exists()


def test_scope_is_resolved_once_per_request(world, django_assert_num_queries):
    user = world.user("manager")
    scope_for(user)
    with django_assert_num_queries(0):
        scope_for(user)
