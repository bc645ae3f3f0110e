"""Identity providers the suite starts itself, once per session, on loopback: pysaml2's IdP (SAML)
and npm's oidc-provider run with node (OpenID Connect). Each test gets providers configured in the
test world's municipality A, trusting and trusted by those IdPs."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests

from kapabel.sso import keys, services
from kapabel.sso.models import OIOSAML3_PRIVILEGES_ATTRIBUTE, IdentityProvider
from tests.sso.saml_idp import COORDINATOR_PRIVILEGE, EMAIL, FULL_NAME, HR_PRIVILEGE, Person, TestIdP

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SAML ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory):
    if shutil.which("xmlsec1") is None:
        pytest.fail("xmlsec1 is not installed. Install Debian's package: apt-get install xmlsec1")
    idp = TestIdP(tmp_path_factory.mktemp("saml-idp"), free_port())
    idp.people.update(
        {
            "emma": Person("e1@example.dk", "Emma Employee"),
            "carl": Person("e2@example.dk", "Carl Colleague", privileges=[(HR_PRIVILEGE, ["A1"])]),
            "lone": Person("e4@example.dk", "Oskar Outsider", loa="Low"),
            "stranger": Person("nobody@example.dk", "Nobody Known"),
        }
    )
    yield idp
    idp.close()


def sp_metadata(client) -> str:
    response = client.get("/sso/saml/metadata/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def saml_provider(world, saml_idp, client, settings):
    """A SAML provider of municipality A (matched by e-mail, privileges mapped to roles), trusted
    both ways with the test IdP for the base URL http://testserver."""
    settings.KAPABEL_SSO_BASE_URL = "http://testserver"
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
    services.role_mapping_add(
        provider=provider, value=COORDINATOR_PRIVILEGE, role="coordinator", unit=None, actor="tests"
    )
    saml_idp.trust(sp_metadata(client), Path(keys.encryption_pair().cert_file).read_text())
    return provider


# --- OpenID Connect ---------------------------------------------------------------------------

OP_ACCOUNTS = {
    "emma": {
        "email": "e1@example.dk",
        "name": "Emma Employee",
        "employee_number": "1001",
        "nsis_loa": "Substantial",
    },
    "carl": {
        "email": "e2@example.dk",
        "name": "Carl Colleague",
        "employee_number": "1002",
        "nsis_loa": "Substantial",
        "roles": ["kapabel-koordinator", "kapabel-hr-forvaltning-et"],
    },
    "lone": {
        "email": "e4@example.dk",
        "name": "Oskar Outsider",
        "employee_number": "1004",
        "nsis_loa": "Low",
    },
}


class TestOP:
    """The node process running oidc-provider, and helpers to drive it like a browser would."""

    def __init__(self, process: subprocess.Popen, issuer: str):
        self.process = process
        self.issuer = issuer

    def register(self, redirect_uri: str) -> tuple[str, str]:
        """A new confidential client (dynamic registration): its id and secret."""
        answer = requests.post(
            self.issuer + "/reg",
            json={
                "redirect_uris": [redirect_uri],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            },
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json()["client_id"], answer.json()["client_secret"]

    def log_in(self, authorize_url: str, login: str) -> str:
        """Follow the authorization request through the provider's login form as `login`; returns the
        redirect back to the client (its callback URL with code and state)."""
        session = requests.Session()
        answer = session.get(authorize_url, allow_redirects=True, timeout=10)
        action = answer.text.split('action="', 1)[1].split('"', 1)[0]
        location = session.post(
            urljoin(answer.url, action),
            data={"prompt": "login", "login": login, "password": "x"},
            allow_redirects=False,
            timeout=10,
        ).headers["Location"]
        while location.startswith(self.issuer) or location.startswith("/"):
            location = session.get(urljoin(self.issuer, location), allow_redirects=False, timeout=10).headers[
                "Location"
            ]
        return location


@pytest.fixture(scope="session")
def oidc_op(tmp_path_factory):
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "oidc-provider").exists():
        pytest.fail("The OpenID provider for the tests needs node and `npm ci` (oidc-provider).")
    accounts = tmp_path_factory.mktemp("op") / "accounts.json"
    accounts.write_text(json.dumps(OP_ACCOUNTS))
    port = free_port()
    process = subprocess.Popen(
        [node, str(HERE / "op.mjs"), str(port), str(accounts)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline and process.stdout is not None:
        line = process.stdout.readline()
        if line.startswith("READY") or process.poll() is not None:
            break
    if not line.startswith("READY"):
        process.kill()
        pytest.fail(f"The test OpenID provider did not start: {line!r}")
    yield TestOP(process, line.split()[1])
    process.terminate()
    process.wait(timeout=10)


def oidc_provider_for(world, op: TestOP, redirect_uri: str, **extra: Any) -> IdentityProvider:
    client_id, secret = op.register(redirect_uri)
    provider = services.provider_create(
        actor="tests",
        municipality=world.a,
        name="Aby Entra ID",
        slug=extra.pop("slug", "aby-oidc"),
        protocol=IdentityProvider.Protocol.OIDC,
        oidc_issuer=op.issuer,
        oidc_client_id=client_id,
        oidc_client_secret=secret,
        oidc_scopes="openid email profile kapabel",
        assurance_attribute="nsis_loa",
        min_assurance="substantial",
        match_attribute="employee_number",
        match_field=IdentityProvider.MatchField.EMPLOYEE_NUMBER,
        name_attribute="name",
        email_attribute="email",
        roles_attribute="roles",
        **extra,
    )
    services.role_mapping_add(
        provider=provider, value="kapabel-koordinator", role="coordinator", unit=None, actor="tests"
    )
    services.role_mapping_add(
        provider=provider,
        value="kapabel-hr-forvaltning-et",
        role="hr",
        unit=world.forvaltning1,
        actor="tests",
    )
    return provider


@pytest.fixture
def oidc_provider(world, oidc_op, settings):
    settings.KAPABEL_SSO_BASE_URL = "http://testserver"
    # Employee numbers for the world's people, which the provider's claims carry.
    for employee, number in ((world.employee, "1001"), (world.colleague, "1002"), (world.outsider, "1004")):
        employee.employee_number = number
        employee.save(update_fields=["employee_number"])
    return oidc_provider_for(world, oidc_op, "http://testserver/sso/oidc/callback/")


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}
