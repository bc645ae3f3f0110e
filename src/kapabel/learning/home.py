"""Learning's start-page sections and "My tasks" entries (registered in `LearningConfig.ready()`):
the employee's upcoming sessions and open requests, the approvals waiting for a manager, and for HR the
cohorts starting soon or still under their minimum size."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import ngettext

from kapabel.core.access import AccessScope
from kapabel.core.home import HomeSection, register
from kapabel.core.tenancy import current_municipality_id
from kapabel.learning import permissions, selectors_admin, selectors_pages


def _mine(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not scope.employee_id:
        return None
    return {
        "learning_sessions": selectors_pages.my_calendar(request.user, scope.employee_id, limit=5),
        "learning_requests": selectors_pages.my_open_requests(request.user, scope.employee_id),
    }


def _approvals(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not permissions.approves_anywhere(scope):
        return None
    waiting = selectors_admin.approvals_to_decide(request.user)
    return {"learning_approvals": waiting} if waiting else None


def _cohorts(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not permissions.administers_learning_anywhere(scope):
        return None
    municipality_id = current_municipality_id(request)
    if municipality_id is None or not permissions.can_administer_learning(request.user, municipality_id):
        return None
    found = selectors_admin.cohorts_needing_attention(request.user, municipality_id)
    if not found["soon"] and not found["small"]:
        return None
    return {"learning_cohorts": found}


def tasks_for_user(user: Any) -> list[dict[str, Any]]:
    """ "My tasks": learning requests this user may approve now."""
    waiting = selectors_admin.approvals_to_decide(user)
    if not waiting:
        return []
    return [
        {
            "href": reverse("learning:approvals"),
            "label": ngettext(
                "Approve %(count)d learning request", "Approve %(count)d learning requests", waiting
            )
            % {"count": waiting},
        }
    ]


def register_sections() -> None:
    register(HomeSection("learning.mine", "learning/home/mine.html", _mine, order=15))
    register(HomeSection("learning.approvals", "learning/home/approvals.html", _approvals, order=25))
    register(HomeSection("learning.cohorts", "learning/home/cohorts.html", _cohorts, order=35))
