"""The single sign-on flow: send the person to their identity provider, take them back, log them in.

A refused login (a bad signature, a replay, a foreign audience, a too low assurance level, an
unknown person, a provider that does not answer) is logged with the reason on one line and shown as a
page in the person's language; nothing is written (the login service runs in one transaction)."""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from kapabel.sso import oidc, saml, selectors, services
from kapabel.sso.errors import SsoRefused
from kapabel.sso.models import IdentityProvider

logger = logging.getLogger("kapabel.sso")

SAML_PENDING = "sso_saml_pending"
OIDC_PENDING = "sso_oidc_pending"
SESSION_PROVIDER = "sso_provider"
SESSION_NAME_ID = "sso_saml_name_id"
SESSION_INDEX = "sso_saml_session_index"
MAX_PENDING = 5  # logins started in one browser session and not finished (several tabs)
PENDING_SECONDS = 15 * 60


def refused(request: HttpRequest, exc: SsoRefused, provider: IdentityProvider | None) -> HttpResponse:
    logger.warning(
        "SSO login refused: %s",
        exc.reason,
        extra={"provider": provider.slug if provider else None, "reason": exc.reason},
    )
    return render(request, "sso/refused.html", {"message": exc.message}, status=exc.status)


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _remember(request: HttpRequest, key: str, ident: str, value: dict[str, Any]) -> None:
    pending = {
        k: v
        for k, v in request.session.get(key, {}).items()
        if time.time() - v.get("at", 0) < PENDING_SECONDS
    }
    pending[ident] = {**value, "at": time.time()}
    request.session[key] = dict(sorted(pending.items(), key=lambda item: item[1]["at"])[-MAX_PENDING:])


def _take(request: HttpRequest, key: str, ident: str) -> dict[str, Any] | None:
    """The pending login `ident`, removed from the session (each can be finished once)."""
    pending = dict(request.session.get(key, {}))
    value = pending.pop(ident, None) if ident else None
    request.session[key] = pending
    if value is None or time.time() - value.get("at", 0) >= PENDING_SECONDS:
        return None
    return value


def _log_in(request: HttpRequest, provider: IdentityProvider, identity: Any, next_url: str) -> HttpResponse:
    user = services.sso_login(provider=provider, identity=identity)
    request.kapabel_sso_login = True  # type: ignore[attr-defined]  # read by second_factor.on_login
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_PROVIDER] = provider.pk
    if provider.protocol == IdentityProvider.Protocol.SAML:
        request.session[SESSION_NAME_ID] = identity.name_id_code
        request.session[SESSION_INDEX] = identity.session_index
        request.session.save()
        services.saml_session_record(
            provider=provider, identity=identity, session_key=request.session.session_key or ""
        )
    logger.info("SSO login", extra={"provider": provider.slug, "user_id": user.pk})
    return redirect(next_url)


@require_GET
@never_cache
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the browser to the identity provider with a new request."""
    provider = selectors.active_provider(slug)
    if provider is None:
        raise Http404
    next_url = _safe_next(request, request.GET.get("next"))
    try:
        if provider.protocol == IdentityProvider.Protocol.SAML:
            request_id, location = saml.start_login(provider, saml.base_url(request))
            _remember(request, SAML_PENDING, request_id, {"provider": provider.pk, "next": next_url})
        else:
            pending, location = oidc.start_login(provider, _oidc_redirect_uri(request), next_url)
            _remember(request, OIDC_PENDING, pending.state, pending.as_dict())
    except SsoRefused as exc:
        return refused(request, exc, provider)
    return redirect(location)


@csrf_exempt  # the identity provider posts here; the response's signature and InResponseTo protect it
@require_http_methods(["POST"])
@never_cache
def saml_acs(request: HttpRequest) -> HttpResponse:
    """Assertion consumer service (HTTP-POST binding)."""
    saml_response = request.POST.get("SAMLResponse", "")
    provider = None
    try:
        request_id = saml.in_response_to(saml_response)
        if request.POST.get("continued") != "1" and request_id not in request.session.get(SAML_PENDING, {}):
            # A cross-site POST does not carry the session cookie (SameSite=Lax): post the response
            # again from our own page, which does, so it is matched with the request this browser sent.
            return render(request, "sso/continue.html", {"saml_response": saml_response})
        pending = _take(request, SAML_PENDING, request_id)
        if pending is None:
            raise SsoRefused("response to no request of this browser (unsolicited, expired or replayed)")
        provider = selectors.provider_by_id(pending["provider"])
        if provider is None or not provider.active:
            raise SsoRefused("provider gone or switched off")
        identity = saml.finish_login(provider, saml.base_url(request), saml_response, request_id)
        return _log_in(request, provider, identity, pending["next"])
    except SsoRefused as exc:
        return refused(request, exc, provider)


def _oidc_redirect_uri(request: HttpRequest) -> str:
    return saml.base_url(request) + reverse("sso:oidc_callback")


@require_GET
@never_cache
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The OpenID provider sends the person back here with a code (or an error) and our state."""
    provider = None
    try:
        value = _take(request, OIDC_PENDING, request.GET.get("state", ""))
        if value is None:
            raise SsoRefused("callback with unknown state (expired, replayed or forged)")
        value.pop("at", None)
        pending = oidc.PendingLogin(**value)
        provider = selectors.provider_by_id(pending.provider_id)
        if provider is None or not provider.active:
            raise SsoRefused("provider gone or switched off")
        identity = oidc.finish_login(provider, _oidc_redirect_uri(request), pending, request.GET.dict())
        return _log_in(request, provider, identity, pending.next_url)
    except SsoRefused as exc:
        return refused(request, exc, provider)


@require_GET
@never_cache
def saml_metadata(request: HttpRequest) -> HttpResponse:
    """Kapabel's SP metadata, for the identity providers (OIOSAML: at a stable URL)."""
    return HttpResponse(saml.sp_metadata(saml.base_url(request)), content_type="application/samlmetadata+xml")


@require_GET
@never_cache
def saml_sls(request: HttpRequest) -> HttpResponse:
    """Single logout (HTTP-Redirect): the identity provider's answer to our logout request, or its
    own logout request for a session it ends (then every Kapabel session of that person ends)."""
    provider = selectors.provider_by_id(request.session.get("sso_logout_provider"))
    if "SAMLResponse" in request.GET:
        if provider is not None:
            request.session.pop("sso_logout_provider", None)
            if not saml.is_logout_response_ok(provider, saml.base_url(request), request.GET["SAMLResponse"]):
                messages.warning(
                    request,
                    _("You are logged out of Kapabel, but the login service did not confirm its own logout."),
                )
                return redirect("login")
        messages.success(request, _("You are logged out."))
        return redirect("login")
    if "SAMLRequest" not in request.GET:
        raise Http404
    try:
        issuer = saml.logout_request_issuer(request.GET["SAMLRequest"])
    except SsoRefused as exc:
        return refused(request, exc, None)
    # One identity provider may serve several municipalities (KOMBIT's): the signature decides.
    last_error: SsoRefused | None = None
    for candidate in selectors.saml_providers_for_issuer(issuer):
        try:
            name_id, location = saml.handle_logout_request(
                candidate, saml.base_url(request), request.GET.dict()
            )
        except SsoRefused as exc:  # not this provider's signature: try the next
            last_error = exc
            continue
        ended = services.saml_sessions_end(provider=candidate, name_id=name_id)
        logger.info(
            "SAML logout from identity provider", extra={"provider": candidate.slug, "sessions": ended}
        )
        return redirect(location) if location else redirect("login")
    return refused(request, last_error or SsoRefused("logout request from no known provider"), None)


def logout_redirect(request: HttpRequest) -> str | None:
    """Registered with core's logout: a SAML session also asks its identity provider to log out."""
    provider = selectors.provider_by_id(request.session.get(SESSION_PROVIDER))
    if request.session.session_key:
        services.saml_session_forget(session_key=request.session.session_key)
    if provider is None or provider.protocol != IdentityProvider.Protocol.SAML:
        return None
    try:
        location = saml.logout_request_url(
            provider,
            saml.base_url(request),
            request.session.get(SESSION_NAME_ID, ""),
            request.session.get(SESSION_INDEX, ""),
        )
    except (SsoRefused, ValueError, KeyError) as exc:
        logger.warning("SAML logout request not sent", extra={"provider": provider.slug, "reason": str(exc)})
        return None
    if location is None:
        return None
    token = signing.dumps({"to": location, "provider": provider.pk}, salt="kapabel.sso.logout")
    return reverse("sso:saml_logout") + "?" + urlencode({"t": token})


@require_GET
@never_cache
def saml_logout(request: HttpRequest) -> HttpResponse:
    """A page that sends the browser on to the identity provider's logout (a link, followed at once by
    a small script). Not a redirect from the logout form: the page's form-action policy would stop it."""
    try:
        value = signing.loads(request.GET.get("t", ""), salt="kapabel.sso.logout", max_age=300)
    except signing.BadSignature as exc:
        raise Http404 from exc
    request.session["sso_logout_provider"] = value["provider"]
    return render(request, "sso/leaving.html", {"location": value["to"]})


def login_options(request: HttpRequest) -> list[dict[str, str]]:
    """Registered with core's login page: a button for each active identity provider."""
    next_url = request.GET.get("next", "")
    query = ""
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        query = "?" + urlencode({"next": next_url})
    return [
        {"href": reverse("sso:start", args=[provider.slug]) + query, "label": provider.name}
        for provider in selectors.active_providers().order_by("municipality__name", "name")
    ]
