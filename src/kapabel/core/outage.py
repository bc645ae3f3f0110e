"""The database is unreachable (down, restarting, a lost connection): what a request gets then.

Pages get a friendly 503 page in the user's language (no traceback, nothing that needs the database);
the API gets a 503 problem+json; `/readyz` says 503 so the load balancer stops sending traffic. Each
answer carries `Retry-After`. Django drops a connection that failed at the end of the request
(and `CONN_HEALTH_CHECKS` checks a kept one before it is reused), so when the database is back, the
next requests work again without a restart of the application.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("kapabel.outage")

RETRY_AFTER_SECONDS = 30


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether the error (or one it arose from) says the database cannot be reached or cannot
    serve now (Django's OperationalError and InterfaceError), rather than a fault in a query."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def unavailable_page(request: HttpRequest | None = None) -> HttpResponse:
    """The 503 page: rendered without the request's context (it would need the database)."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def log_unavailable(request: HttpRequest, exc: BaseException) -> None:
    logger.warning("database unavailable", extra={"path": request.path, "error": type(exc).__name__})


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is unreachable answers with the 503 page (the API
    answers for itself, in problem+json). Errors raised in other middleware reach `error_500`,
    which answers the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        log_unavailable(request, exception)
        return unavailable_page(request)
