"""The page that asks for the second factor after a password login, or sets it up first."""

from __future__ import annotations

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from kapabel.core.forms import DesignSystemFormMixin
from kapabel.core.web import request_user
from kapabel.sso import second_factor


class CodeForm(DesignSystemFormMixin, forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("Enter the six digits the app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return reverse("home")


@login_required
@never_cache
def second_factor_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    state = request.session.get(second_factor.SESSION_KEY)
    if state is None:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    device = second_factor.pending_device(user) if state == second_factor.SETUP else None
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        if device is not None:
            accepted, throttled = second_factor.device_confirm(
                request=request, user=user, device=device, token=token
            )
            wrong = _("That code is not right. Check the time on your phone and try again.")
        else:
            accepted, throttled = second_factor.verify(request=request, user=user, token=token)
            wrong = _("That code is not right. Try the next one the app shows.")
        if accepted:
            return redirect(_next(request))
        form.add_error(
            "token", _("Too many wrong codes. Wait a little and try again.") if throttled else wrong
        )
    context = {"form": form, "setup": device is not None, "next": _next(request)}
    if device is not None:
        # An SVG drawn by segno from the otpauth:// URI: no image service, nothing leaves the server.
        qr = segno.make(device.config_url, error="m")
        context["qr_svg"] = mark_safe(qr.svg_inline(scale=4, title=_("QR code for your authenticator app")))  # noqa: S308
        context["secret"] = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return render(request, "sso/second_factor.html", context)
