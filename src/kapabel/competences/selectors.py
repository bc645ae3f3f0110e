"""Reads of frameworks and profiles, scoped to what the acting user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from kapabel.competences.models import (
    Comment,
    Competence,
    Consultation,
    Framework,
    FrameworkVersion,
    Profile,
    ProfileTarget,
    Scale,
    ScaleLevel,
    Status,
)
from kapabel.core.access import scope_for
from kapabel.core.models import Role


def _editor_municipality_ids(user: Any) -> set[int]:
    scope = scope_for(user)
    return {g.municipality_id for g in scope.grants_for(Role.HR, Role.MUNICIPALITY_ADMIN)}


def frameworks_for_user(user: Any) -> QuerySet[Framework]:
    """Frameworks owned by, or shared with, one of the user's municipalities, and national ones."""
    scope = scope_for(user)
    queryset = Framework.objects.select_related("municipality")
    if scope.is_platform_admin:
        return queryset
    if scope.user_id is None:
        return queryset.none()
    ids = sorted(scope.municipality_ids)
    visible = Q(municipality__isnull=True) | Q(municipality_id__in=ids)
    shared = Framework.objects.filter(shared_with__in=ids).values("pk")
    return queryset.filter(visible | Q(pk__in=shared))


def _participant_q(user: Any, prefix: str) -> Q:
    scope = scope_for(user)
    if not scope.employee_id:
        return Q(pk__in=[])
    return Q(
        pk__in=Consultation.objects.filter(participants=scope.employee_id, closed_at__isnull=True).values(
            f"{prefix}_id"
        )
    )


def may_read_version(user: Any, version: FrameworkVersion) -> bool:
    if version.status != Status.DRAFT:
        return True
    scope = scope_for(user)
    owner = version.framework.municipality_id
    if scope.is_platform_admin or (owner is not None and owner in _editor_municipality_ids(user)):
        return True
    return FrameworkVersion.objects.filter(_participant_q(user, "framework_version"), pk=version.pk).exists()


def versions_for_user(user: Any, framework: Framework) -> list[FrameworkVersion]:
    versions = list(framework.versions.select_related("scale").order_by("-number"))
    return [v for v in versions if may_read_version(user, v)]


def current_version(user: Any, framework: Framework) -> FrameworkVersion | None:
    """The newest version the user may read: the draft for editors, else the published one."""
    versions = versions_for_user(user, framework)
    return versions[0] if versions else None


def published_version(framework: Framework) -> FrameworkVersion | None:
    return framework.versions.filter(status=Status.PUBLISHED).order_by("-number").first()


@dataclass
class TreeNode:
    competence: Competence
    children: list[TreeNode] = field(default_factory=list)
    first: bool = False
    last: bool = False


def competence_tree(version: FrameworkVersion) -> list[TreeNode]:
    """The version's competences as a tree of nodes, siblings in order (one query)."""
    competences = list(
        Competence.objects.filter(version=version).select_related("scale").order_by("position", "id")
    )
    nodes = {c.pk: TreeNode(c) for c in competences}
    roots: list[TreeNode] = []
    for competence in competences:
        node = nodes[competence.pk]
        (nodes[competence.parent_id].children if competence.parent_id else roots).append(node)

    def mark(siblings: list[TreeNode]) -> None:
        for index, node in enumerate(siblings):
            node.first, node.last = index == 0, index == len(siblings) - 1
            mark(node.children)

    mark(roots)
    return roots


def flat_tree(version: FrameworkVersion) -> list[tuple[int, Competence]]:
    """(depth, competence) in tree order, for tables and exports."""
    result: list[tuple[int, Competence]] = []

    def walk(nodes: list[TreeNode], depth: int) -> None:
        for node in nodes:
            result.append((depth, node.competence))
            walk(node.children, depth + 1)

    walk(competence_tree(version), 0)
    return result


def scales_with_levels(version: FrameworkVersion) -> QuerySet[Scale]:
    return version.scales.prefetch_related(Prefetch("levels", queryset=ScaleLevel.objects.order_by("value")))


def profiles_for_user(user: Any, *, framework_version: FrameworkVersion | None = None) -> QuerySet[Profile]:
    """Profiles of the user's municipalities; drafts only for editors and consultation participants."""
    scope = scope_for(user)
    queryset = Profile.objects.select_related(
        "municipality", "framework_version__framework", "job_role", "unit"
    )
    if framework_version is not None:
        queryset = queryset.filter(framework_version=framework_version)
    if scope.is_platform_admin:
        return queryset
    editors = sorted(_editor_municipality_ids(user))
    return queryset.filter(municipality_id__in=sorted(scope.municipality_ids)).filter(
        ~Q(status=Status.DRAFT) | Q(municipality_id__in=editors) | _participant_q(user, "profile")
    )


def profile_targets(profile: Profile) -> dict[int, ProfileTarget]:
    return {t.competence_id: t for t in profile.targets.all()}


def consultations_for_user(user: Any) -> QuerySet[Consultation]:
    """Consultations the user takes part in, or whose subject they edit."""
    scope = scope_for(user)
    queryset = Consultation.objects.select_related(
        "framework_version__framework", "profile__framework_version__framework", "municipality"
    )
    if scope.is_platform_admin:
        return queryset
    q = Q(municipality_id__in=sorted(_editor_municipality_ids(user)))
    if scope.employee_id:
        q |= Q(participants=scope.employee_id)
    return queryset.filter(q).distinct()


def consultation_comments(consultation: Consultation) -> QuerySet[Comment]:
    return consultation.comments.select_related("competence", "author", "decided_by")
