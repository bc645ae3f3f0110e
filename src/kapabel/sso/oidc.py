"""OpenID Connect relying party: the authorization code flow with PKCE (S256), a nonce and a state
per login, on Authlib's OAuth 2 client; ID tokens checked with joserfc (signature against the
provider's published keys, issuer, audience, expiry, nonce). Like `saml`, this module only speaks the
protocol: it returns a verified `Identity` or raises `SsoRefused`."""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from kapabel.sso.claims import Identity, identity_from_attributes
from kapabel.sso.errors import PROVIDER_UNAVAILABLE, SsoRefused
from kapabel.sso.models import IdentityProvider

logger = logging.getLogger("kapabel.sso")

TIMEOUT = 10  # seconds for each call to a provider
CACHE_SECONDS = 3600
# Asymmetric signatures only: a token "signed" with the client secret (HS256) or not at all is refused.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]

_cache: dict[str, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def _get_json(url: str, *, fresh: bool = False) -> Any:
    """A provider's discovery document or key set, cached for an hour (fetched again on demand)."""
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(url)
    if hit is not None and not fresh and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        value = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SsoRefused(
            f"provider unreachable: {type(exc).__name__}", PROVIDER_UNAVAILABLE, status=502
        ) from exc
    with _cache_lock:
        _cache[url] = (now, value)
    return value


def discovery(provider: IdentityProvider) -> dict[str, Any]:
    document = _get_json(provider.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration")
    if not isinstance(document, dict) or document.get("issuer") != provider.oidc_issuer:
        raise SsoRefused("discovery document names another issuer")
    return document


def _session(provider: IdentityProvider, redirect_uri: str, methods: list[str]) -> OAuth2Session:
    auth_method = "client_secret_basic" if "client_secret_basic" in methods or not methods else methods[0]
    return OAuth2Session(
        client_id=provider.oidc_client_id,
        client_secret=provider.oidc_client_secret,
        scope=provider.oidc_scopes or "openid",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=auth_method,
    )


@dataclass(frozen=True)
class PendingLogin:
    """What the browser session keeps between sending the person off and their return."""

    provider_id: int
    state: str
    nonce: str
    code_verifier: str
    next_url: str

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def start_login(provider: IdentityProvider, redirect_uri: str, next_url: str) -> tuple[PendingLogin, str]:
    document = discovery(provider)
    client = _session(provider, redirect_uri, document.get("token_endpoint_auth_methods_supported", []))
    pending = PendingLogin(provider.pk, generate_token(32), generate_token(32), generate_token(64), next_url)
    url, _state = client.create_authorization_url(
        document["authorization_endpoint"],
        state=pending.state,
        nonce=pending.nonce,
        code_verifier=pending.code_verifier,
    )
    return pending, url


def validate_id_token(provider: IdentityProvider, id_token: str, nonce: str) -> dict[str, Any]:
    """The claims of an ID token issued to us by `provider` for this login; SsoRefused otherwise."""
    document = discovery(provider)
    keys = KeySet.import_key_set(_get_json(document["jwks_uri"]))
    try:
        try:
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except JoseError:
            # The provider may have rolled its keys since we cached them: fetch once more.
            keys = KeySet.import_key_set(_get_json(document["jwks_uri"], fresh=True))
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        registry = jwt.JWTClaimsRegistry(
            leeway=settings.KAPABEL_SSO_CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": provider.oidc_issuer},
            aud={"essential": True, "value": provider.oidc_client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise SsoRefused(f"ID token refused: {type(exc).__name__}: {str(exc)[:200]}") from exc
    claims = dict(token.claims)
    # With several audiences the token must name us as its authorized party (OpenID Connect Core 3.1.3.7).
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.oidc_client_id:
        raise SsoRefused("ID token for several audiences without us as authorized party")
    return claims


def finish_login(
    provider: IdentityProvider, redirect_uri: str, pending: PendingLogin, params: dict[str, str]
) -> Identity:
    """The provider sent the person back with `params` (code and state, or an error)."""
    if params.get("error"):
        raise SsoRefused(f"provider answered error {params['error'][:100]!r}")
    if not params.get("code"):
        raise SsoRefused("callback without code")
    document = discovery(provider)
    client = _session(provider, redirect_uri, document.get("token_endpoint_auth_methods_supported", []))
    try:
        token = client.fetch_token(
            document["token_endpoint"],
            grant_type="authorization_code",
            code=params["code"],
            code_verifier=pending.code_verifier,
            timeout=TIMEOUT,
        )
    except requests.RequestException as exc:
        raise SsoRefused(f"token endpoint unreachable: {type(exc).__name__}", PROVIDER_UNAVAILABLE) from exc
    except Exception as exc:  # Authlib raises OAuthError for an error answer (e.g. invalid_grant)
        raise SsoRefused(f"token request refused: {type(exc).__name__}: {str(exc)[:200]}") from exc
    if not isinstance(token.get("id_token"), str):
        raise SsoRefused("token answer without ID token")
    claims = validate_id_token(provider, token["id_token"], pending.nonce)
    if document.get("userinfo_endpoint"):
        try:
            answer = client.get(document["userinfo_endpoint"], timeout=TIMEOUT)
            answer.raise_for_status()
            userinfo = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise SsoRefused(f"userinfo failed: {type(exc).__name__}", PROVIDER_UNAVAILABLE) from exc
        if not isinstance(userinfo, dict) or userinfo.get("sub") != claims["sub"]:
            raise SsoRefused("userinfo for another subject")
        claims = {**userinfo, **claims}  # what the signed ID token says wins
    identity = identity_from_attributes(provider, claims)
    # The replay check keys on the token's id, or its hash when the provider gives none.
    identity.message_id = str(claims.get("jti") or hashlib.sha256(token["id_token"].encode()).hexdigest())[
        :200
    ]
    identity.expires_at = datetime.datetime.fromtimestamp(int(claims["exp"]), tz=datetime.UTC)
    if identity.expires_at < timezone.now():
        identity.expires_at = timezone.now()
    return identity
