"""The gap analysis on the start page (registered in `GapsConfig.ready()`): a person's own profile
in brief, a manager's team gaps, and for HR and administrators the biggest gaps where they work.
The same selectors and suppression as the gap pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kapabel.core.access import AccessScope
from kapabel.core.home import HomeSection, register
from kapabel.core.models import Role, User
from kapabel.gaps import permissions, selectors
from kapabel.organisation import selectors as org_selectors

TOP = 5
# Who sees the biggest gaps of the whole part of the organisation they work for.
OVERVIEW_ROLES = (Role.HR, Role.COORDINATOR, Role.MUNICIPALITY_ADMIN)


def _top_rows(user: User, unit: Any) -> list[dict[str, Any]]:
    rows = selectors.priorities(user, unit, groups=0)["rows"]
    return [r for r in rows if not r["cell"].suppressed and r["cell"].weighted_gap_sum > 0][:TOP]


def _my_profile(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    user: User = request.user  # type: ignore[assignment]  # behind login_required
    me = permissions.get_own_employee(user)
    if me is None:
        return None
    return {"my_gaps": selectors.profile_summary(me)}


def _team_gaps(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not scope.has_role(Role.MANAGER):
        return None
    user: User = request.user  # type: ignore[assignment]  # behind login_required
    units = [row["unit"] for row in org_selectors.team_overview(user)][:2]
    teams = [{"unit": unit, "rows": _top_rows(user, unit)} for unit in units]
    return {"team_gaps": teams} if teams else None


def _biggest(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not (scope.is_platform_admin or scope.grants_for(*OVERVIEW_ROLES)):
        return None
    user: User = request.user  # type: ignore[assignment]  # behind login_required
    unit = selectors.default_unit(user)
    if unit is None:
        return None
    return {"biggest_gaps": {"unit": unit, "rows": _top_rows(user, unit)}}


def register_sections() -> None:
    register(HomeSection("gaps.my_profile", "gaps/home/my_profile.html", _my_profile, order=15))
    register(HomeSection("gaps.team", "gaps/home/team.html", _team_gaps, order=25))
    register(HomeSection("gaps.biggest", "gaps/home/biggest.html", _biggest, order=35))
