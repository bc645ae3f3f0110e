"""Second factor (TOTP, RFC 6238) for local accounts, on django-otp: an authenticator app's six-digit
code after the password. Asked of everyone who has set one up, and required of local administrator
accounts (platform or municipality administrators) when KAPABEL_ADMIN_TOTP_REQUIRED is on: they set
it up at their next password login. Logins through single sign-on are left to the identity provider
(whose NSIS assurance level covers the second factor).

Whether a session still owes a code is decided once, when the person logs in (`on_login`), and kept
in the session: no query on every request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapabel.core import audit
from kapabel.core.access import scope_for
from kapabel.core.models import User

SESSION_KEY = "kapabel_second_factor"  # "verify" or "setup" while a code is owed
VERIFY, SETUP = "verify", "setup"
DEVICE_NAME = "Kapabel"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def required_for(user: User) -> bool:
    return settings.KAPABEL_ADMIN_TOTP_REQUIRED and scope_for(user).administers_any_municipality


def owed(user: User) -> str | None:
    """What a password login of `user` still owes: a code (VERIFY), a set-up (SETUP), or nothing."""
    if confirmed_device(user) is not None:
        return VERIFY
    return SETUP if required_for(user) else None


def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """user_logged_in receiver: note in the session whether a second factor is owed."""
    if request is None or not hasattr(request, "session"):
        return
    if getattr(request, "kapabel_sso_login", False):
        request.session.pop(SESSION_KEY, None)
        return
    state = owed(user)
    if state:
        request.session[SESSION_KEY] = state
    else:
        request.session.pop(SESSION_KEY, None)


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up (a new secret until it is confirmed with a code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def device_confirm(*, request: HttpRequest, user: User, device: TOTPDevice, token: str) -> tuple[bool, bool]:
    """Confirm a device being set up with a code from the app: (accepted, throttled)."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return False, True
    if not device.verify_token(token):
        return False, False
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record("sso.second_factor.set_up", actor=user, obj=user, object_repr=user.get_username())
    otp_login(request, device)
    request.session.pop(SESSION_KEY, None)
    return True, False


def verify(*, request: HttpRequest, user: User, token: str) -> tuple[bool, bool]:
    """Check a code at login: (accepted, throttled). django-otp slows down repeated wrong codes."""
    device = confirmed_device(user)
    if device is None:
        return False, False
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return False, True
    if not device.verify_token(token):
        return False, False
    otp_login(request, device)
    request.session.pop(SESSION_KEY, None)
    return True, False
