"""The organisation's sections of the start page (registered in `OrganisationConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kapabel.core import navigation
from kapabel.core.access import AccessScope
from kapabel.core.home import HomeSection, register
from kapabel.core.models import Role
from kapabel.organisation import permissions, selectors


def _me(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not scope.employee_id:
        return None
    me = selectors.employees_for_user(request.user, active=None).get(pk=scope.employee_id)
    return {"me": me, "my_tasks": navigation.tasks_for(request.user)}  # task providers come from the apps


def _team(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not scope.has_role(Role.MANAGER):
        return None
    rows = selectors.team_overview(request.user)
    return {"team": rows} if rows else None


def _overview(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not permissions.sees_organisation_overview(scope):
        return None
    return {"overview": selectors.municipality_overview(request.user)}


def register_sections() -> None:
    register(HomeSection("organisation.me", "organisation/home/me.html", _me, order=10))
    register(HomeSection("organisation.team", "organisation/home/team.html", _team, order=20))
    register(HomeSection("organisation.overview", "organisation/home/overview.html", _overview, order=30))
