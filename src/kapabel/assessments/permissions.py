"""Permission-checked fetches for campaigns, assessments and ratings: 404 when the user may not see
the object, 403 when they may see it but not do what they asked."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from kapabel.assessments import selectors
from kapabel.assessments.models import Assessment, Campaign, Rating
from kapabel.core.access import scope_for
from kapabel.core.models import Role


def get_campaign_for_user(user: Any, pk: int) -> Campaign:
    return get_object_or_404(selectors.campaigns_for_user(user), pk=pk)


def get_assessment_for_user(user: Any, pk: int) -> Assessment:
    return get_object_or_404(
        selectors.assessments_for_user(user).select_related(
            "campaign__framework_version", "campaign__profile", "employee__unit"
        ),
        pk=pk,
    )


def get_rating_for_user(user: Any, pk: int) -> Rating:
    return get_object_or_404(selectors.ratings_for_user(user), pk=pk)


def can_manage_campaigns(user: Any, municipality_id: int) -> bool:
    """Create and close campaigns: HR and municipality administrators of the municipality."""
    scope = scope_for(user)
    return scope.is_platform_admin or any(
        g.municipality_id == municipality_id for g in scope.grants_for(Role.HR, Role.MUNICIPALITY_ADMIN)
    )


def require_manage_campaigns(user: Any, municipality_id: int) -> None:
    if not can_manage_campaigns(user, municipality_id):
        raise PermissionDenied


def can_manage_settings(user: Any, municipality_id: int) -> bool:
    return scope_for(user).is_municipality_admin(municipality_id)


def is_participant(user: Any, assessment: Assessment) -> bool:
    return scope_for(user).employee_id == assessment.employee_id


def require_participant(user: Any, assessment: Assessment) -> None:
    if not is_participant(user, assessment):
        raise PermissionDenied


def can_assess_as_manager(user: Any, assessment: Assessment) -> bool:
    """The person's manager: leads a unit whose subtree holds the person, and is not the person."""
    scope = scope_for(user)
    if scope.employee_id == assessment.employee_id:
        return False
    path = assessment.employee.unit.path
    return any(
        grant.path
        and path.startswith(grant.path)
        and grant.municipality_id == assessment.campaign.municipality_id
        for grant in scope.grants_for(Role.MANAGER)
    )


def require_manager_of(user: Any, assessment: Assessment) -> None:
    if not can_assess_as_manager(user, assessment):
        raise PermissionDenied


def can_correct_rating(user: Any, rating: Rating) -> bool:
    """The author's side may correct: the person their own self rating, a manager the manager and
    agreed ratings of their people, HR and administrators of the municipality any person rating."""
    scope = scope_for(user)
    if rating.source == "self":
        return scope.employee_id == rating.employee_id
    if rating.source == "leader":
        return rating.author_id == getattr(user, "pk", None) or can_manage_campaigns(
            user, rating.municipality_id
        )
    if can_manage_campaigns(user, rating.municipality_id):
        return True
    employee = rating.employee
    return (
        employee is not None
        and scope.employee_id != employee.pk
        and any(g.path and employee.unit.path.startswith(g.path) for g in scope.grants_for(Role.MANAGER))
    )
