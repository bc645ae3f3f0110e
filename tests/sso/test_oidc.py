"""OpenID Connect single sign-on against a real OpenID provider (npm's oidc-provider, started by the
suite on loopback): the authorization code flow with PKCE through Kapabel's views, and ID tokens that
must be refused (another audience, altered, unsigned)."""

from __future__ import annotations

import base64
import json
import logging
import time

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from kapabel.core.models import AuditEvent, User
from kapabel.organisation.models import RoleAssignment
from kapabel.sso import oidc
from kapabel.sso.errors import SsoRefused
from kapabel.sso.models import SsoGrant
from tests.sso.conftest import query_of

pytestmark = pytest.mark.django_db


def start(client, slug="aby-oidc"):
    response = client.get(f"/sso/login/{slug}/")
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def come_back(client, callback_url):
    assert callback_url.startswith("http://testserver/sso/oidc/callback/"), callback_url
    return client.get(callback_url[len("http://testserver") :])


def logged_in_user(client):
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def test_login_with_pkce_matches_the_employee_and_maps_roles(oidc_provider, oidc_op, client, world):
    location = start(client)
    query = query_of(location)
    assert location.startswith(oidc_op.issuer + "/auth?")
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert query["response_type"] == "code" and query["nonce"] and query["state"]
    response = come_back(client, oidc_op.log_in(location, "carl"))
    assert response.status_code == 302 and response["Location"] == "/"
    user = logged_in_user(client)
    world.colleague.refresh_from_db()
    assert world.colleague.user == user  # matched by the employee_number claim
    grants = {(g.role, g.unit_id) for g in RoleAssignment.objects.filter(user=user)}
    assert grants == {("coordinator", None), ("hr", world.forvaltning1.pk)}
    assert SsoGrant.objects.filter(assignment__user=user).count() == 2
    assert AuditEvent.objects.filter(action="sso.login", actor=user).exists()


def test_existing_login_is_used_and_local_grants_kept(oidc_provider, oidc_op, client, world):
    employee_user = world.user("employee")
    RoleAssignment.objects.create(user=employee_user, role="hr", municipality=world.a, unit=world.team1)
    come_back(client, oidc_op.log_in(start(client), "emma"))
    assert logged_in_user(client) == employee_user
    assert {(g.role, g.unit_id) for g in RoleAssignment.objects.filter(user=employee_user)} == {
        ("hr", world.team1.pk)
    }


def test_too_low_assurance_level_is_refused(oidc_provider, oidc_op, client, caplog):
    users = User.objects.count()
    with caplog.at_level(logging.WARNING, logger="kapabel.sso"):
        response = come_back(client, oidc_op.log_in(start(client), "lone"))
    assert response.status_code == 403 and b"ikke sikkert nok" in response.content
    assert "assurance level low below substantial" in caplog.text
    assert logged_in_user(client) is None and User.objects.count() == users


def test_a_callback_used_twice_is_refused(oidc_provider, oidc_op, client, caplog):
    callback = oidc_op.log_in(start(client), "emma")
    assert come_back(client, callback).status_code == 302
    client.logout()
    with caplog.at_level(logging.WARNING, logger="kapabel.sso"):
        again = come_back(client, callback)
    assert again.status_code == 403 and logged_in_user(client) is None
    assert "unknown state" in caplog.text


def test_a_forged_state_or_a_code_for_another_client_is_refused(oidc_provider, oidc_op, client, caplog):
    """A code issued to another client, brought back with this browser's real state: the provider
    refuses to exchange it, and Kapabel says so without a traceback."""
    location = start(client)
    state = query_of(location)["state"]
    other_id, _secret = oidc_op.register("http://testserver/sso/oidc/callback/")
    other = OAuth2Session(
        client_id=other_id,
        redirect_uri="http://testserver/sso/oidc/callback/",
        scope="openid",
        code_challenge_method="S256",
    )
    foreign_url, _ = other.create_authorization_url(
        oidc_op.issuer + "/auth", state=state, nonce="n", code_verifier=generate_token(64)
    )
    foreign_callback = oidc_op.log_in(foreign_url, "emma")
    with caplog.at_level(logging.WARNING, logger="kapabel.sso"):
        response = come_back(client, foreign_callback)
    assert response.status_code == 403 and b"Traceback" not in response.content
    assert "token request refused" in caplog.text
    assert logged_in_user(client) is None
    # A state this browser never sent.
    response = client.get("/sso/oidc/callback/", {"state": "forged", "code": "x"})
    assert response.status_code == 403


def test_an_error_from_the_provider_is_shown_in_english_too(oidc_provider, client):
    location = start(client)
    response = client.get(
        "/sso/oidc/callback/",
        {"state": query_of(location)["state"], "error": "access_denied"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403 and b"Login refused" in response.content


def test_an_unreachable_provider_gives_a_page_not_a_traceback(oidc_provider, client, caplog):
    oidc_provider.oidc_issuer = "http://127.0.0.1:9"  # nothing listens on the discard port
    oidc_provider.save()
    with caplog.at_level(logging.WARNING, logger="kapabel.sso"):
        response = client.get("/sso/login/aby-oidc/")
    assert response.status_code == 502 and "kunne ikke nås".encode() in response.content
    assert "provider unreachable" in caplog.text


# --- ID token checks, on tokens the provider really issued -------------------------------------------


def issue_id_token(op, client_id, secret, redirect_uri, login, nonce):
    """Run the code flow for a client outside Kapabel and return the ID token the provider issues."""
    session = OAuth2Session(
        client_id=client_id,
        client_secret=secret,
        redirect_uri=redirect_uri,
        scope="openid email",
        code_challenge_method="S256",
    )
    verifier = generate_token(64)
    url, _state = session.create_authorization_url(op.issuer + "/auth", nonce=nonce, code_verifier=verifier)
    code = query_of(op.log_in(url, login))["code"]
    token = session.fetch_token(op.issuer + "/token", code=code, code_verifier=verifier)
    return token["id_token"]


def segments(token):
    return token.split(".")


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims_of(token):
    payload = segments(token)[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_id_tokens_for_another_audience_altered_unsigned_or_expired_are_refused(
    oidc_provider, oidc_op, monkeypatch
):
    redirect = "http://testserver/sso/oidc/callback/"
    ours = issue_id_token(
        oidc_op, oidc_provider.oidc_client_id, oidc_provider.oidc_client_secret, redirect, "emma", "n1"
    )
    assert oidc.validate_id_token(oidc_provider, ours, "n1")["sub"] == "emma"  # the genuine one passes
    with pytest.raises(SsoRefused, match="nonce"):
        oidc.validate_id_token(oidc_provider, ours, "another-nonce")
    other_id, other_secret = oidc_op.register(redirect)
    foreign = issue_id_token(oidc_op, other_id, other_secret, redirect, "emma", "n2")
    with pytest.raises(SsoRefused, match="aud"):
        oidc.validate_id_token(oidc_provider, foreign, "n2")
    header, payload, signature = segments(ours)
    altered = ".".join([header, b64({**claims_of(ours), "sub": "carl"}), signature])
    with pytest.raises(SsoRefused, match="ID token refused"):
        oidc.validate_id_token(oidc_provider, altered, "n1")
    unsigned = ".".join([b64({"alg": "none", "typ": "JWT"}), payload, ""])
    with pytest.raises(SsoRefused, match="ID token refused"):
        oidc.validate_id_token(oidc_provider, unsigned, "n1")
    with pytest.raises(SsoRefused, match="ID token refused"):
        oidc.validate_id_token(oidc_provider, "not-a-token", "n1")
    # An expired token: the same genuine token, checked as if an hour had passed since it expired.
    expired_at = claims_of(ours)["exp"]
    monkeypatch.setattr(time, "time", lambda: expired_at + 3600)
    with pytest.raises(SsoRefused, match="exp"):
        oidc.validate_id_token(oidc_provider, ours, "n1")


def test_discovery_for_another_issuer_is_refused(oidc_provider, oidc_op):
    oidc_provider.oidc_issuer = oidc_op.issuer + "/"  # the document names the issuer without the slash
    with pytest.raises(SsoRefused, match="another issuer"):
        oidc.discovery(oidc_provider)
    assert requests.get(oidc_op.issuer + "/.well-known/openid-configuration", timeout=5).ok
