"""SAML 2.0 single sign-on (OIOSAML 3) against the suite's own IdP: the whole exchange through
Kapabel's views, with every kind of bad response refused without writing anything."""

from __future__ import annotations

import base64
import logging
import re

import pytest
from defusedxml import ElementTree

from kapabel.core.models import AuditEvent, User
from kapabel.organisation.models import RoleAssignment
from kapabel.sso.models import ConsumedMessage, SsoGrant, SsoIdentity
from tests.sso.conftest import query_of
from tests.sso.saml_idp import COORDINATOR_PRIVILEGE, HR_PRIVILEGE, Person, privileges

pytestmark = pytest.mark.django_db

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"


def start(client, slug="aby-saml", next_url=""):
    """Press the provider's button: Kapabel answers with a redirect to the IdP carrying a signed request."""
    response = client.get(f"/sso/login/{slug}/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def post_response(client, saml_response, **extra):
    return client.post("/sso/saml/acs/", {"SAMLResponse": saml_response}, **extra)


def log_in(client, idp, login, **options):
    location = start(client)
    request = idp.parse_request_url(location)
    _acs, saml_response = idp.response(request, login, **options)
    return post_response(client, saml_response), saml_response


def logged_in_user(client):
    session_user = client.session.get("_auth_user_id")
    return User.objects.get(pk=session_user) if session_user else None


# --- Metadata and the request ---------------------------------------------------------------------


def test_sp_metadata_states_signed_requests_signed_assertions_and_both_certificates(saml_provider, client):
    response = client.get("/sso/saml/metadata/")
    assert response["Content-Type"] == "application/samlmetadata+xml"
    root = ElementTree.fromstring(response.content)
    assert root.get("entityID") == "http://testserver/sso/saml/metadata/"
    sp = root.find(f"{MD}SPSSODescriptor")
    assert sp.get("AuthnRequestsSigned") == "true"
    assert sp.get("WantAssertionsSigned") == "true"
    assert {key.get("use") for key in sp.findall(f"{MD}KeyDescriptor")} == {"signing", "encryption"}
    acs = sp.find(f"{MD}AssertionConsumerService")
    assert acs.get("Location") == "http://testserver/sso/saml/acs/"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    assert sp.find(f"{MD}SingleLogoutService").get("Location") == "http://testserver/sso/saml/sls/"


def test_authn_request_is_signed_with_rsa_sha256_and_asks_for_the_assurance_level(
    saml_provider, saml_idp, client
):
    location = start(client)
    query = query_of(location)
    assert location.startswith(saml_idp.base + "/sso?")
    assert query["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    request = saml_idp.parse_request(query)  # pysaml2 checks the signature against our metadata
    assert request.message.requested_authn_context.authn_context_class_ref[0].text.endswith(
        "/loa/Substantial"
    )
    # The same request with its signature altered is refused by the IdP.
    query["Signature"] = base64.b64encode(b"x" * 384).decode()
    with pytest.raises(Exception):  # noqa: B017 (pysaml2 raises its own signature errors)
        saml_idp.parse_request(query)


# --- A good login -------------------------------------------------------------------------------


def test_login_links_the_employee_and_grants_the_mapped_roles_within_the_named_units(
    saml_provider, saml_idp, client, world
):
    response, _ = log_in(client, saml_idp, "carl")
    assert response.status_code == 302 and response["Location"] == "/"
    user = logged_in_user(client)
    world.colleague.refresh_from_db()
    assert world.colleague.user == user  # matched by e-mail, new login linked to the employee
    assert (user.first_name, user.last_name, user.has_usable_password()) == ("Carl", "Colleague", False)
    grants = RoleAssignment.objects.filter(user=user)
    assert [(g.role, g.municipality_id, g.unit_id) for g in grants] == [
        ("hr", world.a.pk, world.forvaltning1.pk)
    ]
    assert SsoGrant.objects.filter(assignment__in=grants, provider=saml_provider).count() == 1
    assert AuditEvent.objects.filter(action="sso.login", actor=user).exists()
    # The start page now shows Carl as HR for his unit.
    assert client.get("/").status_code == 200


def test_existing_login_of_the_employee_is_used(saml_provider, saml_idp, client, world):
    log_in(client, saml_idp, "emma")
    assert logged_in_user(client) == world.user("employee")
    assert SsoIdentity.objects.get(provider=saml_provider).user == world.user("employee")


def test_sso_grants_are_replaced_at_each_login_and_local_grants_kept(saml_provider, saml_idp, client, world):
    log_in(client, saml_idp, "carl")
    user = logged_in_user(client)
    local = RoleAssignment.objects.create(user=user, role="coordinator", municipality=world.a)
    # Next time the IdP says: HR for Forvaltning To, coordinator (also granted locally), a unit the
    # municipality does not have, and a group scoped to another organisation's CVR.
    saml_idp.people["carl"].privileges = [(HR_PRIVILEGE, ["A2", "NO-SUCH-UNIT"]), (COORDINATOR_PRIVILEGE, [])]
    extra = {
        "urn:test:unused": ["x"],
    }
    try:
        client.logout()
        response, _ = log_in(client, saml_idp, "carl", attributes=extra)
    finally:
        saml_idp.people["carl"].privileges = [(HR_PRIVILEGE, ["A1"])]
    assert response.status_code == 302
    grants = {(g.role, g.unit_id) for g in RoleAssignment.objects.filter(user=user)}
    # hr@A1 (from SSO before) is gone; hr@A2 is new; the local coordinator grant is kept, not doubled.
    assert grants == {("hr", world.forvaltning2.pk), ("coordinator", None)}
    assert RoleAssignment.objects.filter(pk=local.pk).exists()
    assert not SsoGrant.objects.filter(assignment=local).exists()
    assert AuditEvent.objects.filter(action="core.role.revoked", actor_label="sso:aby-saml").count() == 1


def test_a_privilege_naming_only_unknown_units_grants_nothing(saml_provider, saml_idp, client, world):
    saml_idp.people["ghost"] = Person(
        "e4@example.dk", "Oskar Outsider", privileges=[(HR_PRIVILEGE, ["NOPE"])]
    )
    log_in(client, saml_idp, "ghost")
    assert logged_in_user(client) is not None
    assert not RoleAssignment.objects.filter(user=logged_in_user(client)).exists()


def test_privileges_for_another_cvr_are_ignored(saml_provider, saml_idp, client, world):
    world.a.cvr = "11111111"
    world.a.save()
    attributes = {
        "https://data.gov.dk/model/core/eid/privilegesIntermediate": [
            privileges((HR_PRIVILEGE, ["A1"]), cvr="22222222")
        ]
    }
    response, _ = log_in(client, saml_idp, "emma", attributes=attributes)
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=world.user("employee")).exists()


def test_cross_site_post_without_the_session_cookie_is_posted_again_from_kapabel(
    saml_provider, saml_idp, client
):
    location = start(client)
    _acs, saml_response = saml_idp.response(saml_idp.parse_request_url(location), "emma")
    cookies = client.cookies
    client.cookies = type(cookies)()  # the IdP's cross-site POST: SameSite=Lax keeps the cookie back
    first = post_response(client, saml_response)
    assert first.status_code == 200 and b'name="continued"' in first.content
    assert logged_in_user(client) is None
    client.cookies = cookies  # the re-post from Kapabel's own page carries it
    second = client.post("/sso/saml/acs/", {"SAMLResponse": saml_response, "continued": "1"})
    assert second.status_code == 302
    assert logged_in_user(client) is not None


# --- Refused responses ------------------------------------------------------------------------


def tamper(saml_response: str) -> str:
    xml = base64.b64decode(saml_response).decode()
    assert "e1@example.dk" in xml
    return base64.b64encode(xml.replace("e1@example.dk", "e2@example.dk").encode()).decode()


REFUSALS = {
    "unsigned": ({"sign": False, "encrypt": False}, None, "Signature missing"),
    "unsigned-encrypted": ({"sign": False}, None, "Signature missing"),
    "tampered": ({"encrypt": False}, tamper, "Failed to verify signature"),
    "expired": ({"lifetime_minutes": -10}, None, "SAML response refused"),
    "foreign audience": (
        {"audience": "http://other-sp.invalid/saml/metadata/"},
        None,
        "AudienceRestrictions",
    ),
    "too low assurance": ({"loa": "Low"}, None, "assurance level low below substantial"),
    "not encrypted": ({"encrypt": False}, None, "assertion not encrypted"),
    "malformed": ({}, lambda _r: "PD94bWwgdmVyc2lvbj0iMS4wIj8+PGZvbw==", "malformed SAML response"),
    "not base64": ({}, lambda _r: "!!!not base64!!!", "malformed SAML response"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_bad_responses_are_refused_with_a_reason_in_the_log_and_a_page_in_danish(
    case, saml_provider, saml_idp, client, world, caplog
):
    options, change, reason = REFUSALS[case]
    if case in ("unsigned", "tampered"):  # reach the signature check (not the encryption one)
        saml_provider.saml_require_encryption = False
        saml_provider.save()
    users, grants, events = User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count()
    location = start(client)
    _acs, saml_response = saml_idp.response(saml_idp.parse_request_url(location), "emma", **options)
    if change:
        saml_response = change(saml_response)
    with caplog.at_level(logging.WARNING, logger="kapabel.sso"):
        response = post_response(client, saml_response, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 403
    assert b"Login afvist" in response.content
    assert b"Traceback" not in response.content
    assert any(reason in record.getMessage() for record in caplog.records), [
        r.getMessage() for r in caplog.records
    ]
    assert logged_in_user(client) is None
    # Nothing half-written: no user, grant, identity, replay mark or audit event.
    assert (User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count()) == (
        users,
        grants,
        events,
    )
    assert not ConsumedMessage.objects.exists() and not SsoIdentity.objects.exists()


def test_refusal_page_follows_the_persons_language(saml_provider, saml_idp, client):
    location = start(client)
    _acs, saml_response = saml_idp.response(saml_idp.parse_request_url(location), "lone")
    response = post_response(client, saml_response, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert b"Login refused" in response.content and b"not strong enough" in response.content


def test_a_replayed_response_is_refused(saml_provider, saml_idp, client, caplog):
    response, saml_response = log_in(client, saml_idp, "emma")
    assert response.status_code == 302
    client.logout()
    # The same response again: in a new session (no request sent from it) ...
    with caplog.at_level(logging.WARNING, logger="kapabel.sso"):
        again = client.post("/sso/saml/acs/", {"SAMLResponse": saml_response, "continued": "1"})
    assert again.status_code == 403 and logged_in_user(client) is None
    assert "unsolicited, expired or replayed" in caplog.text


def test_a_replayed_assertion_is_refused_even_for_a_pending_request(saml_provider, saml_idp, client, caplog):
    """Two requests pending in one browser, the same assertion posted for both: the replay cache
    (not only the pending request) refuses the second use."""
    location = start(client)
    request = saml_idp.parse_request_url(location)
    _acs, saml_response = saml_idp.response(request, "emma")
    assert post_response(client, saml_response).status_code == 302
    client.logout()
    # Put the same request id back as pending (as if a second tab had it) and post again.
    session = client.session
    session["sso_saml_pending"] = {
        request.message.id: {"provider": saml_provider.pk, "next": "/", "at": 9e12}
    }
    session.save()
    with caplog.at_level(logging.WARNING, logger="kapabel.sso"):
        again = post_response(client, saml_response)
    assert again.status_code == 403
    assert "replayed message" in caplog.text
    assert logged_in_user(client) is None


def test_unknown_person_is_refused_unless_the_provider_creates_people(saml_provider, saml_idp, client):
    response, _ = log_in(client, saml_idp, "stranger")
    assert response.status_code == 403 and b"kender dig ikke" in response.content
    saml_provider.create_users = True
    saml_provider.save()
    response, _ = log_in(client, saml_idp, "stranger")
    assert response.status_code == 302
    assert logged_in_user(client).email == "nobody@example.dk"


def test_a_switched_off_provider_cannot_be_started(saml_provider, client):
    saml_provider.active = False
    saml_provider.save()
    assert client.get("/sso/login/aby-saml/").status_code == 404


# --- Single logout ------------------------------------------------------------------------------


def test_logout_also_logs_out_at_the_identity_provider(saml_provider, saml_idp, client):
    log_in(client, saml_idp, "emma")
    response = client.post("/account/logout/")
    assert response.status_code == 302 and response["Location"].startswith("/sso/saml/logout/?t=")
    assert logged_in_user(client) is None  # the Kapabel session ended first
    page = client.get(response["Location"])
    idp_url = re.search(
        r'href="(' + re.escape(saml_idp.base) + r'/slo[^"]+)" data-kapabel-autofollow', page.content.decode()
    )[1]
    back = saml_idp.answer_logout(query_of(idp_url.replace("&amp;", "&")))  # the IdP checks our signature
    assert saml_idp.logouts[-1] == "pid-emma"
    done = client.get(back[len("http://testserver") :])
    assert done.status_code == 302 and done["Location"] == "/account/login/"


def test_logout_request_from_the_identity_provider_ends_the_kapabel_session(saml_provider, saml_idp, client):
    log_in(client, saml_idp, "emma")
    assert client.get("/").status_code == 200
    url = saml_idp.logout_request("http://testserver/sso/saml/sls/", "emma")
    response = client.get(url[len("http://testserver") :])
    assert response.status_code == 302 and response["Location"].startswith(saml_idp.base + "/slo")
    assert client.get("/")["Location"].startswith("/account/login/")


def test_logout_request_with_a_bad_signature_is_refused(saml_provider, saml_idp, client):
    log_in(client, saml_idp, "emma")
    url = saml_idp.logout_request("http://testserver/sso/saml/sls/", "emma")
    query = query_of(url)
    query["Signature"] = base64.b64encode(b"y" * 384).decode()
    response = client.get("/sso/saml/sls/", query)
    assert response.status_code == 403
    assert client.get("/").status_code == 200  # still logged in
