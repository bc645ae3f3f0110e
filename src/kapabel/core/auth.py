"""Login with throttling of failed attempts."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kapabel.core.forms import DesignSystemFormMixin
from kapabel.core.models import FailedLogin

IP_FACTOR = 4  # one address may fail for several users (a shared office NAT) before it is slowed


def client_ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.KAPABEL_LOGIN_WINDOW_MINUTES)


def is_locked_out(username: str, ip: str | None) -> bool:
    recent = FailedLogin.objects.filter(at__gte=_window_start())
    limit = settings.KAPABEL_LOGIN_MAX_FAILURES
    if recent.filter(username__iexact=username).count() >= limit:
        return True
    return ip is not None and recent.filter(ip_address=ip).count() >= limit * IP_FACTOR


def note_failure(username: str, ip: str | None) -> None:
    FailedLogin.objects.filter(at__lt=_window_start()).delete()
    FailedLogin.objects.create(username=username[:150], ip_address=ip)


def clear_failures(username: str, ip: str | None) -> None:
    FailedLogin.objects.filter(Q(username__iexact=username)).delete()


class ThrottledAuthenticationForm(DesignSystemFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": _(
            "Too many failed login attempts. Wait %(minutes)d minutes and try again, "
            "or ask your administrator to reset your password."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if username and is_locked_out(username, ip):
            raise ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": settings.KAPABEL_LOGIN_WINDOW_MINUTES},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                note_failure(username, ip)
            raise
        clear_failures(username, ip)
        return cleaned
