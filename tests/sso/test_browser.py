"""Single sign-on in Chromium: a person presses their municipality's button on the login page, logs in
at the identity provider (the suite's SAML IdP, or the OpenID provider), and lands in Kapabel with
the roles the provider maps to; the SSO pages pass axe (WCAG 2.1 AA)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urljoin

import pytest

from kapabel.organisation.models import RoleAssignment
from kapabel.sso import keys, saml, services
from kapabel.sso.models import OIOSAML3_PRIVILEGES_ATTRIBUTE, IdentityProvider
from tests.browser.test_accessibility import check_page
from tests.conftest import PASSWORD
from tests.sso.conftest import oidc_provider_for
from tests.sso.saml_idp import EMAIL, FULL_NAME, HR_PRIVILEGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("KAPABEL_SCREENSHOTS")


def shot(page, name: str) -> None:
    """Screenshots at desktop and phone width when KAPABEL_SCREENSHOTS names a folder."""
    if not SCREENSHOTS:
        return
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def live_saml_provider(world, saml_idp, live_server, settings):
    settings.KAPABEL_SSO_BASE_URL = live_server.url
    provider = services.provider_create(
        actor="tests",
        municipality=world.a,
        name="Aby AD FS",
        slug="aby-saml",
        protocol=IdentityProvider.Protocol.SAML,
        saml_metadata=saml_idp.metadata,
        match_attribute=EMAIL,
        match_field=IdentityProvider.MatchField.EMAIL,
        name_attribute=FULL_NAME,
        email_attribute=EMAIL,
        roles_attribute=OIOSAML3_PRIVILEGES_ATTRIBUTE,
        roles_format=IdentityProvider.RolesFormat.OIOSAML_BPP,
    )
    services.role_mapping_add(provider=provider, value=HR_PRIVILEGE, role="hr", unit=None, actor="tests")
    saml_idp.trust(saml.sp_metadata(live_server.url), Path(keys.encryption_pair().cert_file).read_text())
    return provider


def test_saml_login_and_single_logout_in_chromium(world, live_saml_provider, saml_idp, live_server, page):
    page.goto(urljoin(live_server.url, "/account/login/"))
    assert not check_page(page, "/account/login/")
    shot(page, "sso-login")
    page.click("text=Log ind med Aby AD FS")
    page.wait_for_url(saml_idp.base + "/sso?*")  # the IdP verified our signed request
    page.fill("#login", "carl")
    page.click("button[type=submit]")
    # The IdP posts the response cross-site (no session cookie), Kapabel posts it on, logs Carl in.
    page.wait_for_url(live_server.url + "/")
    assert "Carl Colleague" in page.inner_text("header")
    carl = world.colleague.__class__.objects.get(pk=world.colleague.pk).user
    assert [(g.role, g.unit_id) for g in RoleAssignment.objects.filter(user=carl)] == [
        ("hr", world.forvaltning1.pk)
    ]
    page.click("header .portal-user button:has-text('Log af')")
    page.wait_for_url(live_server.url + "/account/login/")  # via the IdP's logout and back
    assert saml_idp.logouts[-1] == "pid-carl"
    assert "Du er logget ud" in page.inner_text("main")


def test_a_refused_saml_login_shows_a_page_in_danish(world, live_saml_provider, saml_idp, live_server, page):
    page.goto(urljoin(live_server.url, "/sso/login/aby-saml/"))
    page.fill("#login", "lone")  # NSIS level Low; Substantial is required
    page.click("button[type=submit]")
    page.wait_for_selector("text=Login afvist")
    assert "ikke sikkert nok" in page.inner_text("main")
    assert not check_page(page, "/sso/saml/acs/")
    shot(page, "sso-refused")


def test_openid_connect_login_in_chromium(world, oidc_op, live_server, page, settings):
    settings.KAPABEL_SSO_BASE_URL = live_server.url
    world.employee.employee_number = "1001"
    world.employee.save(update_fields=["employee_number"])
    oidc_provider_for(world, oidc_op, live_server.url + "/sso/oidc/callback/")
    page.goto(urljoin(live_server.url, "/account/login/"))
    page.click("text=Log ind med Aby Entra ID")
    page.wait_for_url(oidc_op.issuer + "/interaction/*")
    page.fill("input[name=login]", "emma")
    page.fill("input[name=password]", "any")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert "Emma" in page.inner_text("header")


def test_sso_administration_and_second_factor_pages_pass_axe(
    world, live_saml_provider, live_server, page, settings
):
    settings.KAPABEL_ADMIN_TOTP_REQUIRED = True
    page.goto(urljoin(live_server.url, "/account/login/"))
    page.fill("#id_username", world.user("platform_admin").username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]:has-text('Log ind')")
    page.wait_for_url(live_server.url + "/sso/second-factor/*")
    problems = check_page(page, "/sso/second-factor/")
    shot(page, "sso-second-factor")
    # Set it up with the code the app would show, then visit the SSO pages.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.sso.test_accounts import code_for

    device = TOTPDevice.objects.get(user=world.user("platform_admin"))
    page.fill("#id_token", code_for(device))
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    for path in ("/sso/providers/", f"/sso/providers/{live_saml_provider.pk}/", "/sso/providers/new/saml/"):
        page.goto(urljoin(live_server.url, path))
        problems += check_page(page, path)
        shot(page, "sso" + path.strip("/").replace("/", "-"))
    assert not problems, "\n".join(problems)
