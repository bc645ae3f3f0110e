"""Shared pieces of the learning views: the acting user, "the" municipality, where to go back to, and
the one shape of every POST-only action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from kapabel.core.models import Municipality
from kapabel.core.tenancy import current_municipality
from kapabel.core.web import request_user

__all__ = ["back_url", "municipality", "post_action", "request_user"]


def municipality(request: HttpRequest) -> Municipality:
    """The municipality the page works in (the header's switcher); 403 for a user without one."""
    found = current_municipality(request)
    if found is None:
        raise PermissionDenied
    return found


def back_url(request: HttpRequest, default: str) -> str:
    """The `next` the form sent, if it is a path on this site; otherwise `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def post_action(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    back: str,
) -> HttpResponse:
    """Call the service; a guard's refusal becomes an error message, success a confirmation; then back
    to the page the action came from. A missing right (PermissionDenied) stays a 403: the pages only
    offer the actions the user may take."""
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(back_url(request, back))
