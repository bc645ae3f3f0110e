"""A person's own targets, which override their role or unit profile for one competence."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kapabel.competences.models import Competence, Importance, IndividualTarget
from kapabel.competences.services.common import check_level
from kapabel.core import announce, audit
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.organisation.models import Employee


@transaction.atomic
def individual_target_set(
    *,
    employee: Employee,
    competence: Competence,
    target_level: int,
    actor: Actor,
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
    check_level(competence, target_level)
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
    target.set_by = actor if isinstance(actor, User) else None
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
def individual_target_remove(*, target: IndividualTarget, actor: Actor) -> None:
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
