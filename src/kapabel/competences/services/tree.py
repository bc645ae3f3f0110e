"""The competence tree of a draft version (add, edit, move, remove, cross-reference) and how
competences continue from one version into the next (mappings)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kapabel.competences.models import (
    Competence,
    CompetenceMapping,
    FrameworkVersion,
    ProfileTarget,
    Scale,
)
from kapabel.competences.services.common import COMPETENCE_FIELDS, UNSET, given, require_draft
from kapabel.core import audit
from kapabel.core.audit import Actor


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
    competence.code = competence.code.strip()
    if (
        competence.code
        and Competence.objects.filter(version_id=competence.version_id, code=competence.code)
        .exclude(pk=competence.pk)
        .exists()
    ):
        errors["code"] = _(
            "The code %(code)s is already used by another competence in this version. Give each "
            "competence its own code, or leave it empty."
        ) % {"code": competence.code}
    if errors:
        raise ValidationError(errors)


def _next_position(version: FrameworkVersion, parent: Competence | None) -> int:
    top = Competence.objects.filter(version=version, parent=parent).aggregate(m=Max("position"))["m"]
    return 0 if top is None else top + 1


@transaction.atomic
def competence_create(
    *,
    version: FrameworkVersion,
    actor: Actor,
    parent: Competence | None = None,
    identifier: str = "",
    code: str = "",
    name_da: str = "",
    name_en: str = "",
    description_da: str = "",
    description_en: str = "",
    indicators_da: str = "",
    indicators_en: str = "",
    esco_uri: str = "",
    scale: Scale | None = None,
) -> Competence:
    """A new competence, last among its siblings (at the top level when `parent` is None)."""
    require_draft(version)
    competence = Competence(
        version=version,
        parent=parent,
        identifier=identifier or str(uuid.uuid4()),
        depth=parent.depth + 1 if parent else 0,
        position=_next_position(version, parent),
        code=code,
        name_da=name_da,
        name_en=name_en,
        description_da=description_da,
        description_en=description_en,
        indicators_da=indicators_da,
        indicators_en=indicators_en,
        esco_uri=esco_uri,
        scale=scale,
    )
    _check_competence(competence)
    audit.create_audited(
        competence,
        fields=COMPETENCE_FIELDS,
        action="competences.competence.created",
        actor=actor,
        municipality_id=version.framework.municipality_id,
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
def competence_update(
    *,
    competence: Competence,
    actor: Actor,
    parent: Competence | None = UNSET,
    identifier: str = UNSET,
    code: str = UNSET,
    name_da: str = UNSET,
    name_en: str = UNSET,
    description_da: str = UNSET,
    description_en: str = UNSET,
    indicators_da: str = UNSET,
    indicators_en: str = UNSET,
    esco_uri: str = UNSET,
    scale: Scale | None = UNSET,
) -> Competence:
    """Change a competence of a draft version; a new parent moves it (last among its new siblings,
    with the depths below it recomputed). Arguments not given stay as they are."""
    require_draft(competence.version)
    values = given(
        parent=parent,
        identifier=identifier,
        code=code,
        name_da=name_da,
        name_en=name_en,
        description_da=description_da,
        description_en=description_en,
        indicators_da=indicators_da,
        indicators_en=indicators_en,
        esco_uri=esco_uri,
        scale=scale,
    )
    old_parent = competence.parent_id

    def check(changed: Competence) -> None:
        _check_competence(changed)
        if changed.parent_id != old_parent:
            changed.depth = changed.parent.depth + 1 if changed.parent else 0
            changed.position = _next_position(changed.version, changed.parent)

    audit.update_audited(
        competence,
        fields=COMPETENCE_FIELDS,
        values=values,
        action="competences.competence.updated",
        actor=actor,
        check=check,
        municipality_id=competence.version.framework.municipality_id,
    )
    if competence.parent_id != old_parent:
        _set_depths(competence)
    return competence


@transaction.atomic
def competence_move(*, competence: Competence, direction: str, actor: Actor) -> Competence:
    """Move a competence one place up or down among its siblings (keyboard-friendly reordering)."""
    require_draft(competence.version)
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
    *, version: FrameworkVersion, parent: Competence | None, order: Sequence[int], actor: Actor
) -> None:
    """Set the order of a parent's children at once (drag and drop)."""
    require_draft(version)
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
def competence_delete(*, competence: Competence, actor: Actor) -> None:
    require_draft(competence.version)
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
    *, competence: Competence, related: Sequence[Competence], actor: Actor
) -> Competence:
    require_draft(competence.version)
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
    *, source: Competence, target: Competence, relation: str, actor: Actor, note: str = ""
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
