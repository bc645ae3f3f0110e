"""Sends a session that still owes its second factor (see `second_factor`) to the page asking for it.
Only that page, logging out and the language switch are open until then."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from kapabel.core import outage
from kapabel.sso.second_factor import SESSION_KEY


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        try:
            pending = session is not None and session.get(SESSION_KEY) and request.user.is_authenticated
        except (OperationalError, InterfaceError) as exc:
            # Loading the session needs the database: without it nobody may pass unchecked. The
            # probes read no one's data and answer for the database themselves.
            if request.path in ("/readyz", "/readyz/", "/healthz", "/healthz/"):
                return self.get_response(request)
            outage.log_unavailable(request, exc)
            return outage.unavailable_response(request)
        if pending:
            open_paths = (
                reverse("sso:second_factor"),
                reverse("logout"),
                reverse("set_language"),
                settings.STATIC_URL,
            )
            if not request.path.startswith(open_paths):
                target = reverse("sso:second_factor")
                if request.method == "GET":
                    target += "?" + urlencode({"next": request.get_full_path()})
                return redirect(target)
        return self.get_response(request)
