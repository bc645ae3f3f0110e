"""Login with throttling of failed attempts.

Every attempt is written down (a `FailedLogin` row, committed on its own) BEFORE its password is
checked, and only then are the attempts in the window counted, its own included. Attempts sent in
parallel so see each other: whatever their timing, the attempt whose row is committed n-th counts at
least n rows, so at most KAPABEL_LOGIN_MAX_FAILURES of a burst get their password checked (the rest
are refused and remove their row again). A wrong password marks its row finished and it counts until
the window has passed. A right password removes its own row and the failures that had finished before
it started, as a reset for the person who mistyped; guesses still running beside it stay counted, so a
right password in a burst of guesses does not open the door for the rest.

The row must be committed before the count, so the form must not run inside a transaction (Django's
LoginView does not; ATOMIC_REQUESTS is off).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kapabel.core.forms import DesignSystemFormMixin
from kapabel.core.models import FailedLogin

IP_FACTOR = 4  # one address may fail for several users (a shared office NAT) before it is slowed

# --- Other ways in and out ---------------------------------------------------------------------
# Core knows only local passwords. A higher app that offers other ways to log in (single sign-on)
# registers, from its AppConfig.ready(): the buttons for the login page, a rule that can refuse a
# password login to someone (their municipality logs in through SSO only), and where to send a
# browser after logging out (the identity provider's logout). Each call stays explicit below.
LoginOptions = Callable[[HttpRequest], list[dict[str, str]]]
LocalLoginCheck = Callable[[Any], str | None]
LogoutRedirect = Callable[[HttpRequest], str | None]
_login_options: list[LoginOptions] = []
_local_login_checks: list[LocalLoginCheck] = []
_logout_redirects: list[LogoutRedirect] = []


def register_login_options(options: LoginOptions) -> None:
    """`options(request)` returns [{"href": …, "label": …}], shown as buttons on the login page."""
    if options not in _login_options:
        _login_options.append(options)


def register_local_login_check(check: LocalLoginCheck) -> None:
    """`check(user)` returns why that user may not log in with a password, or None."""
    if check not in _local_login_checks:
        _local_login_checks.append(check)


def register_logout_redirect(target: LogoutRedirect) -> None:
    """`target(request)`, asked before the session ends, returns where to go after logout, or None."""
    if target not in _logout_redirects:
        _logout_redirects.append(target)


def local_login_refusal(user: Any) -> str | None:
    return next((reason for check in _local_login_checks if (reason := check(user))), None)


def client_ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.KAPABEL_LOGIN_WINDOW_MINUTES)


def _delete(rows: QuerySet[FailedLogin]) -> None:
    """One DELETE statement, outside any transaction. QuerySet.delete() wraps even a plain delete in
    a transaction, which on SQLite holds the write lock across Python code between BEGIN and COMMIT;
    a lone statement holds it only while SQLite runs it. FailedLogin has no relations or signals."""
    rows._raw_delete(rows.db)


def attempt_start(username: str, ip: str | None) -> FailedLogin | None:
    """Record an attempt (committed at once), then count: the attempt if it may check its password,
    None if there were already too many attempts for this username or address in the window."""
    attempt = FailedLogin.objects.create(username=username[:150], ip_address=ip)
    recent = FailedLogin.objects.filter(at__gte=_window_start())
    limit = settings.KAPABEL_LOGIN_MAX_FAILURES
    over = recent.filter(username__iexact=attempt.username).count() > limit or (
        ip is not None and recent.filter(ip_address=ip).count() > limit * IP_FACTOR
    )
    if over:
        # Refused without a password check: not a failure, and counting it would only keep
        # extending the lockout while someone keeps trying.
        _delete(FailedLogin.objects.filter(pk=attempt.pk))
        return None
    return attempt


def attempt_failed(attempt: FailedLogin) -> None:
    FailedLogin.objects.filter(pk=attempt.pk).update(finished_at=timezone.now())
    _delete(FailedLogin.objects.filter(at__lt=_window_start()))


def attempt_succeeded(attempt: FailedLogin) -> None:
    _delete(
        FailedLogin.objects.filter(
            Q(pk=attempt.pk) | Q(username__iexact=attempt.username, finished_at__lt=attempt.at)
        )
    )


class ThrottledAuthenticationForm(DesignSystemFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": _(
            "Too many failed login attempts. Wait %(minutes)d minutes and try again, "
            "or ask your administrator to reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if not (username and self.cleaned_data.get("password")):
            return super().clean()  # a required field is missing: no password to check
        attempt = attempt_start(username, client_ip(self.request))
        if attempt is None:
            raise ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": settings.KAPABEL_LOGIN_WINDOW_MINUTES},
            )
        try:
            cleaned = super().clean()
        except BaseException:  # a wrong password (ValidationError), or an error while checking it
            attempt_failed(attempt)
            raise
        attempt_succeeded(attempt)
        # The password was right (not a failure), but this person must log in another way.
        refusal = local_login_refusal(self.get_user())
        if refusal:
            raise ValidationError(refusal, code="local_login_off")
        return cleaned


class LoginView(auth_views.LoginView):
    """Django's login page with throttling and the other ways in (single sign-on buttons)."""

    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["login_options"] = [option for options in _login_options for option in options(self.request)]
        return context


class LogoutView(auth_views.LogoutView):
    """Django's logout; then on to the identity provider's logout when the session came from one."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = next((url for find in _logout_redirects if (url := find(request))), None)
        response = super().post(request, *args, **kwargs)
        return redirect(target) if target else response
