"""Setting up a municipality, logins and role grants: the services behind the page, the API and the
command line. Bad input is refused with a message on the field, and nothing is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kapabel.administration import services
from kapabel.competences.models import Framework, FrameworkVersion
from kapabel.competences.starter import STARTERS, installed
from kapabel.core.models import AuditEvent, Municipality, Role, User
from kapabel.organisation import services as org_services
from kapabel.organisation.models import RoleAssignment

GOOD_PASSWORD = "Kompetence-Aarhus-2026"


def counts() -> tuple[int, ...]:
    return (
        Municipality.objects.count(),
        Framework.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        AuditEvent.objects.count(),
    )


def test_setup_creates_the_municipality_its_starters_and_its_administrator(world):
    actor = world.user("platform_admin")
    municipality = services.municipality_setup(
        name=" Aarhus Kommune ",
        kommunekode="751",
        starters=["jobcenter"],
        administrator=services.FirstAdministrator(
            username="anna.aarhus",
            first_name="Anna",
            last_name="Holm",
            email="anna@aarhus.dk",
            password=GOOD_PASSWORD,
        ),
        actor=actor,
    )
    assert municipality.name == "Aarhus Kommune" and municipality.kommunekode == "751"
    assert installed(municipality.pk) == {"jobcenter"}
    version = FrameworkVersion.objects.get(framework__municipality=municipality)
    assert version.status == "published"
    anna = User.objects.get(username="anna.aarhus")
    assert anna.check_password(GOOD_PASSWORD)
    assert RoleAssignment.objects.filter(
        user=anna, role=Role.MUNICIPALITY_ADMIN, municipality=municipality, unit=None
    ).exists()
    actions = set(AuditEvent.objects.filter(municipality=municipality).values_list("action", flat=True))
    assert {"organisation.municipality.created", "core.user.created", "core.role.granted"} <= actions


def test_setup_makes_an_existing_user_the_administrator_when_no_password_is_given(world):
    municipality = services.municipality_setup(
        name="Odense Kommune",
        kommunekode="461",
        administrator=services.FirstAdministrator(username="COORDINATOR"),  # any case
        actor=world.user("platform_admin"),
    )
    assert RoleAssignment.objects.filter(
        user=world.user("coordinator"), role=Role.MUNICIPALITY_ADMIN, municipality=municipality
    ).exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"kommunekode": "75"}, "kommunekode", "three digits"),
        ({"kommunekode": "7510"}, "kommunekode", "three digits"),
        ({"kommunekode": "abc"}, "kommunekode", "three digits"),
        ({"kommunekode": "101"}, "kommunekode", "Aby Kommune"),  # taken, and says by whom
        ({"name": "  "}, "name", "blank"),
        ({"cvr": "12"}, "cvr", "eight digits"),
        ({"starters": ["no-such-framework"]}, "starters", "no-such-framework"),
        (
            {"administrator": services.FirstAdministrator(username="new.person")},
            "administrator.password",
            "password",
        ),
        (
            {"administrator": services.FirstAdministrator(username="new.person", password="12345")},
            "administrator.password",
            "short",
        ),
        (
            {"administrator": services.FirstAdministrator(username="admin", password=GOOD_PASSWORD)},
            "administrator.username",
            "already a user named admin",
        ),
        (
            {"administrator": services.FirstAdministrator(username="bad name!", password=GOOD_PASSWORD)},
            "administrator.username",
            "valid username",
        ),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(world, kwargs, field, words):
    before = counts()
    arguments = {"name": "Aarhus Kommune", "kommunekode": "751", "starters": list(STARTERS)} | kwargs
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.municipality_setup(actor=world.user("platform_admin"), **arguments)
    messages = caught.value.message_dict
    assert field in messages, messages
    assert words.lower() in " ".join(messages[field]).lower(), messages
    assert counts() == before


def test_all_problems_are_reported_at_once(world):
    with pytest.raises(ValidationError) as caught:
        services.municipality_setup(
            name="",
            kommunekode="1",
            starters=["nope"],
            administrator=services.FirstAdministrator(username="x", password="1"),
            actor="tests",
        )
    assert {"name", "kommunekode", "starters", "administrator.password"} <= set(caught.value.message_dict)


def test_a_municipality_administrator_cannot_create_municipalities(world):
    before = counts()
    with pytest.raises(PermissionDenied):
        services.municipality_setup(name="Aarhus Kommune", kommunekode="751", actor=world.user("admin"))
    assert counts() == before


def test_a_lost_race_for_the_code_is_a_message_not_an_integrity_error(world, monkeypatch):
    """Two requests pass the check for a free code; the second one's INSERT fails on the unique
    index. That ends as the same message on the field, with nothing written."""
    import kapabel.organisation.services as org

    checks = iter([None])
    real = org._code_taken
    monkeypatch.setattr(org, "_code_taken", lambda code: next(checks, None) or real(code))
    with pytest.raises(ValidationError) as caught:
        org.municipality_create(name="Dublet", kommunekode="101", actor="tests")
    assert "Aby Kommune" in " ".join(caught.value.message_dict["kommunekode"])
    assert Municipality.objects.filter(kommunekode="101").count() == 1


def test_starters_install_refuses_what_the_municipality_has(world):
    admin = world.user("admin")
    assert services.starters_install(municipality=world.a, names=["jobcenter"], actor=admin) == 1
    with pytest.raises(ValidationError) as caught:
        services.starters_install(municipality=world.a, names=["jobcenter"], actor=admin)
    assert "Jobcenter" in caught.value.message_dict["starters"][0]
    with pytest.raises(PermissionDenied):
        services.starters_install(
            municipality=world.a, names=[STARTERS[0]], actor=world.user("other_municipality_admin")
        )
    assert installed(world.a.pk) == {"jobcenter"}


# --- Logins and roles -----------------------------------------------------------------------------


def test_user_create_links_the_employee_and_grants_the_role(world):
    account = org_services.user_create(
        municipality=world.a,
        username="emil",
        password=GOOD_PASSWORD,
        employee=world.outsider,
        role=Role.HR,
        unit=world.forvaltning2,
        actor=world.user("admin"),
    )
    world.outsider.refresh_from_db()
    assert world.outsider.user_id == account.pk
    assert RoleAssignment.objects.get(user=account).unit_id == world.forvaltning2.pk


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"username": "ADMIN"}, "username"),  # taken, whatever the case
        ({"employee": None, "role": None}, "role"),  # would belong to no municipality
        ({"password": "kapabel"}, "password"),
        ({"email": "not an address"}, "email"),
    ],
)
def test_user_create_refuses_bad_input_and_writes_nothing(world, kwargs, field):
    before = counts()
    arguments = {
        "municipality": world.a,
        "username": "emil",
        "password": GOOD_PASSWORD,
        "employee": world.outsider,
        "role": Role.HR,
    } | kwargs
    with pytest.raises(ValidationError) as caught:
        org_services.user_create(actor=world.user("admin"), **arguments)
    assert field in caught.value.message_dict
    assert counts() == before


def test_user_create_refuses_an_employee_of_another_municipality_or_with_a_login(world):
    for employee in (world.b_employee, world.employee):
        with pytest.raises(ValidationError) as caught:
            org_services.user_create(
                municipality=world.a, username="x.y", password=GOOD_PASSWORD, employee=employee, actor="tests"
            )
        assert "employee" in caught.value.message_dict


def test_an_administrator_cannot_grant_in_another_municipality(world):
    with pytest.raises(PermissionDenied):
        org_services.role_grant(
            user=world.user("employee"), role=Role.HR, municipality=world.b, actor=world.user("admin")
        )
    with pytest.raises(PermissionDenied):  # nor over a unit of it
        org_services.role_grant(
            user=world.user("employee"),
            role=Role.HR,
            municipality=world.b,
            unit=world.b_team,
            actor=world.user("admin"),
        )
    assert not RoleAssignment.objects.filter(user=world.user("employee")).exists()


def test_an_administrator_cannot_make_anyone_platform_administrator(world):
    with pytest.raises(PermissionDenied):
        org_services.role_grant(user=world.user("hr"), role=Role.PLATFORM_ADMIN, actor=world.user("admin"))
    assert not RoleAssignment.objects.filter(user=world.user("hr"), role=Role.PLATFORM_ADMIN).exists()


def test_non_administrators_cannot_grant_at_all(world):
    for persona in ("hr", "coordinator", "manager", "employee"):
        with pytest.raises(PermissionDenied):
            org_services.role_grant(
                user=world.user("employee"), role=Role.HR, municipality=world.a, actor=world.user(persona)
            )


def test_an_administrator_grants_and_revokes_within_the_municipality_with_audit(world):
    admin = world.user("admin")
    grant = org_services.role_grant(
        user=world.user("employee"),
        role=Role.COORDINATOR,
        municipality=world.a,
        unit=world.centre1,
        actor=admin,
    )
    org_services.role_revoke(assignment=grant, actor=admin)
    events = AuditEvent.objects.filter(actor=admin, object_type="organisation.roleassignment")
    assert set(events.values_list("action", flat=True)) == {"core.role.granted", "core.role.revoked"}
    assert not RoleAssignment.objects.filter(pk=grant.pk).exists()


def test_nobody_takes_away_their_own_administrator_role(world):
    grant = RoleAssignment.objects.get(user=world.user("admin"), role=Role.MUNICIPALITY_ADMIN)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        org_services.role_revoke(assignment=grant, actor=world.user("admin"))
    assert "own administrator role" in caught.value.messages[0]
    assert RoleAssignment.objects.filter(pk=grant.pk).exists()


def test_an_administrator_cannot_revoke_in_another_municipality(world):
    grant = RoleAssignment.objects.get(user=world.user("other_municipality_admin"))
    with pytest.raises(PermissionDenied):
        org_services.role_revoke(assignment=grant, actor=world.user("admin"))
    assert RoleAssignment.objects.filter(pk=grant.pk).exists()


def test_a_municipality_administrator_role_has_no_unit(world):
    with pytest.raises(ValidationError) as caught:
        org_services.role_grant(
            user=world.user("hr"),
            role=Role.MUNICIPALITY_ADMIN,
            municipality=world.a,
            unit=world.team1,
            actor=world.user("admin"),
        )
    assert "unit" in caught.value.message_dict
