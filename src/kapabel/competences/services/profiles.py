"""Target profiles ("idealer"): create and change drafts, set their targets (one profile, or the
whole profile matrix at once), publish, retire, and carry a profile (or all of a municipality's
profiles of a framework at once) onto a newer framework version."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.competences import permissions
from kapabel.competences.models import (
    Competence,
    Framework,
    FrameworkVersion,
    Importance,
    Profile,
    ProfileTarget,
    Status,
)
from kapabel.competences.services.common import (
    PROFILE_FIELDS,
    UNSET,
    check_level,
    given,
    require_draft_profile,
)
from kapabel.competences.services.tree import follow_competences
from kapabel.core import announce, audit
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User
from kapabel.organisation.models import JobRole, OrgUnit

# (competence, target level or None to remove the target, importance)
TargetRow: TypeAlias = tuple[Competence, int | None, str]


def _check_profile(profile: Profile) -> None:
    errors: dict[str, str] = {}
    if profile.kind == Profile.Kind.JOB_ROLE:
        profile.unit = None
        if profile.job_role is None:
            errors["job_role"] = _("Choose the job role this profile is for.")
        elif profile.job_role.municipality_id != profile.municipality_id:
            errors["job_role"] = _("The job role belongs to another municipality.")
    elif profile.kind == Profile.Kind.UNIT:
        profile.job_role = None
        if profile.unit is None:
            errors["unit"] = _("Choose the unit this profile is for.")
        elif profile.unit.municipality_id != profile.municipality_id:
            errors["unit"] = _("The unit belongs to another municipality.")
    else:
        profile.job_role = profile.unit = None
    framework = profile.framework_version.framework
    if (
        framework.municipality_id not in (None, profile.municipality_id)
        and not framework.shared_with.filter(pk=profile.municipality_id).exists()
    ):
        errors["framework_version"] = _("The framework is not shared with this municipality.")
    if errors:
        raise ValidationError(errors)


def _check_subject(profile: Profile, actor: Actor) -> None:
    """The people whose targets the profile sets must lie within the acting user's grant
    (`permissions.can_target_profile_subject`); system actors (imports, commands) are not limited."""
    if not isinstance(actor, User) or permissions.can_target_profile_subject(
        actor, profile.municipality_id, profile.kind, profile.unit
    ):
        return
    if profile.kind == Profile.Kind.UNIT:
        raise ValidationError(
            {"unit": _("The unit is outside the part of the organisation you may set targets for.")}
        )
    raise ValidationError(
        {
            "kind": _(
                "A job-role profile sets targets for everyone in the role across the municipality. "
                "Only editors for the whole municipality may make one; choose a unit profile for a "
                "unit within your part of the organisation."
            )
        }
    )


@transaction.atomic
def profile_create(
    *,
    municipality: Municipality,
    framework_version: FrameworkVersion,
    name: str,
    actor: Actor,
    kind: str = Profile.Kind.NAMED,
    job_role: JobRole | None = None,
    unit: OrgUnit | None = None,
    description: str = "",
) -> Profile:
    profile = Profile(
        municipality=municipality,
        framework_version=framework_version,
        name=name,
        kind=kind,
        job_role=job_role,
        unit=unit,
        description=description,
    )
    _check_profile(profile)
    _check_subject(profile, actor)
    audit.create_audited(profile, fields=PROFILE_FIELDS, action="competences.profile.created", actor=actor)
    return profile


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    actor: Actor,
    name: str = UNSET,
    description: str = UNSET,
    kind: str = UNSET,
    job_role: JobRole | None = UNSET,
    unit: OrgUnit | None = UNSET,
) -> Profile:
    """Change a draft profile. Arguments not given stay as they are."""
    require_draft_profile(profile)
    values = given(name=name, description=description, kind=kind, job_role=job_role, unit=unit)

    def check(changed: Profile) -> None:
        _check_profile(changed)
        _check_subject(changed, actor)

    audit.update_audited(
        profile,
        fields=PROFILE_FIELDS,
        values=values,
        action="competences.profile.updated",
        actor=actor,
        check=check,
    )
    return profile


def _check_targets(profile: Profile, targets: Sequence[TargetRow], known: dict[int, set[int]]) -> None:
    require_draft_profile(profile)
    for competence, level, importance in targets:
        if competence.version_id != profile.framework_version_id:
            raise ValidationError(_("The competence belongs to another framework version."))
        if level is None:
            continue
        check_level(competence, level, known=known)
        if importance not in Importance.values:
            raise ValidationError({"importance": _("Choose essential, important or nice to have.")})


def _write_targets(profile: Profile, targets: Sequence[TargetRow], actor: Actor) -> None:
    """Write already checked rows (`_check_targets`) and record what changed."""
    existing = {t.competence_id: t for t in profile.targets.all()}
    changes: dict[str, Any] = {}
    for competence, level, importance in targets:
        current = existing.get(competence.pk)
        if level is None:
            if current is not None:
                current.delete()
                changes[competence.identifier] = [[current.target_level, current.importance], None]
            continue
        if current is None:
            ProfileTarget.objects.create(
                profile=profile, competence=competence, target_level=level, importance=importance
            )
            changes[competence.identifier] = [None, [level, importance]]
        elif (current.target_level, current.importance) != (level, importance):
            changes[competence.identifier] = [[current.target_level, current.importance], [level, importance]]
            current.target_level, current.importance = level, importance
            current.save(update_fields=["target_level", "importance"])
    if changes:
        audit.record("competences.profile.targets_changed", actor=actor, obj=profile, changes=changes)


@transaction.atomic
def profile_set_targets(*, profile: Profile, targets: Sequence[TargetRow], actor: Actor) -> Profile:
    """Set (competence, target level, importance) triples; a level of None removes the target."""
    _check_targets(profile, targets, known={})
    _write_targets(profile, targets, actor)
    return profile


@transaction.atomic
def profile_save(*, profile: Profile, actor: Actor, targets: Sequence[TargetRow], **fields: Any) -> Profile:
    """The profile's edit page: its name, subject and description (`profile_update`'s arguments)
    and its targets, written together or not at all."""
    profile_update(profile=profile, actor=actor, **fields)
    return profile_set_targets(profile=profile, targets=targets, actor=actor)


@transaction.atomic
def profile_matrix_save(
    *, targets: Sequence[tuple[Profile, Sequence[TargetRow]]], actor: Actor
) -> list[Profile]:
    """Set the targets of several draft profiles at once (the profile matrix). Every profile's rows
    are checked before anything is written, and all are written in one transaction: a refused value
    in one profile leaves every profile as it was."""
    known: dict[int, set[int]] = {}
    for profile, rows in targets:
        try:
            _check_targets(profile, rows, known)
        except ValidationError as exc:
            raise ValidationError(
                [
                    _("%(profile)s: %(problem)s") % {"profile": profile, "problem": message}
                    for message in exc.messages
                ]
            ) from exc
    for profile, rows in targets:
        _write_targets(profile, rows, actor)
    return [profile for profile, _rows in targets]


@transaction.atomic
def profile_publish(*, profile: Profile, actor: Actor) -> Profile:
    """Freeze a profile version; the lineage's previously published version is retired."""
    require_draft_profile(profile)
    if profile.framework_version.status == Status.DRAFT:
        raise ValidationError(_("Publish the framework version before the profiles built on it."))
    if not profile.targets.exists():
        raise ValidationError(_("Set at least one target before publishing."))
    previous = Profile.objects.filter(lineage=profile.lineage, status=Status.PUBLISHED).exclude(pk=profile.pk)
    previous_ids = list(previous.values_list("pk", flat=True))
    previous.update(status=Status.RETIRED)
    profile.status = Status.PUBLISHED
    profile.published_at = timezone.now()
    profile.save(update_fields=["status", "published_at"])
    # Only published profiles set targets: the people under the new and the retired version change.
    announce.profile_targets_changed([profile.pk, *previous_ids])
    audit.record(
        "competences.profile.published", actor=actor, obj=profile, changes={"status": ["draft", "published"]}
    )
    return profile


@transaction.atomic
def profile_retire(*, profile: Profile, actor: Actor) -> Profile:
    """Take a published profile out of use: its targets stop counting for anyone."""
    if profile.status != Status.PUBLISHED:
        raise ValidationError(_("Only a published profile can be retired."))
    profile.status = Status.RETIRED
    profile.save(update_fields=["status"])
    announce.profile_targets_changed([profile.pk])
    audit.record(
        "competences.profile.retired", actor=actor, obj=profile, changes={"status": ["published", "retired"]}
    )
    return profile


def _copy_targets(profile: Profile, new: Profile, target_version: FrameworkVersion) -> int:
    """Copy `profile`'s targets onto `new`, following each competence into `target_version` (along
    the competence mappings, or by identifier); a target whose competence does not continue is
    left out. Returns the number of targets written."""
    targets = list(profile.targets.select_related("competence"))
    if target_version.pk == profile.framework_version_id:
        written = ProfileTarget.objects.bulk_create(
            [
                ProfileTarget(
                    profile=new, competence=t.competence, target_level=t.target_level, importance=t.importance
                )
                for t in targets
            ]
        )
    else:
        follow = follow_competences([t.competence for t in targets], target_version)
        rows: dict[int, ProfileTarget] = {}
        for target in targets:
            for competence in follow.get(target.competence_id, []):
                rows.setdefault(
                    competence.pk,
                    ProfileTarget(
                        profile=new,
                        competence=competence,
                        target_level=target.target_level,
                        importance=target.importance,
                    ),
                )
        written = ProfileTarget.objects.bulk_create(list(rows.values()))
    return len(written)


@transaction.atomic
def profile_create_version(
    *, profile: Profile, actor: Actor, framework_version: FrameworkVersion | None = None
) -> Profile:
    """A new draft version of a profile, optionally moved onto a newer framework version. Targets
    follow the competence mappings (or the same identifier) into the new framework version."""
    if Profile.objects.filter(lineage=profile.lineage, status=Status.DRAFT).exists():
        raise ValidationError(_("There is already a draft version of this profile. Edit that one."))
    target_version = framework_version or profile.framework_version
    if target_version.framework_id != profile.framework_version.framework_id:
        raise ValidationError(_("A profile stays within its framework."))
    latest = Profile.objects.filter(lineage=profile.lineage).order_by("-number").first()
    new = Profile.objects.create(
        municipality=profile.municipality,
        framework_version=target_version,
        kind=profile.kind,
        job_role=profile.job_role,
        unit=profile.unit,
        name=profile.name,
        description=profile.description,
        lineage=profile.lineage,
        number=(latest.number if latest else profile.number) + 1,
        based_on=profile,
    )
    _copy_targets(profile, new, target_version)
    audit.record(
        "competences.profile.version_created",
        actor=actor,
        obj=new,
        changes={
            "number": [profile.number, new.number],
            "framework_version": [profile.framework_version_id, target_version.pk],
        },
    )
    return new


@transaction.atomic
def profiles_move_to_version(
    *, framework: Framework, version: FrameworkVersion, municipality: Municipality, actor: Actor
) -> list[Profile]:
    """Move every published profile of `municipality` built on an older version of `framework`
    onto its published `version`, in one transaction: each profile gets a new published version
    whose targets follow the competence mappings into `version` (the older version is retired),
    so targets, the heatmap and the priorities name one version of each competence. All or
    nothing: a profile with an unfinished draft, or one that would keep no target, stops the move.
    One municipality's profiles: a shared or national framework's other users move their own."""
    if version.framework_id != framework.pk:
        raise ValidationError({"version": _("The version belongs to another framework.")})
    if version.status != Status.PUBLISHED:
        raise ValidationError({"version": _("Choose a published version to move the profiles to.")})
    profiles = list(
        Profile.objects.select_for_update()
        .filter(
            municipality=municipality,
            status=Status.PUBLISHED,
            framework_version__framework=framework,
            framework_version__number__lt=version.number,
        )
        .select_related("framework_version")
        .order_by("name", "pk")
    )
    if not profiles:
        raise ValidationError(
            _("No published profile uses an older version than version %(number)d.")
            % {"number": version.number}
        )
    lineages = [p.lineage for p in profiles]
    drafts = set(
        Profile.objects.filter(lineage__in=lineages, status=Status.DRAFT).values_list("lineage", flat=True)
    )
    blocked = [p.name for p in profiles if p.lineage in drafts]
    if blocked:
        raise ValidationError(
            _("These profiles have an unfinished draft version; publish it first: %(names)s.")
            % {"names": ", ".join(blocked)}
        )
    latest = dict(
        Profile.objects.filter(lineage__in=lineages)
        .values("lineage")
        .annotate(top=Max("number"))
        .values_list("lineage", "top")
    )
    now = timezone.now()
    moved: list[Profile] = []
    empty: list[str] = []
    for profile in profiles:
        new = Profile.objects.create(
            municipality=profile.municipality,
            framework_version=version,
            kind=profile.kind,
            job_role=profile.job_role,
            unit=profile.unit,
            name=profile.name,
            description=profile.description,
            lineage=profile.lineage,
            number=latest[profile.lineage] + 1,
            based_on=profile,
            status=Status.PUBLISHED,
            published_at=now,
        )
        if not _copy_targets(profile, new, version):
            empty.append(profile.name)
        moved.append(new)
    if empty:
        raise ValidationError(
            _(
                "No competence of these profiles continues in version %(number)d, so they would have "
                "no targets: %(names)s. Map their competences to the new version first."
            )
            % {"number": version.number, "names": ", ".join(empty)}
        )
    Profile.objects.filter(pk__in=[p.pk for p in profiles]).update(status=Status.RETIRED)
    announce.profile_targets_changed([*(p.pk for p in moved), *(p.pk for p in profiles)])
    for old, new in zip(profiles, moved, strict=True):
        audit.record(
            "competences.profile.moved_to_version",
            actor=actor,
            obj=new,
            changes={
                "framework_version": [old.framework_version_id, version.pk],
                "number": [old.number, new.number],
                "status": [None, Status.PUBLISHED],
            },
        )
    audit.record(
        "competences.framework.profiles_moved",
        actor=actor,
        obj=framework,
        municipality_id=municipality.pk,
        changes={"version": [None, version.number], "profiles": [0, len(moved)]},
    )
    return moved
