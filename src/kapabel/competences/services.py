"""Writes to frameworks, scales, competences and profiles. Each validates, runs in a transaction and
leaves an audit event. Published versions are frozen: every content change checks `_require_draft`."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.competences.models import (
    Comment,
    Competence,
    CompetenceMapping,
    Consultation,
    Framework,
    FrameworkVersion,
    Importance,
    IndividualTarget,
    Profile,
    ProfileTarget,
    Scale,
    ScaleLevel,
    Status,
)
from kapabel.core import announce, audit
from kapabel.core.models import Municipality
from kapabel.organisation.models import Employee, JobRole, OrgUnit

FRAMEWORK_FIELDS = ("name", "description", "language", "identifier", "uri")
COMPETENCE_FIELDS = (
    "parent",
    "code",
    "identifier",
    "name_da",
    "name_en",
    "description_da",
    "description_en",
    "indicators_da",
    "indicators_en",
    "esco_uri",
    "scale",
)
PROFILE_FIELDS = ("name", "description", "kind", "job_role", "unit")

_UNSET: Any = object()


def _require_draft(version: FrameworkVersion) -> None:
    if version.status != Status.DRAFT:
        raise ValidationError(
            _("Version %(number)d is published and cannot change. Create a new version to edit it.")
            % {"number": version.number}
        )


def _require_draft_profile(profile: Profile) -> None:
    if profile.status != Status.DRAFT:
        raise ValidationError(
            _("This profile version is published and cannot change. Create a new version to edit it.")
        )


# --- Frameworks and versions --------------------------------------------------------------------


@transaction.atomic
def framework_create(
    *,
    municipality: Municipality | None,
    name: str,
    actor: Any,
    description: str = "",
    language: str = "da",
    identifier: str = "",
    uri: str = "",
    with_default_scale: bool = True,
) -> Framework:
    """A new framework with a first draft version (and, by default, a 4-level scale)."""
    framework = Framework(
        municipality=municipality,
        name=name,
        description=description,
        language=language,
        identifier=identifier or str(uuid.uuid4()),
        uri=uri,
    )
    framework.full_clean()
    framework.save()
    version = FrameworkVersion.objects.create(framework=framework, number=1)
    if with_default_scale:
        scale = scale_create(version=version, name=_("Four levels"), levels=default_levels(), actor=actor)
        version.scale = scale
        version.save(update_fields=["scale"])
    audit.record(
        "competences.framework.created",
        actor=actor,
        obj=framework,
        changes=audit.diff({}, audit.snapshot(framework, FRAMEWORK_FIELDS)),
    )
    return framework


def default_levels() -> list[dict[str, Any]]:
    return [
        {"value": 1, "name_da": "Begynder", "name_en": "Beginner"},
        {"value": 2, "name_da": "Øvet", "name_en": "Practised"},
        {"value": 3, "name_da": "Erfaren", "name_en": "Experienced", "proficient": True, "is_default": True},
        {"value": 4, "name_da": "Ekspert", "name_en": "Expert", "proficient": True},
    ]


@transaction.atomic
def framework_update(*, framework: Framework, actor: Any, **values: Any) -> Framework:
    audit.update_audited(
        framework, fields=FRAMEWORK_FIELDS, values=values, action="competences.framework.updated", actor=actor
    )
    return framework


@transaction.atomic
def framework_set_sharing(
    *, framework: Framework, municipalities: Sequence[Municipality], actor: Any
) -> Framework:
    before = sorted(framework.shared_with.values_list("pk", flat=True))
    after = sorted(m.pk for m in municipalities if m.pk != framework.municipality_id)
    if before != after:
        framework.shared_with.set(after)
        audit.record(
            "competences.framework.sharing_changed",
            actor=actor,
            obj=framework,
            changes={"shared_with": [before, after]},
        )
    return framework


@transaction.atomic
def version_publish(*, version: FrameworkVersion, actor: Any) -> FrameworkVersion:
    """Freeze a draft. The previously published version is retired (kept, ratings still point to it)."""
    _require_draft(version)
    if version.scale_id is None:
        raise ValidationError({"scale": _("Choose the framework's scale before publishing.")})
    if not version.competences.exists():
        raise ValidationError(_("Add at least one competence before publishing."))
    retired = list(
        FrameworkVersion.objects.filter(framework=version.framework_id, status=Status.PUBLISHED).exclude(
            pk=version.pk
        )
    )
    FrameworkVersion.objects.filter(pk__in=[v.pk for v in retired]).update(status=Status.RETIRED)
    version.status = Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.save(update_fields=["status", "published_at", "published_by"])
    audit.record(
        "competences.version.published",
        actor=actor,
        obj=version,
        municipality_id=version.framework.municipality_id,
        changes={"status": [Status.DRAFT, Status.PUBLISHED], "retired": [None, [v.number for v in retired]]},
    )
    return version


@transaction.atomic
def version_create_draft(*, framework: Framework, actor: Any, change_note: str = "") -> FrameworkVersion:
    """A new draft copied from the newest version: scales, levels, the competence tree, cross
    references. Each copied competence gets a mapping ("same") from the one it was copied from."""
    source = framework.versions.order_by("-number").first()
    if source is None:
        raise ValidationError(_("The framework has no version to copy."))
    if framework.versions.filter(status=Status.DRAFT).exists():
        raise ValidationError(_("There is already a draft version. Edit that one."))
    version = FrameworkVersion.objects.create(
        framework=framework,
        number=source.number + 1,
        based_on=source,
        change_note=change_note,
        taxonomies=source.taxonomies,
        extra=source.extra,
    )
    scale_map: dict[int, Scale] = {}
    for scale in source.scales.prefetch_related("levels"):
        copy = Scale.objects.create(version=version, name=scale.name, external_id=scale.external_id)
        ScaleLevel.objects.bulk_create(
            [
                ScaleLevel(
                    scale=copy,
                    value=level.value,
                    name_da=level.name_da,
                    name_en=level.name_en,
                    descriptor_da=level.descriptor_da,
                    descriptor_en=level.descriptor_en,
                    proficient=level.proficient,
                    is_default=level.is_default,
                )
                for level in scale.levels.all()
            ]
        )
        scale_map[scale.pk] = copy
    if source.scale_id:
        version.scale = scale_map[source.scale_id]
        version.save(update_fields=["scale"])
    old = list(source.competences.order_by("depth", "position", "id"))
    copies: dict[int, Competence] = {}
    for competence in old:  # depth order: a parent is always copied before its children
        copy_of_competence = Competence.objects.create(
            version=version,
            parent=copies[competence.parent_id] if competence.parent_id else None,
            position=competence.position,
            depth=competence.depth,
            **{
                name: getattr(competence, name)
                for name in (
                    "identifier",
                    "uri",
                    "code",
                    "name_da",
                    "name_en",
                    "description_da",
                    "description_en",
                    "indicators_da",
                    "indicators_en",
                    "esco_uri",
                    "item_type",
                    "extra",
                )
            },
            scale=scale_map.get(competence.scale_id) if competence.scale_id else None,
        )
        copies[competence.pk] = copy_of_competence
    through = Competence.related.through
    links = through.objects.filter(from_competence__version=source).values_list(
        "from_competence_id", "to_competence_id"
    )
    through.objects.bulk_create(
        [through(from_competence=copies[a], to_competence=copies[b]) for a, b in links], ignore_conflicts=True
    )
    CompetenceMapping.objects.bulk_create(
        [CompetenceMapping(source_id=pk, target=copy) for pk, copy in copies.items()]
    )
    audit.record(
        "competences.version.created",
        actor=actor,
        obj=version,
        municipality_id=framework.municipality_id,
        changes={"number": [None, version.number], "based_on": [None, source.number]},
    )
    return version


@transaction.atomic
def version_retire(*, version: FrameworkVersion, actor: Any) -> FrameworkVersion:
    if version.status != Status.PUBLISHED:
        raise ValidationError(_("Only a published version can be retired."))
    version.status = Status.RETIRED
    version.save(update_fields=["status"])
    audit.record(
        "competences.version.retired",
        actor=actor,
        obj=version,
        municipality_id=version.framework.municipality_id,
        changes={"status": [Status.PUBLISHED, Status.RETIRED]},
    )
    return version


@transaction.atomic
def version_set_scale(*, version: FrameworkVersion, scale: Scale, actor: Any) -> FrameworkVersion:
    _require_draft(version)
    if scale.version_id != version.pk:
        raise ValidationError({"scale": _("The scale belongs to another version.")})
    before = version.scale_id
    version.scale = scale
    version.save(update_fields=["scale"])
    audit.record(
        "competences.version.scale_changed",
        actor=actor,
        obj=version,
        municipality_id=version.framework.municipality_id,
        changes={"scale": [before, scale.pk]},
    )
    return version


# --- Scales --------------------------------------------------------------------------------------


def validate_levels(levels: Sequence[dict[str, Any]]) -> None:
    """Levels are numbered 1..n without gaps, have a name, and at least one counts as proficient."""
    errors: list[str] = []
    if len(levels) < 2:
        errors.append(_("A scale needs at least two levels."))
    values = [level.get("value") for level in levels]
    if sorted(v for v in values if isinstance(v, int)) != list(range(1, len(levels) + 1)):
        errors.append(_("The levels must be numbered 1, 2, 3 … without gaps or repeats."))
    for index, level in enumerate(levels, start=1):
        if not (level.get("name_da") or level.get("name_en")):
            errors.append(_("Level %(number)d has no name.") % {"number": index})
    if levels and not any(level.get("proficient") for level in levels):
        errors.append(_("Mark at least one level as proficient."))
    if sum(1 for level in levels if level.get("is_default")) > 1:
        errors.append(_("Only one level can be the default."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def scale_create(
    *,
    version: FrameworkVersion,
    name: str,
    levels: Sequence[dict[str, Any]],
    actor: Any,
    external_id: str = "",
) -> Scale:
    _require_draft(version)
    validate_levels(levels)
    scale = Scale(version=version, name=name, external_id=external_id)
    scale.full_clean()
    scale.save()
    _write_levels(scale, levels)
    audit.record(
        "competences.scale.created",
        actor=actor,
        obj=scale,
        municipality_id=version.framework.municipality_id,
        changes={"name": [None, name], "levels": [None, len(levels)]},
    )
    return scale


def _write_levels(scale: Scale, levels: Sequence[dict[str, Any]]) -> None:
    rows = []
    for level in levels:
        row = ScaleLevel(
            scale=scale,
            value=level["value"],
            name_da=level.get("name_da", ""),
            name_en=level.get("name_en", ""),
            descriptor_da=level.get("descriptor_da", ""),
            descriptor_en=level.get("descriptor_en", ""),
            proficient=bool(level.get("proficient")),
            is_default=bool(level.get("is_default")),
        )
        row.full_clean(exclude=["scale"], validate_unique=False, validate_constraints=False)
        rows.append(row)
    ScaleLevel.objects.bulk_create(rows)


@transaction.atomic
def scale_update(
    *, scale: Scale, actor: Any, name: str = _UNSET, levels: Sequence[dict[str, Any]] = _UNSET
) -> Scale:
    """Rename a scale or replace its levels (in a draft version only)."""
    _require_draft(scale.version)
    changes: dict[str, Any] = {}
    if name is not _UNSET and name != scale.name:
        changes["name"] = [scale.name, name]
        scale.name = name
        scale.full_clean()
        scale.save(update_fields=["name"])
    if levels is not _UNSET:
        validate_levels(levels)
        before = list(scale.levels.values("value", "name_da", "name_en", "proficient"))
        scale.levels.all().delete()
        _write_levels(scale, levels)
        changes["levels"] = [
            before,
            [{k: lv.get(k) for k in ("value", "name_da", "name_en", "proficient")} for lv in levels],
        ]
    if changes:
        audit.record(
            "competences.scale.updated",
            actor=actor,
            obj=scale,
            municipality_id=scale.version.framework.municipality_id,
            changes=changes,
        )
    return scale


# --- Competences ---------------------------------------------------------------------------------


def _check_competence(competence: Competence) -> None:
    errors: dict[str, str] = {}
    if not (competence.name_da or competence.name_en):
        errors["name_da"] = _("Give the competence a short name in Danish or English.")
    parent = competence.parent
    if parent is not None:
        if parent.version_id != competence.version_id:
            errors["parent"] = _("The parent belongs to another framework version.")
        node: Competence | None = parent
        while node is not None:
            if competence.pk and node.pk == competence.pk:
                errors["parent"] = _("A competence cannot be placed below itself or one of its own children.")
                break
            node = node.parent
    if competence.scale is not None and competence.scale.version_id != competence.version_id:
        errors["scale"] = _("The scale belongs to another framework version.")
    if errors:
        raise ValidationError(errors)


def _next_position(version: FrameworkVersion, parent: Competence | None) -> int:
    top = Competence.objects.filter(version=version, parent=parent).aggregate(m=Max("position"))["m"]
    return 0 if top is None else top + 1


@transaction.atomic
def competence_create(
    *,
    version: FrameworkVersion,
    actor: Any,
    parent: Competence | None = None,
    identifier: str = "",
    **values: Any,
) -> Competence:
    _require_draft(version)
    unknown = set(values) - set(COMPETENCE_FIELDS)
    if unknown:
        raise TypeError(f"competence_create got unknown fields {sorted(unknown)}")
    competence = Competence(
        version=version,
        parent=parent,
        identifier=identifier or str(uuid.uuid4()),
        depth=parent.depth + 1 if parent else 0,
        position=_next_position(version, parent),
        **values,
    )
    _check_competence(competence)
    competence.full_clean()
    competence.save()
    audit.record(
        "competences.competence.created",
        actor=actor,
        obj=competence,
        municipality_id=version.framework.municipality_id,
        changes=audit.diff({}, audit.snapshot(competence, COMPETENCE_FIELDS)),
    )
    return competence


def _set_depths(competence: Competence) -> None:
    """Recompute depth below a moved competence."""
    level = [competence]
    while level:
        children = list(Competence.objects.filter(parent__in=level))
        by_parent = {c.pk: c.depth for c in level}
        for child in children:
            assert child.parent_id is not None  # children of `level` have a parent by construction
            child.depth = by_parent[child.parent_id] + 1
        Competence.objects.bulk_update(children, ["depth"])
        level = children


@transaction.atomic
def competence_update(*, competence: Competence, actor: Any, **values: Any) -> Competence:
    _require_draft(competence.version)
    unknown = set(values) - set(COMPETENCE_FIELDS)
    if unknown:
        raise TypeError(f"competence_update got unknown fields {sorted(unknown)}")
    before = audit.snapshot(competence, COMPETENCE_FIELDS)
    old_parent = competence.parent_id
    for key, value in values.items():
        setattr(competence, key, value)
    _check_competence(competence)
    moved = competence.parent_id != old_parent
    if moved:
        competence.depth = competence.parent.depth + 1 if competence.parent else 0
        competence.position = _next_position(competence.version, competence.parent)
    competence.full_clean()
    competence.save()
    if moved:
        _set_depths(competence)
    changes = audit.diff(before, audit.snapshot(competence, COMPETENCE_FIELDS))
    if changes:
        audit.record(
            "competences.competence.updated",
            actor=actor,
            obj=competence,
            municipality_id=competence.version.framework.municipality_id,
            changes=changes,
        )
    return competence


@transaction.atomic
def competence_move(*, competence: Competence, direction: str, actor: Any) -> Competence:
    """Move a competence one place up or down among its siblings (keyboard-friendly reordering)."""
    _require_draft(competence.version)
    siblings = list(
        Competence.objects.filter(version=competence.version_id, parent=competence.parent_id).order_by(
            "position", "id"
        )
    )
    index = next(i for i, c in enumerate(siblings) if c.pk == competence.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(siblings):
        return competence
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    Competence.objects.bulk_update(siblings, ["position"])
    competence.position = next(s.position for s in siblings if s.pk == competence.pk)
    audit.record(
        "competences.competence.moved",
        actor=actor,
        obj=competence,
        municipality_id=competence.version.framework.municipality_id,
        changes={"position": [index, other]},
    )
    return competence


@transaction.atomic
def competence_reorder(
    *, version: FrameworkVersion, parent: Competence | None, order: Sequence[int], actor: Any
) -> None:
    """Set the order of a parent's children at once (drag and drop)."""
    _require_draft(version)
    siblings = {c.pk: c for c in Competence.objects.filter(version=version, parent=parent)}
    if sorted(order) != sorted(siblings):
        raise ValidationError(_("The new order must list exactly the competences at that level."))
    for position, pk in enumerate(order):
        siblings[pk].position = position
    Competence.objects.bulk_update(list(siblings.values()), ["position"])
    audit.record(
        "competences.competence.reordered",
        actor=actor,
        obj=version,
        municipality_id=version.framework.municipality_id,
        changes={"order": [None, list(order)]},
    )


@transaction.atomic
def competence_delete(*, competence: Competence, actor: Any) -> None:
    _require_draft(competence.version)
    if ProfileTarget.objects.filter(competence__in=_subtree_ids(competence)).exists():
        raise ValidationError(_("Profiles set targets for this competence. Remove those targets first."))
    audit.record(
        "competences.competence.deleted",
        actor=actor,
        obj=competence,
        municipality_id=competence.version.framework.municipality_id,
        changes={"identifier": [competence.identifier, None]},
    )
    competence.delete()


def _subtree_ids(competence: Competence) -> list[int]:
    ids, level = [competence.pk], [competence.pk]
    while level:
        level = list(Competence.objects.filter(parent__in=level).values_list("pk", flat=True))
        ids += level
    return ids


@transaction.atomic
def competence_set_related(
    *, competence: Competence, related: Sequence[Competence], actor: Any
) -> Competence:
    _require_draft(competence.version)
    if any(other.version_id != competence.version_id for other in related):
        raise ValidationError({"related": _("Related competences must be in the same framework version.")})
    competence.related.set(related)
    audit.record(
        "competences.competence.related_changed",
        actor=actor,
        obj=competence,
        municipality_id=competence.version.framework.municipality_id,
        changes={"related": [None, sorted(c.pk for c in related)]},
    )
    return competence


@transaction.atomic
def mapping_set(
    *, source: Competence, target: Competence, relation: str, actor: Any, note: str = ""
) -> CompetenceMapping:
    """Say how a competence of an earlier version continues in a later one."""
    if (
        source.version.framework_id != target.version.framework_id
        or source.version.number >= target.version.number
    ):
        raise ValidationError(
            _("A mapping goes from an earlier version to a later version of the same framework.")
        )
    mapping, _created = CompetenceMapping.objects.update_or_create(
        source=source, target=target, defaults={"relation": relation, "note": note}
    )
    mapping.full_clean()
    audit.record(
        "competences.mapping.set",
        actor=actor,
        obj=mapping,
        municipality_id=target.version.framework.municipality_id,
        changes={"relation": [None, relation]},
    )
    return mapping


# --- Profiles ------------------------------------------------------------------------------------


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


@transaction.atomic
def profile_create(
    *,
    municipality: Municipality,
    framework_version: FrameworkVersion,
    name: str,
    actor: Any,
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
    profile.full_clean()
    profile.save()
    audit.record(
        "competences.profile.created",
        actor=actor,
        obj=profile,
        changes=audit.diff({}, audit.snapshot(profile, PROFILE_FIELDS)),
    )
    return profile


@transaction.atomic
def profile_update(*, profile: Profile, actor: Any, **values: Any) -> Profile:
    _require_draft_profile(profile)
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"profile_update got unknown fields {sorted(unknown)}")
    before = audit.snapshot(profile, PROFILE_FIELDS)
    for key, value in values.items():
        setattr(profile, key, value)
    _check_profile(profile)
    profile.full_clean()
    profile.save()
    changes = audit.diff(before, audit.snapshot(profile, PROFILE_FIELDS))
    if changes:
        audit.record("competences.profile.updated", actor=actor, obj=profile, changes=changes)
    return profile


def _check_level(competence: Competence, level: int) -> None:
    scale = competence.scale or competence.version.scale
    if scale is None:
        raise ValidationError({"target_level": _("The framework has no scale yet.")})
    values = set(scale.levels.values_list("value", flat=True))
    if level not in values:
        raise ValidationError(
            {
                "target_level": _("%(level)s is not a level of the scale %(scale)s.")
                % {"level": level, "scale": scale.name}
            }
        )


@transaction.atomic
def profile_set_targets(
    *, profile: Profile, targets: Sequence[tuple[Competence, int | None, str]], actor: Any
) -> Profile:
    """Set (competence, target level, importance) triples; a level of None removes the target."""
    _require_draft_profile(profile)
    existing = {t.competence_id: t for t in profile.targets.all()}
    changes: dict[str, Any] = {}
    for competence, level, importance in targets:
        if competence.version_id != profile.framework_version_id:
            raise ValidationError(_("The competence belongs to another framework version."))
        current = existing.get(competence.pk)
        if level is None:
            if current is not None:
                current.delete()
                changes[competence.identifier] = [[current.target_level, current.importance], None]
            continue
        _check_level(competence, level)
        if importance not in Importance.values:
            raise ValidationError({"importance": _("Choose essential, important or nice to have.")})
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
    return profile


@transaction.atomic
def profile_publish(*, profile: Profile, actor: Any) -> Profile:
    """Freeze a profile version; the lineage's previously published version is retired."""
    _require_draft_profile(profile)
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
def profile_retire(*, profile: Profile, actor: Any) -> Profile:
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


@transaction.atomic
def profile_create_version(
    *, profile: Profile, actor: Any, framework_version: FrameworkVersion | None = None
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
    targets = list(profile.targets.select_related("competence"))
    if target_version.pk == profile.framework_version_id:
        ProfileTarget.objects.bulk_create(
            [
                ProfileTarget(
                    profile=new, competence=t.competence, target_level=t.target_level, importance=t.importance
                )
                for t in targets
            ]
        )
    else:
        follow = follow_competences([t.competence for t in targets], target_version)
        rows: dict[Any, Any] = {}
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
        ProfileTarget.objects.bulk_create(list(rows.values()))
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


def follow_competences(
    competences: Sequence[Competence], version: FrameworkVersion
) -> dict[int, list[Competence]]:
    """Where each competence continues in `version`: along the mappings, version by version, or by
    identifier when no mapping exists. Used to follow targets and gaps across versions."""
    result: dict[int, list[Competence]] = {}
    by_identifier = {c.identifier: c for c in Competence.objects.filter(version=version)}
    for competence in competences:
        frontier = [competence]
        while frontier and frontier[0].version_id != version.pk:
            if frontier[0].version.number > version.number:
                frontier = []
                break
            next_ids = list(
                CompetenceMapping.objects.filter(source__in=frontier).values_list("target_id", flat=True)
            )
            if not next_ids:
                frontier = (
                    [by_identifier[competence.identifier]] if competence.identifier in by_identifier else []
                )
                break
            frontier = list(Competence.objects.filter(pk__in=next_ids).select_related("version"))
            if any(c.version_id == version.pk for c in frontier):
                frontier = [c for c in frontier if c.version_id == version.pk]
        result[competence.pk] = frontier
    return result


# --- Individual targets --------------------------------------------------------------------------


@transaction.atomic
def individual_target_set(
    *,
    employee: Employee,
    competence: Competence,
    target_level: int,
    actor: Any,
    importance: str = Importance.IMPORTANT,
    note: str = "",
) -> IndividualTarget:
    """A person's own target for a competence, overriding their role or unit profile."""
    framework = competence.version.framework
    if (
        framework.municipality_id not in (None, employee.municipality_id)
        and not framework.shared_with.filter(pk=employee.municipality_id).exists()
    ):
        raise ValidationError(_("The framework is not used in this person's municipality."))
    _check_level(competence, target_level)
    target, created = IndividualTarget.objects.get_or_create(
        employee=employee,
        competence=competence,
        defaults={
            "framework_version": competence.version,
            "target_level": target_level,
            "importance": importance,
        },
    )
    before = None if created else [target.target_level, target.importance, target.note]
    target.target_level, target.importance, target.note = target_level, importance, note
    target.set_by = actor if getattr(actor, "pk", None) else None
    target.full_clean()
    target.save()
    announce.individual_targets_changed([employee.pk])
    audit.record(
        "competences.individual_target.set",
        actor=actor,
        obj=target,
        municipality_id=employee.municipality_id,
        changes={"target": [before, [target_level, importance, note]]},
    )
    return target


@transaction.atomic
def individual_target_remove(*, target: IndividualTarget, actor: Any) -> None:
    audit.record(
        "competences.individual_target.removed",
        actor=actor,
        obj=target,
        municipality_id=target.employee.municipality_id,
        changes={"target": [[target.target_level, target.importance], None]},
    )
    employee_id = target.employee_id
    target.delete()
    announce.individual_targets_changed([employee_id])


# --- Co-creation ---------------------------------------------------------------------------------


@transaction.atomic
def consultation_open(
    *,
    actor: Any,
    participants: Sequence[Employee],
    framework_version: FrameworkVersion | None = None,
    profile: Profile | None = None,
    message: str = "",
    closes_on: datetime.date | None = None,
) -> Consultation:
    """Open a draft framework version or profile for comments to chosen managers and employees."""
    if (framework_version is None) == (profile is None):
        raise ValidationError(_("Open a consultation on either a framework version or a profile."))
    if framework_version is not None:
        _require_draft(framework_version)
        municipality_id = framework_version.framework.municipality_id
        if municipality_id is None:
            raise ValidationError(_("National frameworks are not opened for comments here."))
    else:
        assert profile is not None
        _require_draft_profile(profile)
        municipality_id = profile.municipality_id
    if not participants:
        raise ValidationError({"participants": _("Choose at least one participant.")})
    if any(p.municipality_id != municipality_id for p in participants):
        raise ValidationError(
            {"participants": _("Participants must be employed in the owning municipality.")}
        )
    consultation = Consultation(
        framework_version=framework_version,
        profile=profile,
        municipality_id=municipality_id,
        message=message,
        closes_on=closes_on,
        opened_by=actor if getattr(actor, "pk", None) else None,
    )
    consultation.full_clean()
    consultation.save()
    consultation.participants.set(participants)
    audit.record(
        "competences.consultation.opened",
        actor=actor,
        obj=consultation,
        changes={"participants": [None, sorted(p.pk for p in participants)]},
    )
    return consultation


@transaction.atomic
def consultation_close(*, consultation: Consultation, actor: Any) -> Consultation:
    if consultation.closed_at is None:
        consultation.closed_at = timezone.now()
        consultation.save(update_fields=["closed_at"])
        audit.record(
            "competences.consultation.closed",
            actor=actor,
            obj=consultation,
            changes={"closed": [False, True]},
        )
    return consultation


@transaction.atomic
def comment_add(
    *,
    consultation: Consultation,
    author: Any,
    body: str,
    competence: Competence | None = None,
    proposed_target_level: int | None = None,
    proposed_importance: str = "",
) -> Comment:
    if not consultation.is_open or (consultation.closes_on and consultation.closes_on < timezone.localdate()):
        raise ValidationError(_("The consultation is closed; comments are no longer accepted."))
    subject_version = consultation.framework_version or consultation.profile.framework_version  # type: ignore[union-attr]
    if competence is not None and competence.version_id != subject_version.pk:
        raise ValidationError({"competence": _("The competence is not part of what is being discussed.")})
    proposes = proposed_target_level is not None or bool(proposed_importance)
    if proposes:
        if consultation.profile is None:
            raise ValidationError(_("Target changes can only be proposed for a profile."))
        if competence is None:
            raise ValidationError({"competence": _("Choose the competence your proposal is about.")})
        if proposed_target_level is not None:
            _check_level(competence, proposed_target_level)
    if not body.strip():
        raise ValidationError({"body": _("Write a comment.")})
    comment = Comment(
        consultation=consultation,
        competence=competence,
        author=author if getattr(author, "pk", None) else None,
        author_label=(author.get_full_name() or author.get_username())
        if getattr(author, "pk", None)
        else str(author),
        body=body.strip(),
        proposed_target_level=proposed_target_level,
        proposed_importance=proposed_importance,
        decision=Comment.Decision.PENDING if proposes else Comment.Decision.NONE,
    )
    comment.full_clean(exclude=["author"])
    comment.save()
    audit.record(
        "competences.comment.added",
        actor=author,
        obj=comment,
        municipality_id=consultation.municipality_id,
        changes={"proposal": [None, [proposed_target_level, proposed_importance]]},
    )
    return comment


@transaction.atomic
def comment_decide(*, comment: Comment, accept: bool, actor: Any, note: str = "") -> Comment:
    """The owner accepts a proposed target change (which then changes the draft profile) or rejects it."""
    if comment.decision != Comment.Decision.PENDING:
        raise ValidationError(_("This comment has no proposal awaiting a decision."))
    profile = comment.consultation.profile
    assert profile is not None and comment.competence is not None
    if accept:
        current = profile.targets.filter(competence=comment.competence).first()
        level = comment.proposed_target_level or (current.target_level if current else None)
        if level is None:
            raise ValidationError(_("The proposal has no target level and the profile has none to keep."))
        importance = comment.proposed_importance or (current.importance if current else Importance.IMPORTANT)
        profile_set_targets(profile=profile, targets=[(comment.competence, level, importance)], actor=actor)
    comment.decision = Comment.Decision.ACCEPTED if accept else Comment.Decision.REJECTED
    comment.decided_by = actor if getattr(actor, "pk", None) else None
    comment.decided_at = timezone.now()
    comment.decision_note = note
    comment.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    audit.record(
        "competences.comment.decided",
        actor=actor,
        obj=comment,
        municipality_id=comment.consultation.municipality_id,
        changes={"decision": [Comment.Decision.PENDING, comment.decision]},
    )
    return comment


# --- Import --------------------------------------------------------------------------------------


@transaction.atomic
def framework_import(
    *, data: Any, municipality: Municipality | None, actor: Any, source: str = ""
) -> Framework:
    """Write a parsed file (`exchange.FrameworkData`) as a new framework with one draft version.
    The readers already checked the tree; everything is written in one transaction or not at all."""
    framework = Framework(
        municipality=municipality,
        name=data.name,
        description=data.description,
        language=data.language if data.language in ("da", "en") else "da",
        identifier=data.identifier or str(uuid.uuid4()),
        uri=data.uri,
    )
    framework.full_clean()
    framework.save()
    version = FrameworkVersion.objects.create(
        framework=framework, number=1, taxonomies=data.taxonomies, extra=data.extra
    )
    scales: dict[str, Scale] = {}
    for scale_data in data.scales:
        validate_levels(scale_data.levels)
        scale = Scale.objects.create(
            version=version, name=scale_data.name or data.name[:200], external_id=scale_data.external_id
        )
        _write_levels(scale, scale_data.levels)
        scales[scale_data.key] = scale
    if data.default_scale:
        version.scale = scales[data.default_scale]
        version.save(update_fields=["scale"])
    elif not scales:  # e.g. CASE files from other tools carry no scale: start with the default one
        version.scale = Scale.objects.create(version=version, name=_("Four levels"))
        _write_levels(version.scale, default_levels())
        version.save(update_fields=["scale"])
    elif len(scales) == 1:
        version.scale = next(iter(scales.values()))
        version.save(update_fields=["scale"])
    created: dict[str, Competence] = {}
    positions: dict[str | None, int] = {}
    pending = list(data.competences)
    depth = 0
    while pending:  # level by level, so each row's parent already has a primary key
        ready = [item for item in pending if item.parent is None or item.parent in created]
        if not ready:
            raise ValidationError(_("The parents form a cycle."))
        rows = []
        for item in ready:
            position = positions[item.parent] = positions.get(item.parent, -1) + 1
            competence = Competence(
                version=version,
                parent=created[item.parent] if item.parent else None,
                identifier=item.identifier,
                position=position,
                depth=depth,
                scale=scales[item.scale] if item.scale else None,
                extra=item.extra,
                **{key: value for key, value in item.fields.items() if value},
            )
            try:
                competence.full_clean(
                    exclude=["version", "parent", "scale"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                raise ValidationError(
                    [
                        f"{item.where or item.identifier}: {field}: {'; '.join(msgs)}"
                        for field, msgs in exc.message_dict.items()
                    ]
                ) from exc
            rows.append(competence)
        Competence.objects.bulk_create(rows)
        for competence in rows:
            created[competence.identifier] = competence
        ready_ids = {id(item) for item in ready}
        pending = [item for item in pending if id(item) not in ready_ids]
        depth += 1
    through = Competence.related.through
    links = {
        (created[item.identifier].pk, created[ref].pk)
        for item in data.competences
        for ref in item.related
        if ref in created and ref != item.identifier
    }
    links |= {(b, a) for a, b in links}  # the relation is symmetric
    through.objects.bulk_create([through(from_competence_id=a, to_competence_id=b) for a, b in sorted(links)])
    audit.record(
        "competences.framework.imported",
        actor=actor,
        obj=framework,
        changes={"source": [None, source], "competences": [0, len(created)], "scales": [0, len(scales)]},
    )
    return framework
