"""API authentication: personal access tokens (Bearer) or the browser session (with CSRF). In core so
that every app's router can require a write scope without importing the API package above it."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from kapabel.core import tokens
from kapabel.core.models import PersonalAccessToken, User

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = tokens.token_lookup(token)
        if found is None:
            return None
        # A read-only token is refused on every writing method before anything is parsed or looked up
        # (operations also call `require_write_scope`, the same rule at the service boundary).
        if request.method not in SAFE_METHODS and found.scope != PersonalAccessToken.Scope.WRITE:
            raise PermissionDenied(_("This token is read-only."))
        request.user = found.user
        request.token_scope = found.scope  # type: ignore[attr-defined]  # our own attribute on the request
        return found.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session. Unsafe methods need the CSRF token, as in the HTML views."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if request.user.is_authenticated and request.user.is_active:
            request.token_scope = PersonalAccessToken.Scope.WRITE  # type: ignore[attr-defined]  # our own attribute
            return cast(User, request.user)  # authenticated, so the project's User
        return None


def require_write_scope(request: HttpRequest) -> None:
    """A read-only token may not change anything, whatever its user may do."""
    if getattr(request, "token_scope", None) != PersonalAccessToken.Scope.WRITE:
        raise PermissionDenied(_("This token is read-only."))
