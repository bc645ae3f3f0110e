"""SAML 2.0 service provider following OIOSAML 3, on pysaml2 (which signs, checks signatures and
decrypts with Debian's xmlsec1). This module speaks the protocol only: it builds requests and turns a
response into a verified `Identity` or raises `SsoRefused`; the views keep the session and
`services` does the login.

What OIOSAML 3 asks of a service provider, and where it happens here:
- metadata at a stable URL with the signing and encryption certificates (`sp_metadata`);
- AuthnRequests over HTTP-Redirect, signed with RSA-SHA256 (`start_login`);
- assertions must be signed (pysaml2's `want_assertions_signed`), and encrypted where the provider
  says so (`_check_encryption`); audience, time window and InResponseTo checked by pysaml2 against the
  request this browser session sent (`allow_unsolicited` off); a used assertion is refused again by
  `services` (replay cache);
- the NSIS assurance level (`claims.check_assurance`);
- single logout over HTTP-Redirect, both directions (`logout_request_url`, `handle_logout_request`).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, xmldsig
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.ident import code as code_name_id
from saml2.ident import decode as decode_name_id
from saml2.metadata import entity_descriptor
from saml2.population import Population
from saml2.s_utils import decode_base64_and_inflate
from saml2.saml import AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext
from saml2.sigver import verify_redirect_signature

from kapabel.sso.claims import Identity, identity_from_attributes
from kapabel.sso.errors import SsoRefused
from kapabel.sso.keys import encryption_pair, signing_pair
from kapabel.sso.models import NSIS_LOA_CLASS_PREFIX, IdentityProvider

logger = logging.getLogger("kapabel.sso")

SAML_ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
SAML_METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
# OIOSAML 3: the CVR number of the organisation the person acts for. When present it must be the
# provider's municipality's (a shared identity provider, such as KOMBIT's, serves many).
CVR_ATTRIBUTE = "https://data.gov.dk/model/core/eid/professional/cvr"
LEVEL_CLASS_NAMES = {"low": "Low", "substantial": "Substantial", "high": "High"}


def base_url(request: HttpRequest) -> str:
    """The public address of Kapabel as the identity providers see it."""
    return settings.KAPABEL_SSO_BASE_URL or f"{request.scheme}://{request.get_host()}"


def entity_id(base: str) -> str:
    return settings.KAPABEL_SAML_ENTITY_ID or base + reverse("sso:saml_metadata")


def _config(base: str, provider: IdentityProvider | None = None) -> SPConfig:
    signing, encryption = signing_pair(), encryption_pair()
    conf: dict[str, Any] = {
        "entityid": entity_id(base),
        "xmlsec_binary": settings.KAPABEL_XMLSEC_BINARY,
        "key_file": signing.key_file,
        "cert_file": signing.cert_file,
        "encryption_keypairs": [{"key_file": encryption.key_file, "cert_file": encryption.cert_file}],
        # Attribute names stay the URIs OIOSAML uses (no converter maps them to friendly names).
        "allow_unknown_attributes": True,
        "accepted_time_diff": settings.KAPABEL_SSO_CLOCK_SKEW_SECONDS,
        "metadata": {"inline": [provider.saml_metadata]} if provider is not None else {},
        "service": {
            "sp": {
                "name": "Kapabel",
                "endpoints": {
                    "assertion_consumer_service": [(base + reverse("sso:saml_acs"), BINDING_HTTP_POST)],
                    "single_logout_service": [(base + reverse("sso:saml_sls"), BINDING_HTTP_REDIRECT)],
                },
                "authn_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,
                "logout_requests_signed": True,
                # Only inside service.sp do these reach pysaml2 (its default is SHA-1).
                "signing_algorithm": xmldsig.SIG_RSA_SHA256,
                "digest_algorithm": xmldsig.DIGEST_SHA256,
            }
        },
    }
    return SPConfig().load(conf)


def sp_metadata(base: str) -> str:
    """Kapabel's SP metadata: entity ID, endpoints, signing and encryption certificates."""
    key = ("metadata", base, settings.KAPABEL_SAML_ENTITY_ID, signing_pair(), encryption_pair())
    return str(_cached(key, lambda: str(entity_descriptor(_config(base)))))


def idp_entity_id(metadata: str) -> str:
    """The entity ID of the one identity provider described by `metadata`; ValidationError when the
    text is not SAML metadata of an identity provider with a single sign-on endpoint."""
    try:
        document = ElementTree.fromstring(metadata.encode())
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise ValidationError(_("The metadata is not valid XML.")) from exc
    sso_path = f"{{{SAML_METADATA_NS}}}IDPSSODescriptor/{{{SAML_METADATA_NS}}}SingleSignOnService"
    descriptors = document.iter(f"{{{SAML_METADATA_NS}}}EntityDescriptor")  # the root included
    with_sso = [descriptor for descriptor in descriptors if descriptor.find(sso_path) is not None]
    if len(with_sso) != 1 or not with_sso[0].get("entityID"):
        raise ValidationError(
            _("The metadata must describe exactly one identity provider with a single sign-on service.")
        )
    return str(with_sso[0].get("entityID"))


class _NoPopulation(Population):
    """pysaml2 keeps every identity it has seen in memory; Kapabel keeps what it needs (for single
    logout) in the session and the database, so a long-lived client must not."""

    def add_information_about_person(self, session_info: Any) -> Any:
        return session_info.get("name_id")


# Building a client loads the keys (cryptography checks an RSA private key, ~0.1-0.3 s) and parses the
# metadata, so each process keeps the clients it built, until the provider is saved again.
_clients: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_clients_lock = threading.Lock()
MAX_CLIENTS = 64


def _cached(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    with _clients_lock:
        if key in _clients:
            _clients.move_to_end(key)
            return _clients[key]
    value = build()
    with _clients_lock:
        _clients[key] = value
        while len(_clients) > MAX_CLIENTS:
            _clients.popitem(last=False)
    return value


def _client(provider: IdentityProvider, base: str) -> Saml2Client:
    def build() -> Saml2Client:
        client = Saml2Client(config=_config(base, provider))
        client.users = _NoPopulation()
        return client

    key = (
        "client",
        provider.pk,
        provider.updated_at,
        hashlib.sha256(provider.saml_metadata.encode()).hexdigest(),
        base,
        settings.KAPABEL_SAML_ENTITY_ID,
        settings.KAPABEL_SSO_CLOCK_SKEW_SECONDS,
        signing_pair(),
        encryption_pair(),
    )
    try:
        return _cached(key, build)
    except Exception as exc:  # pysaml2 raises a variety of errors on metadata it cannot use
        raise SsoRefused(f"provider metadata unusable: {type(exc).__name__}") from exc


def start_login(provider: IdentityProvider, base: str) -> tuple[str, str]:
    """A signed AuthnRequest (HTTP-Redirect); returns its id and the URL to send the browser to."""
    client = _client(provider, base)
    extra: dict[str, Any] = {}
    if provider.min_assurance:
        # Ask for at least the level we will require (OIOSAML 3: the LoA as AuthnContextClassRef).
        extra["requested_authn_context"] = RequestedAuthnContext(
            authn_context_class_ref=[
                AuthnContextClassRef(NSIS_LOA_CLASS_PREFIX + LEVEL_CLASS_NAMES[provider.min_assurance])
            ],
            comparison="minimum",
        )
    try:
        request_id, info = client.prepare_for_authenticate(
            entityid=provider.saml_entity_id,
            binding=BINDING_HTTP_REDIRECT,
            sign=True,
            sigalg=xmldsig.SIG_RSA_SHA256,
            **extra,
        )
    except Exception as exc:  # e.g. no single sign-on endpoint for the Redirect binding
        raise SsoRefused(f"could not build AuthnRequest: {type(exc).__name__}: {exc}") from exc
    return str(request_id), dict(info["headers"])["Location"]


def _document(saml_response: str) -> Any:
    try:
        return ElementTree.fromstring(base64.b64decode(saml_response, validate=True))
    except (binascii.Error, ValueError, ElementTree.ParseError, DefusedXmlException) as exc:
        raise SsoRefused(f"malformed SAML response: {type(exc).__name__}") from exc


def in_response_to(saml_response: str) -> str:
    """The id of the request a response answers (read before verification, only to find the
    pending login in the session; pysaml2 checks it again)."""
    return str(_document(saml_response).get("InResponseTo") or "")


def logout_request_issuer(saml_request: str) -> str:
    """The Issuer of a LogoutRequest sent over HTTP-Redirect (deflated, base64), to find its provider
    before the signature is checked against that provider's certificate."""
    try:
        document = ElementTree.fromstring(decode_base64_and_inflate(saml_request))
    except Exception as exc:  # bad base64, bad deflate stream or bad XML
        raise SsoRefused(f"malformed logout request: {type(exc).__name__}") from exc
    issuer = document.find(f"{{{SAML_ASSERTION_NS}}}Issuer")
    return (issuer.text or "").strip() if issuer is not None else ""


def _check_encryption(provider: IdentityProvider, saml_response: str) -> None:
    if not provider.saml_require_encryption:
        return
    children = {child.tag for child in _document(saml_response)}
    if f"{{{SAML_ASSERTION_NS}}}Assertion" in children or (
        f"{{{SAML_ASSERTION_NS}}}EncryptedAssertion" not in children
    ):
        raise SsoRefused("assertion not encrypted")


def finish_login(provider: IdentityProvider, base: str, saml_response: str, request_id: str) -> Identity:
    """Verify a response to our request `request_id` and read the person out of it."""
    _check_encryption(provider, saml_response)
    client = _client(provider, base)
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
        )
    except Exception as exc:  # pysaml2 signals every verification failure with its own exception
        raise SsoRefused(f"SAML response refused: {type(exc).__name__}: {str(exc)[:200]}") from exc
    if response is None or response.assertion is None:
        raise SsoRefused("SAML response without assertion")
    if response.issuer() != provider.saml_entity_id:
        raise SsoRefused("SAML response from another issuer")
    attributes = response.get_identity()
    cvr = provider.municipality.cvr
    if cvr and attributes.get(CVR_ATTRIBUTE) and attributes[CVR_ATTRIBUTE][0] != cvr:
        raise SsoRefused("SAML assertion for another organisation (CVR)")
    class_ref = ""
    statements = response.assertion.authn_statement or []
    if statements and statements[0].authn_context and statements[0].authn_context.authn_context_class_ref:
        class_ref = statements[0].authn_context.authn_context_class_ref.text or ""
    identity = identity_from_attributes(provider, attributes, class_ref=class_ref)
    identity.message_id = str(response.assertion.id)
    conditions = response.assertion.conditions
    expires = None
    if conditions is not None and conditions.not_on_or_after:
        expires = datetime.datetime.fromisoformat(conditions.not_on_or_after.replace("Z", "+00:00"))
    identity.expires_at = expires or timezone.now() + datetime.timedelta(hours=1)
    if response.name_id is not None:
        identity.name_id = (response.name_id.text or "")[:500]
        identity.name_id_code = code_name_id(response.name_id)
    if statements and statements[0].session_index:
        identity.session_index = str(statements[0].session_index)[:200]
    return identity


def logout_request_url(
    provider: IdentityProvider, base: str, name_id_code: str, session_index: str
) -> str | None:
    """The URL that asks the identity provider to end its session too (a signed LogoutRequest over
    HTTP-Redirect), or None when its metadata names no logout service for that binding."""
    client = _client(provider, base)
    try:
        destinations = client.metadata.single_logout_service(
            provider.saml_entity_id, BINDING_HTTP_REDIRECT, "idpsso"
        )
    except Exception:  # no logout service for the Redirect binding
        return None
    if not destinations:
        return None
    destination = destinations[0]["location"]
    _request_id, request = client.create_logout_request(
        destination,
        provider.saml_entity_id,
        name_id=decode_name_id(name_id_code),
        session_indexes=[session_index] if session_index else None,
        sign=False,  # over HTTP-Redirect the query string is signed instead (below)
    )
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), destination, sign=True, sigalg=xmldsig.SIG_RSA_SHA256
    )
    return str(dict(info["headers"])["Location"])


def _check_redirect_signature(
    client: Saml2Client, provider: IdentityProvider, query: dict[str, str], kind: str
) -> None:
    """The query-string signature of a message over HTTP-Redirect, against the provider's signing
    certificates. pysaml2 checks it only where an IdP expects signed AuthnRequests, not for an SP's
    incoming logout requests, so it is done here."""
    if not query.get("Signature") or not query.get("SigAlg"):
        raise SsoRefused(f"{kind} over HTTP-Redirect without signature")
    message = {kind: query[kind], "SigAlg": query["SigAlg"], "Signature": query["Signature"]}
    if "RelayState" in query:
        message["RelayState"] = query["RelayState"]
    certs = client.metadata.certs(provider.saml_entity_id, "any", "signing")
    try:
        valid = any(verify_redirect_signature(message, client.sec.sec_backend, cert) for _name, cert in certs)
    except Exception as exc:  # an unknown algorithm, a broken signature value
        raise SsoRefused(f"{kind} signature unusable: {type(exc).__name__}") from exc
    if not valid:
        raise SsoRefused(f"{kind} signature invalid")


def handle_logout_request(
    provider: IdentityProvider, base: str, query: dict[str, str]
) -> tuple[str, str | None]:
    """An identity provider's LogoutRequest (HTTP-Redirect, signature checked): the NameID it ends,
    and the URL carrying our signed LogoutResponse back to it."""
    client = _client(provider, base)
    _check_redirect_signature(client, provider, query, "SAMLRequest")
    try:
        request = client.parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
    except Exception as exc:
        raise SsoRefused(f"logout request refused: {type(exc).__name__}: {str(exc)[:200]}") from exc
    if request is None or request.message is None or request.message.name_id is None:
        raise SsoRefused("logout request without NameID")
    name_id = request.message.name_id.text or ""
    try:
        destination = client.response_args(request.message, [BINDING_HTTP_REDIRECT])["destination"]
        response = client.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
        info = client.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            relay_state=query.get("RelayState", ""),
            response=True,
            sign=True,
            sigalg=xmldsig.SIG_RSA_SHA256,
        )
    except Exception as exc:  # no logout service to answer to: the local logout stands
        logger.warning("SAML logout response not sent", extra={"reason": f"{type(exc).__name__}: {exc}"})
        return name_id, None
    return name_id, str(dict(info["headers"])["Location"])


def is_logout_response_ok(provider: IdentityProvider, base: str, saml_response: str) -> bool:
    """Whether the identity provider reports its own logout as done (our session ended before)."""
    client = _client(provider, base)
    try:
        response = client.parse_logout_request_response(saml_response, BINDING_HTTP_REDIRECT)
    except Exception as exc:
        logger.warning("SAML logout response refused", extra={"reason": type(exc).__name__})
        return False
    return response is not None and response.status_ok()
