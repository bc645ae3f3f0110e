"""The administration pages as each persona: who may open them, what they change (through the
services), and that a municipality administrator never reaches beyond their municipality."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kapabel.assessments.models import AssessmentSettings
from kapabel.competences.starter import installed
from kapabel.core.models import AuditEvent, Municipality, Role, User
from kapabel.gaps.models import GapSettings
from kapabel.organisation.models import RoleAssignment
from tests.conftest import make_user

GOOD_PASSWORD = "Kompetence-Aarhus-2026"
HOME = reverse("administration:home")
USERS = reverse("administration:user_list")
NEW_USER = reverse("administration:user_create")
NEW_MUNICIPALITY = reverse("administration:municipality_create")
MUNICIPALITIES = reverse("administration:municipality_list")
STARTERS = reverse("administration:starters")


def switch(client, municipality):
    client.post(reverse("switch_municipality"), {"municipality": municipality.pk, "next": "/"})


def new_municipality(**extra):
    return {
        "name": "Aarhus Kommune",
        "kommunekode": "751",
        "starters": ["jobcenter"],
        "admin_username": "anna.aarhus",
        "admin_first_name": "Anna",
        "admin_last_name": "Holm",
        "admin_email": "anna@aarhus.dk",
        "admin_password": GOOD_PASSWORD,
        "admin_password2": GOOD_PASSWORD,
    } | extra


@pytest.mark.parametrize("persona", ["employee", "manager", "hr", "coordinator"])
def test_only_administrators_reach_the_administration(world, login, persona):
    client = login(world.user(persona))
    for url in (HOME, USERS, NEW_USER, STARTERS, NEW_MUNICIPALITY, MUNICIPALITIES):
        assert client.get(url).status_code == 403, url
    assert "/administration/" not in client.get("/").content.decode()  # nor in the menu


def test_the_hub_links_every_setting_of_the_administrators_municipality(world, login):
    body = login(world.user("admin")).get(HOME).content.decode()
    for url in (
        USERS,
        STARTERS,
        reverse("assessments:settings_edit", kwargs={"municipality_pk": world.a.pk}),
        reverse("gaps:settings_edit", kwargs={"municipality_pk": world.a.pk}),
        reverse("organisation:hr_import"),
    ):
        assert url in body, url
    assert NEW_MUNICIPALITY not in body  # not a platform administrator


def test_a_municipality_administrator_cannot_create_municipalities(world, login):
    client = login(world.user("admin"))
    assert client.get(NEW_MUNICIPALITY).status_code == 403
    assert client.post(NEW_MUNICIPALITY, new_municipality()).status_code == 403
    assert not Municipality.objects.filter(kommunekode="751").exists()


def test_the_platform_administrator_creates_a_municipality_and_then_works_in_it(world, login):
    client = login(world.user("platform_admin"))
    response = client.post(NEW_MUNICIPALITY, new_municipality())
    assert response.status_code == 302, response.context["form"].errors
    aarhus = Municipality.objects.get(kommunekode="751")
    assert installed(aarhus.pk) == {"jobcenter"}
    assert RoleAssignment.objects.filter(
        user__username="anna.aarhus", role=Role.MUNICIPALITY_ADMIN, municipality=aarhus
    ).exists()
    body = client.get(response["Location"]).content.decode()
    assert "Aarhus Kommune" in body and USERS in body  # the switcher moved to the new municipality


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"kommunekode": "75"}, "kommunekode"),
        ({"kommunekode": "101"}, "kommunekode"),  # Aby's
        ({"admin_password2": "something else"}, "admin_password2"),
        ({"admin_password": "123", "admin_password2": "123"}, "admin_password"),
        ({"admin_username": "admin"}, "admin_username"),  # exists, and a password was given
        ({"admin_username": "", "admin_email": "x@y.dk"}, "admin_username"),
    ],
)
def test_bad_municipality_input_comes_back_on_the_field_and_nothing_is_written(world, login, extra, field):
    client = login(world.user("platform_admin"))
    before = (Municipality.objects.count(), User.objects.count(), AuditEvent.objects.count())
    response = client.post(NEW_MUNICIPALITY, new_municipality(**extra))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert (Municipality.objects.count(), User.objects.count(), AuditEvent.objects.count()) == before
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_user_list_shows_the_municipalitys_logins_only(world, login, django_assert_max_num_queries):
    for index in range(30):
        user = make_user(f"many{index}")
        RoleAssignment.objects.create(user=user, role=Role.HR, municipality=world.a, unit=world.team1)
    client = login(world.user("admin"))
    with django_assert_max_num_queries(14):
        body = client.get(USERS).content.decode()
    assert "many29" in body and "employee" in body and "coordinator" in body
    assert "other_municipality_admin" not in body
    assert "many1" in client.get(USERS, {"q": "many1"}).content.decode()
    assert "coordinator" not in client.get(USERS, {"q": "many1"}).content.decode()


def test_an_administrator_creates_a_login_for_an_employee(world, login):
    world.outsider.employee_number = "4711"
    world.outsider.save()
    client = login(world.user("admin"))
    response = client.post(
        NEW_USER,
        {
            "username": "oskar",
            "first_name": "Oskar",
            "last_name": "Outsider",
            "email": "oskar@aby.dk",
            "password": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
            "employee_number": "4711",
            "role": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    world.outsider.refresh_from_db()
    assert world.outsider.user.username == "oskar"


def test_an_unknown_employee_number_is_a_field_error(world, login):
    client = login(world.user("admin"))
    response = client.post(
        NEW_USER,
        {"username": "x1", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "employee_number": "999"},
    )
    assert "employee_number" in response.context["form"].errors
    assert not User.objects.filter(username="x1").exists()


def test_the_employee_of_another_municipality_cannot_be_linked(world, login):
    world.b_employee.employee_number = "5555"
    world.b_employee.save()
    client = login(world.user("admin"))
    response = client.post(
        NEW_USER,
        {"username": "x2", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "employee_number": "5555"},
    )
    assert "employee_number" in response.context["form"].errors
    world.b_employee.refresh_from_db()
    assert world.b_employee.user_id is None


def test_grant_and_revoke_on_the_user_page(world, login):
    client = login(world.user("admin"))
    employee = world.user("employee")
    url = reverse("administration:user_detail", kwargs={"user_pk": employee.pk})
    page = client.get(url)
    assert [value for value, _label in page.context["form"].fields["role"].choices] == [
        "hr",
        "coordinator",
        "municipality_admin",
    ]  # never platform administrator
    response = client.post(url, {"role": "hr", "unit": world.centre1.pk})
    assert response.status_code == 302
    grant = RoleAssignment.objects.get(user=employee, role=Role.HR)
    assert grant.unit_id == world.centre1.pk
    revoke = reverse("administration:role_revoke", kwargs={"grant_pk": grant.pk})
    assert revoke in client.get(url).content.decode()
    assert client.get(revoke).status_code == 200  # asks first
    assert RoleAssignment.objects.filter(pk=grant.pk).exists()
    assert client.post(revoke).status_code == 302
    assert not RoleAssignment.objects.filter(pk=grant.pk).exists()


def test_an_administrator_cannot_grant_a_unit_of_another_municipality(world, login):
    client = login(world.user("admin"))
    url = reverse("administration:user_detail", kwargs={"user_pk": world.user("employee").pk})
    response = client.post(url, {"role": "hr", "unit": world.b_team.pk})
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert not RoleAssignment.objects.filter(user=world.user("employee")).exists()


def test_an_administrator_cannot_reach_the_logins_or_grants_of_another_municipality(world, login):
    client = login(world.user("admin"))
    other = world.user("other_municipality_admin")
    assert client.get(reverse("administration:user_detail", kwargs={"user_pk": other.pk})).status_code == 404
    assert (
        client.post(
            reverse("administration:user_detail", kwargs={"user_pk": other.pk}), {"role": "hr"}
        ).status_code
        == 404
    )
    grant = RoleAssignment.objects.get(user=other)
    revoke = reverse("administration:role_revoke", kwargs={"grant_pk": grant.pk})
    assert client.get(revoke).status_code == 404 and client.post(revoke).status_code == 404
    assert RoleAssignment.objects.filter(pk=grant.pk).exists()
    assert not RoleAssignment.objects.filter(municipality=world.b).exclude(pk=grant.pk).exists()


def test_an_administrator_is_told_they_cannot_remove_their_own_role(world, login):
    client = login(world.user("admin"))
    grant = RoleAssignment.objects.get(user=world.user("admin"))
    revoke = reverse("administration:role_revoke", kwargs={"grant_pk": grant.pk})
    assert 'type="submit"' not in client.get(revoke).content.decode().split("<main", 1)[1].split("</main>")[0]
    response = client.post(revoke, follow=True)
    assert RoleAssignment.objects.filter(pk=grant.pk).exists()
    assert (
        "own administrator role" in response.content.decode()
        or "egen administratorrolle" in response.content.decode()
    )


def test_starter_frameworks_can_be_added_later(world, login):
    client = login(world.user("admin"))
    response = client.post(STARTERS, {"starters": ["jobcenter"]})
    assert response.status_code == 302
    assert installed(world.a.pk) == {"jobcenter"}
    form = client.get(STARTERS).context["form"]
    assert [value for value, _label in form.fields["starters"].choices] == [
        "fremtidens_administrative_medarbejder"
    ]


# --- The settings pages the administration links to -----------------------------------------------


def test_the_source_order_is_an_ordered_choice_of_every_known_source(world, login):
    from kapabel.assessments.models import LEVEL_SOURCES

    client = login(world.user("admin"))
    url = reverse("assessments:settings_edit", kwargs={"municipality_pk": world.a.pk})
    order_form = client.get(url).context["order_form"]
    assert len(order_form.fields) == len(LEVEL_SOURCES)
    offered = {value for value, _label in order_form.fields["source_1"].choices if value}
    assert offered == {source.value for source in LEVEL_SOURCES}
    response = client.post(
        url,
        {"source_1": "manager", "source_2": "", "source_3": "self", "reminder_days_before_close": 4},
    )
    assert response.status_code == 302
    settings = AssessmentSettings.objects.get(municipality=world.a)
    assert settings.current_level_order == "manager,self" and settings.reminder_days_before_close == 4


def test_a_source_chosen_twice_is_a_field_error(world, login):
    client = login(world.user("admin"))
    url = reverse("assessments:settings_edit", kwargs={"municipality_pk": world.a.pk})
    response = client.post(
        url, {"source_1": "self", "source_2": "self", "source_3": "", "reminder_days_before_close": 3}
    )
    assert response.status_code == 200 and "source_2" in response.context["order_form"].errors
    assert not AssessmentSettings.objects.filter(municipality=world.a, current_level_order="self").exists()


def test_gap_settings_form_saves_through_the_service(world, login):
    client = login(world.user("admin"))
    url = reverse("gaps:settings_edit", kwargs={"municipality_pk": world.a.pk})
    assert client.get(url).status_code == 200
    leader = {"leader_influence": 30, "leader_future_share": 70}
    response = client.post(
        url,
        {
            "weight_essential": 5,
            "weight_important": 2,
            "weight_nice_to_have": 0,
            "min_group_size": 3,
            **leader,
        },
    )
    assert response.status_code == 302
    settings = GapSettings.objects.get(municipality=world.a)
    assert (settings.weight_essential, settings.min_group_size) == (5, 3)
    assert (settings.leader_influence, settings.leader_future_share) == (30, 70)
    assert AuditEvent.objects.filter(action="gaps.settings.updated", actor=world.user("admin")).exists()
    response = client.post(
        url,
        {
            "weight_essential": -1,
            "weight_important": 2,
            "weight_nice_to_have": 1,
            "min_group_size": 1,
            **leader,
        },
    )
    assert response.status_code == 200
    assert {"weight_essential", "min_group_size"} <= set(response.context["form"].errors)
    settings.refresh_from_db()
    assert (settings.weight_essential, settings.min_group_size) == (5, 3)


@pytest.mark.parametrize("persona", ["hr", "coordinator", "other_municipality_admin"])
def test_only_the_municipalitys_administrators_change_its_gap_settings(world, login, persona):
    client = login(world.user(persona))
    url = reverse("gaps:settings_edit", kwargs={"municipality_pk": world.a.pk})
    assert client.get(url).status_code in (403, 404)
    assert client.post(
        url, {"weight_essential": 9, "weight_important": 2, "weight_nice_to_have": 1, "min_group_size": 5}
    ).status_code in (403, 404)
    assert not GapSettings.objects.filter(municipality=world.a, weight_essential=9).exists()


def test_an_administrator_working_in_another_municipality_is_told_where_to_switch(world, login):
    user = make_user("admin_a_coordinator_b")
    RoleAssignment.objects.create(user=user, role=Role.MUNICIPALITY_ADMIN, municipality=world.a)
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, municipality=world.b)
    client = login(user)
    switch(client, world.b)
    response = client.get(HOME)
    assert response.status_code == 200 and "Bby Kommune" in response.content.decode()
    assert USERS not in response.content.decode()
    assert client.get(USERS).status_code == 403
    switch(client, world.a)
    assert USERS in client.get(HOME).content.decode()
