"""The organisation's sections of the start page (registered in `OrganisationConfig.ready()`): the
tasks every app contributes, the person's own details, a manager's units, the latest HR imports and
the figures of the organisation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kapabel.core import navigation
from kapabel.core.access import AccessScope
from kapabel.core.home import HomeSection, register
from kapabel.core.models import Role
from kapabel.organisation import permissions, selectors


def _tasks(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    tasks = navigation.tasks_for(request.user)  # task providers come from the apps
    if not tasks and not scope.employee_id:
        return None
    return {"my_tasks": tasks}


def _me(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not scope.employee_id:
        return None
    me = selectors.employees_for_user(request.user, active=None).get(pk=scope.employee_id)
    return {"me": me}


def _team(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not scope.has_role(Role.MANAGER):
        return None
    rows = selectors.team_overview(request.user)
    return {"team": rows} if rows else None


def _imports(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not permissions.imports_hr_anywhere(scope):
        return None
    ids = permissions.hr_import_municipality_ids(request.user)
    return {"recent_imports": selectors.recent_hr_imports(municipality_ids=ids)}


def _overview(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not permissions.sees_organisation_overview(scope):
        return None
    return {"overview": selectors.municipality_overview(request.user)}


def register_sections() -> None:
    register(HomeSection("organisation.tasks", "organisation/home/tasks.html", _tasks, order=10))
    register(HomeSection("organisation.team", "organisation/home/team.html", _team, order=28))
    register(HomeSection("organisation.imports", "organisation/home/imports.html", _imports, order=45))
    register(HomeSection("organisation.overview", "organisation/home/overview.html", _overview, order=60))
    register(HomeSection("organisation.me", "organisation/home/me.html", _me, order=70))
