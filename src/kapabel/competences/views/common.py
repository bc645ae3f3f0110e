"""What the competence views share: the signed-in request type, where a framework version lives,
and the shape of a POST-only action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from kapabel.competences.models import Framework, FrameworkVersion


def framework_url(framework: Framework, version: FrameworkVersion | None = None) -> str:
    url = reverse("competences:framework_detail", kwargs={"framework_pk": framework.pk})
    return f"{url}?version={version.number}" if version is not None else url


def post_action(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    done_url: str | Callable[[Any], str],
    failed_url: str,
) -> HttpResponse:
    """The shape of every POST-only action: call the service; a refusal becomes an error message,
    success a confirmation; then redirect (to where the result lives, or back)."""
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(failed_url)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(done_url(result) if callable(done_url) else done_url)
