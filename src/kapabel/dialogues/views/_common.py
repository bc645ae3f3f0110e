"""Shared pieces of the dialogue views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from kapabel.core.web import request_user

__all__ = ["post_action", "request_user"]


def post_action(request: HttpRequest, action: Callable[[], Any], *, success: str, back: str) -> HttpResponse:
    """Call the service; a refusal becomes an error message, success a confirmation; back to `back`."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(back)
