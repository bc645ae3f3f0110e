"""Shared view helpers: the acting user, HTMX detection, service errors onto forms, POST-only actions.

Views stay thin by using these; each exists once."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from kapabel.core.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind `login_required` or the API's authentication: `user` is a signed-in user
    (django-stubs' pattern). Annotate a view's request with it, or call `request_user`."""

    user: User


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind `login_required` (or of an authenticated API call), typed
    as the project's User for the selectors, permission helpers and services (as the actor). Anyone
    else is refused rather than silently given no scope or recorded as nobody."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied
    return user


def is_htmx(request: HttpRequest) -> bool:
    """The request came from HTMX (render the fragment, not the whole page)."""
    return request.headers.get("HX-Request") == "true"


def form_errors_from(exc: ValidationError, form: forms.BaseForm) -> None:
    """Show a service's validation errors on the form's fields (or at the top when the field is not
    on the form, or the error belongs to no field)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class MethodNotAllowed(Exception):
    """Raised by `require_post`; `MethodNotAllowedMiddleware` answers 405."""

    def __init__(self, permitted: list[str]):
        super().__init__(", ".join(permitted))
        self.permitted = permitted


def require_post(request: HttpRequest) -> None:
    """For actions that only make sense as a POST. Call it after the view's permission-checked fetch,
    so a stranger gets the 404 for another's object, not a 405 that would confirm the URL's shape."""
    if request.method != "POST":
        raise MethodNotAllowed(["POST"])


View = TypeVar("View", bound=Callable[..., HttpResponse])


def post_only(view: View) -> View:
    """For POST-only views that fetch no object (nothing to hide): answer 405 to anything else."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_post(request)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature; mypy cannot see it


class MethodNotAllowedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, MethodNotAllowed):
            return HttpResponseNotAllowed(exception.permitted)
        return None
