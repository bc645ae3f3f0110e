"""The administration's section of the start page: a platform administrator on an installation without
municipalities is shown the way to the first one (registered in `AdministrationConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kapabel.administration import permissions, selectors
from kapabel.core.access import AccessScope
from kapabel.core.home import HomeSection, register


def _first_municipality(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not permissions.can_create_municipality(request.user):
        return None
    if selectors.municipalities_overview(request.user).exists():
        return None
    return {"no_municipality_yet": True}


def register_sections() -> None:
    register(
        HomeSection("administration.first", "administration/home_first.html", _first_municipality, order=5)
    )
