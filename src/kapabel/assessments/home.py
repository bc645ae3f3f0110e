"""Clarification on the start page (registered in `AssessmentsConfig.ready()`): the participant's
open answers as tasks, a manager's people waiting for them, and for HR and administrators the
campaigns in progress with how far they have got."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kapabel.assessments import permissions, selectors
from kapabel.core import tenancy
from kapabel.core.access import AccessScope
from kapabel.core.home import HomeSection, register
from kapabel.core.models import Role, User

# Who follows campaigns as a whole (a manager follows their own people instead).
CAMPAIGN_FOLLOWERS = (Role.HR, Role.COORDINATOR, Role.MUNICIPALITY_ADMIN)


def tasks_for_user(user: User) -> list[dict[str, Any]]:
    """ "My tasks": the open campaigns the user answers in and has not submitted."""
    tasks = []
    for assessment in selectors.my_open_assessments(user)[:20]:
        campaign = assessment.campaign
        tasks.append(
            {
                "href": reverse("assessments:assessment_form", kwargs={"assessment_pk": assessment.pk}),
                "label": _("Answer “%(campaign)s” by %(date)s")
                % {"campaign": campaign.name, "date": date_format(campaign.closes_on, "SHORT_DATE_FORMAT")},
                "note": campaign.get_kind_display(),
            }
        )
    return tasks


def _awaiting(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not scope.has_role(Role.MANAGER):
        return None
    waiting = selectors.awaiting_manager(request.user)  # type: ignore[arg-type]  # behind login_required
    return {"awaiting": waiting} if waiting["total"] else None


def _campaigns(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    if not (scope.is_platform_admin or scope.grants_for(*CAMPAIGN_FOLLOWERS)):
        return None
    user: User = request.user  # type: ignore[assignment]  # behind login_required
    municipality_id = tenancy.current_municipality_id(request)
    return {
        "campaigns_in_progress": selectors.campaigns_in_progress(user),
        "can_create_campaign": municipality_id is not None
        and permissions.can_manage_campaigns(user, municipality_id),
    }


def register_sections() -> None:
    register(HomeSection("assessments.awaiting", "assessments/home/awaiting.html", _awaiting, order=5))
    register(HomeSection("assessments.campaigns", "assessments/home/campaigns.html", _campaigns, order=6))
