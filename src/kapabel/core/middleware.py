import logging
import time
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, empty

logger = logging.getLogger("kapabel.request")


class RequestLogMiddleware:
    """Logs each request as one structured line with a request id (also sent as X-Request-ID)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # our own attribute on the request
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        logger.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": _user_id(request),
            },
        )
        return response


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id if the request has looked the user up; the log never makes the
    lookup itself (it would cost queries, and fail again when the database is what failed)."""
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response Kapabel builds: its pages, exports and API answers
    carry personal data, which no browser or proxy cache may keep (or show the next person on a shared
    computer through the back button). Static files keep the caching WhiteNoise gives them (the health
    probes are never_cache already)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL or "/static/"):
            patch_cache_control(response, no_store=True, private=True)
        return response
