"""Local accounts beside single sign-on: the per-municipality switch for local passwords, and the
second factor (TOTP) for local administrator accounts."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapabel.core.models import AuditEvent
from kapabel.organisation.models import RoleAssignment
from kapabel.sso import services
from tests.conftest import PASSWORD
from tests.sso.test_saml import log_in as saml_log_in

pytestmark = pytest.mark.django_db


def password_login(client, user):
    return client.post("/account/login/", {"username": user.username, "password": PASSWORD})


# --- Local passwords per municipality -------------------------------------------------------------


def test_login_page_offers_each_active_provider(saml_provider, client):
    page = client.get("/account/login/?next=/organisation/units/")
    assert b"Log ind med Aby AD FS" in page.content
    assert b'href="/sso/login/aby-saml/?next=%2Forganisation%2Funits%2F"' in page.content
    saml_provider.active = False
    saml_provider.save()
    assert b"Aby AD FS" not in client.get("/account/login/").content


def test_local_passwords_switched_off_for_one_municipality(world, client):
    services.login_policy_set(municipality=world.a, local_login=False, actor="tests")
    for persona in ("employee", "admin", "hr"):
        response = password_login(client, world.user(persona))
        assert response.status_code == 200, persona
        assert b"logger ind med single sign-on" in response.content
        assert "_auth_user_id" not in client.session
    # The other municipality, and platform administrators (the way in to repair SSO), still may.
    assert password_login(client, world.user("other_municipality_admin")).status_code == 302
    client.logout()
    assert password_login(client, world.user("platform_admin")).status_code == 302
    client.logout()
    services.login_policy_set(municipality=world.a, local_login=True, actor="tests")
    assert password_login(client, world.user("employee")).status_code == 302
    assert AuditEvent.objects.filter(action="sso.login_policy.changed").count() == 2


def test_a_wrong_password_is_still_a_plain_failure_when_local_login_is_off(world, client):
    services.login_policy_set(municipality=world.a, local_login=False, actor="tests")
    response = client.post("/account/login/", {"username": "employee", "password": "wrong"})
    assert response.status_code == 200
    assert b"single sign-on" not in response.content  # says nothing about the account


# --- Second factor -----------------------------------------------------------------------------


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def test_administrators_set_up_and_then_use_a_second_factor_when_required(world, client, settings):
    settings.KAPABEL_ADMIN_TOTP_REQUIRED = True
    admin = world.user("admin")
    assert password_login(client, admin).status_code == 302
    # Every page leads to the set-up until it is done.
    response = client.get("/organisation/units/")
    assert response.status_code == 302
    assert response["Location"] == "/sso/second-factor/?next=%2Forganisation%2Funits%2F"
    page = client.get(response["Location"])
    assert (
        page.status_code == 200
        and b"<svg" in page.content
        and b"Ops\xc3\xa6t din anden faktor" in page.content
    )
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    wrong = client.post("/sso/second-factor/", {"token": "000000", "next": "/organisation/units/"})
    assert wrong.status_code == 200 and b"ikke rigtig" in wrong.content
    # django-otp slows down guessing: right after a wrong code even the right one waits (1 s, then 2 s …).
    slowed = client.post("/sso/second-factor/", {"token": code_for(device), "next": "/organisation/units/"})
    assert b"For mange forkerte koder" in slowed.content
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    done = client.post("/sso/second-factor/", {"token": code_for(device), "next": "/organisation/units/"})
    assert done.status_code == 302 and done["Location"] == "/organisation/units/"
    assert client.get("/organisation/units/").status_code == 200
    assert AuditEvent.objects.filter(action="sso.second_factor.set_up", actor=admin).exists()
    # Next login: the code is asked for (no new set-up).
    client.logout()
    password_login(client, admin)
    assert client.get("/").status_code == 302
    page = client.get("/sso/second-factor/")
    assert b"<svg" not in page.content and b"Anden faktor" in page.content
    device.refresh_from_db()
    assert device.confirmed
    ok = client.post("/sso/second-factor/", {"token": code_for(device, steps_ahead=1), "next": "/"})
    assert ok.status_code == 302 and client.get("/").status_code == 200


def test_a_used_code_cannot_be_used_again(world, client, settings):
    admin = world.user("admin")
    device = TOTPDevice.objects.create(user=admin, name="Kapabel", confirmed=True)
    password_login(client, admin)  # asked even when not required: the admin set one up
    code = code_for(device)
    assert client.post("/sso/second-factor/", {"token": code}).status_code == 302
    client.logout()
    password_login(client, admin)
    again = client.post("/sso/second-factor/", {"token": code})
    assert again.status_code == 200
    assert client.get("/").status_code == 302


def test_people_without_an_administrator_role_are_not_asked(world, client, settings):
    settings.KAPABEL_ADMIN_TOTP_REQUIRED = True
    password_login(client, world.user("employee"))
    assert client.get("/").status_code == 200


def test_single_sign_on_logins_are_not_asked_for_a_local_second_factor(
    saml_provider, saml_idp, client, world, settings
):
    settings.KAPABEL_ADMIN_TOTP_REQUIRED = True
    RoleAssignment.objects.create(
        user=world.user("employee"), role="municipality_admin", municipality=world.a
    )
    response, _ = saml_log_in(client, saml_idp, "emma")
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_second_factor_page_lets_one_log_out(world, client, settings):
    settings.KAPABEL_ADMIN_TOTP_REQUIRED = True
    password_login(client, world.user("admin"))
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
