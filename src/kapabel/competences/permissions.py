"""Permission-checked fetches and rules for frameworks and profiles.

Who may do what:
- read a framework and its published or retired versions: everyone in the owning municipality,
  in a municipality it is shared with, and everyone for a national framework (no owner);
- read a draft version or draft profile: its editors and the participants of an open consultation;
- edit frameworks and profiles, open consultations, decide on proposals: HR and municipality
  administrators of the owning municipality (platform administrators for national frameworks);
- comment: the participants an editor chose, while the consultation is open;
- set a person's individual target: their managers, HR whose grant covers the person's unit and
  municipality administrators (platform administrators everywhere) — not coordinators, who read
  people data but do not decide on a person's goals, and nobody for themselves.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from kapabel.competences import selectors
from kapabel.competences.models import (
    Comment,
    Competence,
    Consultation,
    Framework,
    FrameworkVersion,
    Profile,
)
from kapabel.core.access import path_in_subtree, scope_for
from kapabel.core.models import Role
from kapabel.organisation.models import Employee


def can_edit_in_municipality(user: Any, municipality_id: int | None) -> bool:
    scope = scope_for(user)
    if scope.is_platform_admin:
        return True
    if municipality_id is None:
        return False
    return scope.is_municipality_admin(municipality_id) or any(
        grant.municipality_id == municipality_id for grant in scope.grants_for(Role.HR)
    )


def can_edit_framework(user: Any, framework: Framework) -> bool:
    return can_edit_in_municipality(user, framework.municipality_id)


def can_edit_profile(user: Any, profile: Profile) -> bool:
    return can_edit_in_municipality(user, profile.municipality_id)


def can_author_anything(user: Any) -> bool:
    """Holds a role that creates frameworks or profiles somewhere."""
    scope = scope_for(user)
    return scope.is_platform_admin or bool(scope.grants_for(Role.HR, Role.MUNICIPALITY_ADMIN))


def editable_municipality_ids(user: Any) -> list[int]:
    scope = scope_for(user)
    return sorted({g.municipality_id for g in scope.grants_for(Role.HR, Role.MUNICIPALITY_ADMIN)})


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def get_framework_for_user(user: Any, pk: int) -> Framework:
    return get_object_or_404(selectors.frameworks_for_user(user), pk=pk)


def get_version_for_user(user: Any, pk: int) -> FrameworkVersion:
    version = get_object_or_404(
        FrameworkVersion.objects.select_related("framework", "scale").filter(
            framework__in=selectors.frameworks_for_user(user)
        ),
        pk=pk,
    )
    if not selectors.may_read_version(user, version):
        raise Http404
    return version


def get_competence_for_user(user: Any, pk: int) -> Competence:
    competence = get_object_or_404(
        Competence.objects.select_related("version__framework", "parent", "scale"), pk=pk
    )
    get_version_for_user(user, competence.version_id)
    return competence


def get_profile_for_user(user: Any, pk: int) -> Profile:
    return get_object_or_404(selectors.profiles_for_user(user), pk=pk)


def get_consultation_for_user(user: Any, pk: int) -> Consultation:
    return get_object_or_404(selectors.consultations_for_user(user), pk=pk)


def get_comment_for_user(user: Any, pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("consultation"), pk=pk)
    get_consultation_for_user(user, comment.consultation_id)
    return comment


def can_edit_consultation_subject(user: Any, consultation: Consultation) -> bool:
    return can_edit_in_municipality(user, consultation.municipality_id)


def can_comment(user: Any, consultation: Consultation) -> bool:
    if not consultation.is_open:
        return False
    scope = scope_for(user)
    if can_edit_consultation_subject(user, consultation):
        return True
    if scope.employee_id is None:
        return False
    return consultation.participants.filter(pk=scope.employee_id).exists()


def can_set_individual_target(user: Any, employee: Employee) -> bool:
    """Whether `user` may set or remove `employee`'s individual target (the rule in the module
    docstring). The one rule the HTML pages and the API both ask."""
    scope = scope_for(user)
    if scope.is_platform_admin:
        return True
    if employee.pk == scope.employee_id:
        return False
    if scope.is_municipality_admin(employee.municipality_id):
        return True
    return any(
        grant.municipality_id == employee.municipality_id
        and (grant.path is None or path_in_subtree(employee.unit.path, grant.path))
        for grant in scope.grants_for(Role.MANAGER, Role.HR)
    )
