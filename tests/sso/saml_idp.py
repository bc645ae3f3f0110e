"""A SAML 2.0 identity provider for the test suite: pysaml2's own IdP (`saml2.server.Server`), served
over HTTP on loopback, answering the way an OIOSAML 3 IdP does (signed and encrypted assertions, the
NSIS level as attribute and AuthnContextClassRef, privileges in the basic privilege profile).

Browsers use its pages (a login form, then a page posting the response to Kapabel); tests also call
it directly to make responses a real IdP would not (unsigned, tampered, expired, for another SP)."""

from __future__ import annotations

import base64
import html
import threading
import warnings
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, xmldsig
from saml2.config import IdPConfig, SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

from kapabel.sso.keys import _generate
from kapabel.sso.models import NSIS_LOA_ATTRIBUTE, NSIS_LOA_CLASS_PREFIX, OIOSAML3_PRIVILEGES_ATTRIBUTE

warnings.filterwarnings("ignore", module="saml2")

EMAIL = "https://data.gov.dk/model/core/eid/email"
FULL_NAME = "https://data.gov.dk/model/core/eid/fullName"
CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
OTHER_SP = "http://other-sp.invalid/saml/metadata/"
HR_PRIVILEGE = "http://kapabel.dk/roles/hr"
COORDINATOR_PRIVILEGE = "http://kapabel.dk/roles/coordinator"
ORG_UNIT = "http://sts.kombit.dk/constraints/orgenhed/1"


def privileges(*groups: tuple[str, list[str]], cvr: str = "") -> str:
    """The basic privilege profile: base64 of a PrivilegeList; each group is (privilege, unit ids)."""
    scope = f' Scope="urn:dk:gov:saml:cvrNumberIdentifier:{cvr}"' if cvr else ""
    parts = []
    for privilege, units in groups:
        constraints = "".join(f'<Constraint Name="{ORG_UNIT}">{unit}</Constraint>' for unit in units)
        parts.append(
            f"<PrivilegeGroup{scope}>{constraints}<Privilege>{privilege}</Privilege></PrivilegeGroup>"
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList '
        'xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile">'
        + "".join(parts)
        + "</bpp:PrivilegeList>"
    )
    return base64.b64encode(xml.encode()).decode()


@dataclass
class Person:
    email: str
    name: str
    loa: str = "Substantial"
    privileges: list[tuple[str, list[str]]] = field(default_factory=list)

    def attributes(self) -> dict[str, list[str]]:
        attributes = {EMAIL: [self.email], FULL_NAME: [self.name], NSIS_LOA_ATTRIBUTE: [self.loa]}
        if self.privileges:
            attributes[OIOSAML3_PRIVILEGES_ATTRIBUTE] = [privileges(*self.privileges)]
        return attributes


class TestIdP:
    def __init__(self, workdir: Path, port: int):
        keys = _generate(workdir / "idp", key_size=2048)
        self.key_file, self.cert_file = keys.key_file, keys.cert_file
        self.base = f"http://127.0.0.1:{port}"
        self.entity_id = self.base + "/idp"
        self.people: dict[str, Person] = {}
        self.logouts: list[str] = []
        self.sp_metadata: str = ""
        self.sp_cert: str = ""
        other_keys = _generate(workdir / "other-sp", key_size=2048)
        self.other_sp_metadata = str(entity_descriptor(SPConfig().load(self._sp_stub(OTHER_SP, other_keys))))
        self.server = self._server()
        self.metadata = str(entity_descriptor(self.server.config))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _sp_stub(self, entity: str, keys: Any) -> dict[str, Any]:
        return {
            "entityid": entity,
            "key_file": keys.key_file,
            "cert_file": keys.cert_file,
            "encryption_keypairs": [{"key_file": keys.key_file, "cert_file": keys.cert_file}],
            "service": {
                "sp": {"endpoints": {"assertion_consumer_service": [(entity + "acs", BINDING_HTTP_POST)]}}
            },
        }

    def _config(self, lifetime_minutes: int = 5) -> dict[str, Any]:
        metadata = [self.other_sp_metadata] + ([self.sp_metadata] if self.sp_metadata else [])
        return {
            "entityid": self.entity_id,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "metadata": {"inline": metadata},
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(self.base + "/sso", BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(self.base + "/slo", BINDING_HTTP_REDIRECT)],
                    },
                    "want_authn_requests_signed": True,
                    "signing_algorithm": xmldsig.SIG_RSA_SHA256,
                    "digest_algorithm": xmldsig.DIGEST_SHA256,
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": lifetime_minutes},
                            "name_form": NAME_FORMAT_URI,
                            "attribute_restrictions": None,
                        }
                    },
                }
            },
        }

    def _server(self, lifetime_minutes: int = 5) -> Server:
        return Server(config=IdPConfig().load(self._config(lifetime_minutes)))

    def trust(self, sp_metadata: str, sp_cert_pem: str) -> None:
        """Trust this SP metadata (Kapabel's, for the base URL a test uses)."""
        if sp_metadata != self.sp_metadata:
            self.sp_metadata = sp_metadata
            self.server = self._server()
        self.sp_cert = sp_cert_pem

    # --- the protocol ---------------------------------------------------------------------------
    def parse_request(self, query: dict[str, str]) -> Any:
        """An AuthnRequest over HTTP-Redirect; pysaml2 checks the query-string signature."""
        return self.server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )

    def parse_request_url(self, location: str) -> Any:
        query = {key: values[0] for key, values in parse_qs(urlparse(location).query).items()}
        return self.parse_request(query)

    def response(
        self,
        request: Any,
        login: str,
        *,
        sign: bool = True,
        encrypt: bool = True,
        audience: str | None = None,
        lifetime_minutes: int = 5,
        loa: str | None = None,
        attributes: dict[str, list[str]] | None = None,
    ) -> tuple[str, str]:
        """(ACS URL, SAMLResponse) answering `request` for person `login`."""
        person = self.people[login]
        server = self.server if lifetime_minutes == 5 else self._server(lifetime_minutes)
        args = server.response_args(request.message)
        if audience:
            args["sp_entity_id"] = audience
        values = person.attributes()
        level = loa or person.loa
        values[NSIS_LOA_ATTRIBUTE] = [level]
        values.update(attributes or {})
        xml = server.create_authn_response(
            values,
            userid=login,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"pid-{login}"),
            authn={"class_ref": NSIS_LOA_CLASS_PREFIX + level},
            sign_assertion=sign,
            sign_response=False,
            encrypt_assertion=encrypt,
            encrypt_assertion_self_contained=True,
            encrypt_cert_assertion=self.sp_cert if encrypt else None,
            **args,
        )
        return args["destination"], base64.b64encode(str(xml).encode()).decode()

    def logout_request(self, sls_url: str, login: str) -> str:
        """An IdP-initiated LogoutRequest for `login`, as the URL of our SLS with it (signed query)."""
        _id, request = self.server.create_logout_request(
            sls_url, self.entity_id, name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"pid-{login}")
        )
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), sls_url, sign=True, sigalg=xmldsig.SIG_RSA_SHA256
        )
        return dict(info["headers"])["Location"]

    def answer_logout(self, query: dict[str, str]) -> str:
        """Our answer to Kapabel's LogoutRequest (signature checked): the URL back to its SLS."""
        request = self.server.parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        self.logouts.append(request.message.name_id.text)
        destination = self.server.response_args(request.message, [BINDING_HTTP_REDIRECT])["destination"]
        response = self.server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            response=True,
            sign=True,
            sigalg=xmldsig.SIG_RSA_SHA256,
        )
        return dict(info["headers"])["Location"]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(idp: TestIdP) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: str = "", location: str = "") -> None:
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def _page(self, title: str, body: str, onload: str = "") -> str:
            return (
                f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
                f"<body{onload}><main><h1>{title}</h1>{body}</main></body></html>"
            )

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlparse(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            try:
                if url.path == "/sso":
                    idp.parse_request(query)  # refuse an unsigned or tampered request at once
                    hidden = "".join(
                        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                        for k, v in query.items()
                    )
                    form = (
                        f'<form method="post" action="/login">{hidden}<label for="login">Login</label>'
                        '<input id="login" name="login"><button type="submit">Log in</button></form>'
                    )
                    return self._send(200, self._page("Test IdP", form))
                if url.path == "/slo":
                    return self._send(302, location=idp.answer_logout(query))
            except Exception as exc:
                return self._send(400, self._page("Refused", html.escape(f"{type(exc).__name__}: {exc}")))
            self._send(404, self._page("Not found", ""))

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", "0"))
            fields = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
            try:
                request = idp.parse_request(fields)
                acs, saml_response = idp.response(request, fields["login"])
            except Exception as exc:
                return self._send(400, self._page("Refused", html.escape(f"{type(exc).__name__}: {exc}")))
            form = (
                f'<form method="post" action="{html.escape(acs)}">'
                f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
                f'<input type="hidden" name="RelayState" value="{html.escape(fields.get("RelayState", ""))}">'
                '<button type="submit">Continue</button></form>'
            )
            self._send(200, self._page("Sending you back", form, ' onload="document.forms[0].submit()"'))

    return Handler
