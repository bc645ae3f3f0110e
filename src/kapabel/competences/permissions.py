"""Who may see and do what with frameworks, profiles and consultations: the one place for these rules,
built on the access scope of `kapabel.core.access`. The selectors filter with the `*_q` rules here;
the `get_*_for_user` fetches answer 404 for what a user may not see.

Who may do what:
- read a framework and its published or retired versions: everyone in the owning municipality,
  in a municipality it is shared with, and everyone for a national framework (no owner);
- read a draft version or draft profile: its editors and the participants of an open consultation;
- edit frameworks and profiles, open consultations, decide on proposals: HR and municipality
  administrators of the owning municipality (platform administrators for national frameworks);
  an HR consultant granted one subtree edits only profiles whose people lie within it (unit
  profiles of units in the subtree, and named ideals), and invites only people they may see;
- comment: the participants an editor chose, while the consultation is open;
- set a person's individual target: their managers, HR whose grant covers the person's unit and
  municipality administrators (platform administrators everywhere) — not coordinators, who read
  people data but do not decide on a person's goals, and nobody for themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from kapabel.competences.models import (
    Comment,
    Competence,
    Consultation,
    Framework,
    FrameworkVersion,
    Profile,
    Status,
)
from kapabel.core.access import AccessScope, path_in_subtree, scope_for
from kapabel.core.models import Municipality, Role, User
from kapabel.organisation.models import Employee, OrgUnit

# The roles that author frameworks and profiles in their municipality.
EDITOR_ROLES = (Role.HR, Role.MUNICIPALITY_ADMIN)
NOTHING = Q(pk__in=[])


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Editing ------------------------------------------------------------------------------------


def _editor_municipality_ids(scope: AccessScope) -> set[int]:
    return {grant.municipality_id for grant in scope.grants_for(*EDITOR_ROLES)}


def editable_municipality_ids(user: User) -> list[int]:
    """The municipalities where the user holds an editing role (not "all" for platform admins)."""
    return sorted(_editor_municipality_ids(scope_for(user)))


def can_edit_in_municipality(user: User, municipality_id: int | None) -> bool:
    scope = scope_for(user)
    if scope.is_platform_admin:
        return True
    if municipality_id is None:
        return False
    return municipality_id in _editor_municipality_ids(scope)


def require_edit_in_municipality(user: User, municipality: Municipality | None) -> Municipality:
    """The municipality a page creates something in (the user's current one), if the user may edit
    there; PermissionDenied otherwise (also when there is none)."""
    if municipality is None or not can_edit_in_municipality(user, municipality.pk):
        raise PermissionDenied
    return municipality


def can_edit_framework(user: User, framework: Framework) -> bool:
    return can_edit_in_municipality(user, framework.municipality_id)


def _editor_paths(scope: AccessScope, municipality_id: int) -> list[str] | None:
    """The unit subtrees the user edits for in the municipality; None for the whole municipality
    (administrators, HR granted the whole municipality, platform administrators)."""
    if scope.is_platform_admin:
        return None
    paths: list[str] = []
    for grant in scope.grants_for(*EDITOR_ROLES):
        if grant.municipality_id != municipality_id:
            continue
        if grant.path is None:
            return None
        paths.append(grant.path)
    return paths


def edits_whole_municipality(user: User, municipality_id: int) -> bool:
    """An editor whose grant is the whole municipality, not a subtree of it."""
    return _editor_paths(scope_for(user), municipality_id) is None


def can_target_profile_subject(user: User, municipality_id: int, kind: str, unit: OrgUnit | None) -> bool:
    """Whether the user may edit a profile for this subject: whose targets it sets must lie within
    their grant. A unit profile sets targets in the unit's subtree, so an editor granted a subtree
    may make one for a unit inside it; a job-role profile sets targets for everyone in the role
    across the municipality, so it needs a grant for the whole municipality; a named ideal sets
    nobody's targets."""
    if not can_edit_in_municipality(user, municipality_id):
        return False
    paths = _editor_paths(scope_for(user), municipality_id)
    if paths is None or kind == Profile.Kind.NAMED:
        return True
    if kind == Profile.Kind.UNIT and unit is not None:
        return any(path_in_subtree(unit.path, root) for root in paths)
    return False


def can_edit_profile(user: User, profile: Profile) -> bool:
    return can_target_profile_subject(user, profile.municipality_id, profile.kind, profile.unit)


def can_move_profiles(user: User, municipality_id: int | None) -> bool:
    """Move all of a municipality's profiles of a framework onto a newer version: the move changes
    every profile, job-role profiles included, so it needs an editor for the whole municipality."""
    return (
        municipality_id is not None
        and can_edit_in_municipality(user, municipality_id)
        and edits_whole_municipality(user, municipality_id)
    )


def employees_outside_view(user: User, employees: Sequence[Employee]) -> list[Employee]:
    """Of `employees`, those the user may not read (a consultation invites only people the editor
    sees)."""
    if not employees:
        return []
    visible = set(
        Employee.objects.filter(scope_for(user).employees_q(), pk__in=[e.pk for e in employees]).values_list(
            "pk", flat=True
        )
    )
    return [e for e in employees if e.pk not in visible]


def can_author_anything(user: User) -> bool:
    """Holds a role that creates frameworks or profiles somewhere."""
    scope = scope_for(user)
    return scope.is_platform_admin or bool(scope.grants_for(*EDITOR_ROLES))


def can_edit_consultation_subject(user: User, consultation: Consultation) -> bool:
    """Decide on proposals and close: whoever may edit what is being discussed."""
    if consultation.profile is not None:
        return can_edit_profile(user, consultation.profile)
    return can_edit_in_municipality(user, consultation.municipality_id)


def can_comment(user: User, consultation: Consultation) -> bool:
    if not consultation.is_open:
        return False
    if can_edit_consultation_subject(user, consultation):
        return True
    employee_id = scope_for(user).employee_id
    if employee_id is None:
        return False
    return consultation.participants.filter(pk=employee_id).exists()


def can_set_individual_target(user: User, employee: Employee) -> bool:
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


# --- Reading: the filters the selectors apply ----------------------------------------------------


def _participant_q(scope: AccessScope, field: str) -> Q:
    """Rows that are the subject (`field` of a consultation) of an open consultation the user was
    invited to."""
    if not scope.employee_id:
        return NOTHING
    return Q(
        pk__in=Consultation.objects.filter(participants=scope.employee_id, closed_at__isnull=True).values(
            field
        )
    )


def frameworks_q(user: User) -> Q:
    """Frameworks owned by, or shared with, one of the user's municipalities, and national ones."""
    scope = scope_for(user)
    if scope.is_platform_admin:
        return Q()
    if scope.user_id is None:
        return NOTHING
    ids = sorted(scope.municipality_ids)
    shared = Framework.objects.filter(shared_with__in=ids).values("pk")
    return Q(municipality__isnull=True) | Q(municipality_id__in=ids) | Q(pk__in=shared)


def may_read_version(user: User, version: FrameworkVersion) -> bool:
    """Of a framework the user may see: published and retired versions, and drafts for their editors
    and invited participants."""
    if version.status != Status.DRAFT:
        return True
    scope = scope_for(user)
    owner = version.framework.municipality_id
    if scope.is_platform_admin or (owner is not None and owner in _editor_municipality_ids(scope)):
        return True
    return FrameworkVersion.objects.filter(
        _participant_q(scope, "framework_version_id"), pk=version.pk
    ).exists()


def profiles_q(user: User) -> Q:
    """Profiles of the user's municipalities; drafts only for editors and consultation participants."""
    scope = scope_for(user)
    if scope.is_platform_admin:
        return Q()
    editors = sorted(_editor_municipality_ids(scope))
    return Q(municipality_id__in=sorted(scope.municipality_ids)) & (
        ~Q(status=Status.DRAFT) | Q(municipality_id__in=editors) | _participant_q(scope, "profile_id")
    )


def consultations_q(user: User) -> Q:
    """Consultations the user takes part in, or whose subject they edit."""
    scope = scope_for(user)
    if scope.is_platform_admin:
        return Q()
    q = Q(municipality_id__in=sorted(_editor_municipality_ids(scope)))
    if scope.employee_id:
        q |= Q(
            pk__in=Consultation.participants.through.objects.filter(employee_id=scope.employee_id).values(
                "consultation_id"
            )
        )
    return q


# --- Permission-checked fetches (404 for what the user may not see) -------------------------------


def get_framework_for_user(user: User, pk: int) -> Framework:
    return get_object_or_404(
        Framework.objects.select_related("municipality").filter(frameworks_q(user)), pk=pk
    )


def get_version_for_user(user: User, pk: int) -> FrameworkVersion:
    version = get_object_or_404(
        FrameworkVersion.objects.select_related("framework", "scale").filter(
            framework__in=Framework.objects.filter(frameworks_q(user))
        ),
        pk=pk,
    )
    if not may_read_version(user, version):
        raise Http404
    return version


def get_competence_for_user(user: User, pk: int) -> Competence:
    competence = get_object_or_404(
        Competence.objects.select_related("version__framework", "parent", "scale"), pk=pk
    )
    get_version_for_user(user, competence.version_id)
    return competence


def get_profile_for_user(user: User, pk: int) -> Profile:
    return get_object_or_404(
        Profile.objects.select_related(
            "municipality", "framework_version__framework", "job_role", "unit"
        ).filter(profiles_q(user)),
        pk=pk,
    )


def get_consultation_for_user(user: User, pk: int) -> Consultation:
    return get_object_or_404(
        Consultation.objects.select_related(
            "framework_version__framework",
            "profile__framework_version__framework",
            "profile__unit",
            "municipality",
        ).filter(consultations_q(user)),
        pk=pk,
    )


def get_comment_for_user(user: User, pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("consultation"), pk=pk)
    get_consultation_for_user(user, comment.consultation_id)
    return comment
