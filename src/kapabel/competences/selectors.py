"""Reads of frameworks, profiles and consultations. Those that take the acting user return only what
that user may see, filtered by the rules in `permissions`; the others read an object the caller has
already fetched through a permission check."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from kapabel.competences import permissions
from kapabel.competences.exchange import CompetenceData, FrameworkData, ScaleData, write
from kapabel.competences.exchange.common import TEXT_FIELDS
from kapabel.competences.models import (
    Comment,
    Competence,
    Consultation,
    Framework,
    FrameworkVersion,
    IndividualTarget,
    Profile,
    ProfileTarget,
    Scale,
    ScaleLevel,
    Status,
)
from kapabel.core.access import scope_for
from kapabel.core.models import Municipality, User
from kapabel.organisation.models import Employee
from kapabel.organisation.selectors import employees_for_user


def frameworks_for_user(user: User) -> QuerySet[Framework]:
    """Frameworks owned by, or shared with, one of the user's municipalities, and national ones."""
    return Framework.objects.select_related("municipality").filter(permissions.frameworks_q(user))


def versions_for_user(user: User, framework: Framework) -> list[FrameworkVersion]:
    versions = list(framework.versions.select_related("scale").order_by("-number"))
    return [v for v in versions if permissions.may_read_version(user, v)]


def current_version(user: User, framework: Framework) -> FrameworkVersion | None:
    """The newest version the user may read: the draft for editors, else the published one."""
    versions = versions_for_user(user, framework)
    return versions[0] if versions else None


def editable_municipalities(user: User) -> QuerySet[Municipality]:
    """Where the user may author frameworks and profiles (an import form's choice of owner)."""
    return Municipality.objects.filter(pk__in=permissions.editable_municipality_ids(user))


def published_version(framework: Framework) -> FrameworkVersion | None:
    return framework.versions.filter(status=Status.PUBLISHED).order_by("-number").first()


def profiles_on_older_versions(
    framework: Framework, version: FrameworkVersion, municipality_id: int
) -> QuerySet[Profile]:
    """The municipality's published profiles of the framework on a version older than `version`
    (what `services.profiles_move_to_version` would move)."""
    return (
        Profile.objects.filter(
            municipality_id=municipality_id,
            status=Status.PUBLISHED,
            framework_version__framework=framework,
            framework_version__number__lt=version.number,
        )
        .prefetch_related("targets")
        .order_by("name", "pk")
    )


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


def competences_of_version(version: FrameworkVersion) -> QuerySet[Competence]:
    """A version's competences, parents before children (choices in forms)."""
    return Competence.objects.filter(version=version).order_by("depth", "position")


def competence_of_version(version: FrameworkVersion, pk: int | None) -> Competence | None:
    """One competence of `version`, or None (a parent named in a link may be stale)."""
    return Competence.objects.filter(version=version, pk=pk).first() if pk else None


def competence_descendant_count(competence: Competence) -> int:
    """How many competences sit below `competence` (removed with it), one query per level."""
    count, level = 0, [competence.pk]
    while level:
        level = list(Competence.objects.filter(parent__in=level).values_list("pk", flat=True))
        count += len(level)
    return count


def scale_levels(version: FrameworkVersion) -> list[tuple[int, str]]:
    """(value, name) of the levels of the version's scale, lowest first."""
    return [(level.value, level.name) for level in version.scale.levels.all()] if version.scale else []


def scales_with_levels(version: FrameworkVersion) -> QuerySet[Scale]:
    return version.scales.prefetch_related(Prefetch("levels", queryset=ScaleLevel.objects.order_by("value")))


def profiles_for_user(user: User, *, framework_version: FrameworkVersion | None = None) -> QuerySet[Profile]:
    """Profiles of the user's municipalities; drafts only for editors and consultation participants."""
    queryset = Profile.objects.select_related(
        "municipality", "framework_version__framework", "job_role", "unit"
    ).filter(permissions.profiles_q(user))
    if framework_version is not None:
        queryset = queryset.filter(framework_version=framework_version)
    return queryset


@dataclass
class MatrixRow:
    depth: int
    competence: Competence
    cells: list[dict[str, Any]]


def profile_matrix(
    version: FrameworkVersion, profiles: list[Profile], editable: list[Profile]
) -> list[MatrixRow]:
    """Competences × profiles: each cell the profile's target (or None) and whether it can change.
    `profiles` come from `profiles_for_user` with their targets prefetched."""
    target_of = {(t.profile_id, t.competence_id): t for p in profiles for t in p.targets.all()}
    return [
        MatrixRow(
            depth,
            competence,
            [
                {"profile": p, "target": target_of.get((p.pk, competence.pk)), "editable": p in editable}
                for p in profiles
            ],
        )
        for depth, competence in flat_tree(version)
    ]


def profile_targets(profile: Profile) -> dict[int, ProfileTarget]:
    return {t.competence_id: t for t in profile.targets.all()}


def consultations_for_user(user: User) -> QuerySet[Consultation]:
    """Consultations the user takes part in, or whose subject they edit."""
    return Consultation.objects.select_related(
        "framework_version__framework", "profile__framework_version__framework", "municipality"
    ).filter(permissions.consultations_q(user))


def participant_candidates(user: User, municipality_id: int) -> QuerySet[Employee]:
    """Who an editor may invite to comment: the active employees of the owning municipality whom
    the editor may see."""
    return employees_for_user(user).filter(municipality_id=municipality_id).order_by("name")


def consultation_invitation_counts(consultation: Consultation) -> dict[str, int]:
    """How many of a consultation's participants could be invited by e-mail (`sent`), and how many
    have no address (`without_email`)."""
    counts = consultation.participants.aggregate(
        total=Count("id"), without_email=Count("id", filter=Q(email=""))
    )
    return {"sent": counts["total"] - counts["without_email"], "without_email": counts["without_email"]}


def consultations_awaiting(user: User, *, limit: int = 5) -> list[dict[str, Any]]:
    """For editors: the open consultations whose subject they edit, those with proposals awaiting a
    decision first, with the number of proposals waiting, comments and comments in the last seven
    days. One query."""
    week_ago = timezone.now() - datetime.timedelta(days=7)
    rows = (
        consultations_for_user(user)
        .filter(closed_at__isnull=True)
        .select_related("profile__unit")
        .annotate(
            pending=Count("comments", filter=Q(comments__decision=Comment.Decision.PENDING)),
            comment_count=Count("comments"),
            recent=Count("comments", filter=Q(comments__created_at__gte=week_ago)),
        )
        .order_by("-pending", "-opened_at", "-id")
    )
    editable = [c for c in rows[: limit * 4] if permissions.can_edit_consultation_subject(user, c)]
    return [
        {"consultation": c, "pending": c.pending, "comments": c.comment_count, "recent": c.recent}
        for c in editable[:limit]
    ]


def consultations_to_answer(user: User) -> QuerySet[Consultation]:
    """Open consultations the user was invited to and has not commented on yet (their tasks)."""
    employee_id = scope_for(user).employee_id
    if employee_id is None:
        return Consultation.objects.none()
    today = timezone.localdate()
    return (
        Consultation.objects.filter(participants=employee_id, closed_at__isnull=True)
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .exclude(comments__author=user)
        .select_related("framework_version__framework", "profile__framework_version__framework")
        .order_by("closes_on", "id")
        .distinct()
    )


def consultation_comments(consultation: Consultation) -> QuerySet[Comment]:
    return consultation.comments.select_related("competence", "author", "decided_by")


def individual_targets_for_user(
    user: User, *, employee: Employee | None = None
) -> QuerySet[IndividualTarget]:
    """Individual targets of the people whose data the user may read (or of one of them, already
    fetched through a permission check)."""
    if employee is not None:
        return IndividualTarget.objects.filter(employee=employee)
    return IndividualTarget.objects.filter(employee__in=employees_for_user(user, active=None))


# --- Export ----------------------------------------------------------------------------------------


def version_to_data(version: FrameworkVersion) -> FrameworkData:
    """Everything Kapabel knows about a version, in the format-neutral shape of `exchange`."""
    framework = version.framework
    scales = []
    for scale in version.scales.prefetch_related("levels").order_by("id"):
        levels = [
            {
                "value": level.value,
                "name_da": level.name_da,
                "name_en": level.name_en,
                "descriptor_da": level.descriptor_da,
                "descriptor_en": level.descriptor_en,
                "proficient": level.proficient,
                "is_default": level.is_default,
            }
            for level in scale.levels.order_by("value")
        ]
        scales.append(
            ScaleData(key=str(scale.pk), name=scale.name, levels=levels, external_id=scale.external_id)
        )
    related: dict[int, list[str]] = {}
    through = Competence.related.through
    for a, b in through.objects.filter(from_competence__version=version).values_list(
        "from_competence_id", "to_competence__identifier"
    ):
        related.setdefault(a, []).append(b)
    rows = flat_tree(version)
    identifiers = {competence.pk: competence.identifier for _depth, competence in rows}
    items = []
    for _depth, competence in rows:
        items.append(
            CompetenceData(
                identifier=competence.identifier,
                parent=identifiers[competence.parent_id] if competence.parent_id else None,
                fields={name: getattr(competence, name) for name in TEXT_FIELDS},
                scale=str(competence.scale_id) if competence.scale_id else None,
                related=sorted(related.get(competence.pk, [])),
                extra=dict(competence.extra),
            )
        )
    return FrameworkData(
        name=framework.name,
        description=framework.description,
        language=framework.language,
        identifier=framework.identifier,
        uri=framework.uri,
        taxonomies=list(version.taxonomies),
        extra=dict(version.extra),
        scales=scales,
        default_scale=str(version.scale_id) if version.scale_id else None,
        competences=items,
    )


def version_export(version: FrameworkVersion, fmt: str) -> tuple[str, str, str]:
    """(content, content type, file extension) of a version in one of `exchange.FORMATS`."""
    return write(version_to_data(version), fmt, version=version)
