"""Shared pieces of the dialogue services: the refusal, optimistic locking and the person's framework."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kapabel.assessments.services import competence_level_values
from kapabel.competences.models import Competence, FrameworkVersion
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.gaps.models import GapFact
from kapabel.learning.services.guards import Refused
from kapabel.organisation.models import Employee

__all__ = ["Refused", "check_version", "check_competence", "local_date", "require", "when"]


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def is_user(actor: Actor) -> bool:
    return isinstance(actor, User)


def check_version(current: int, given: int | None) -> None:
    """Optimistic locking: the form or request names the version it was made from."""
    if given is not None and given != current:
        raise Refused(
            _(
                "Someone changed this after you opened it. Nothing was saved: reload the page, look at "
                "the newest version and try again."
            ),
            code="stale",
        )


def local_date(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date()


def when(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return date_format(value, "SHORT_DATE_FORMAT")


def framework_versions_for(employee: Employee) -> set[int]:
    """The framework versions of the person's profile (the competences of their targets); with no
    profile, the published versions of the frameworks their municipality owns or shares."""
    versions = set(
        GapFact.objects.filter(employee_id=employee.pk)
        .values_list("competence__version_id", flat=True)
        .distinct()
    )
    if versions:
        return versions
    return set(
        FrameworkVersion.objects.filter(
            Q(framework__municipality_id=employee.municipality_id)
            | Q(framework__shared_with__id=employee.municipality_id),
            status="published",
        ).values_list("pk", flat=True)
    )


def check_competence(employee: Employee, competence: Competence, level: int | None, *, field: str) -> None:
    """The competence belongs to the person's framework and the level is on its scale."""
    if competence.version_id not in framework_versions_for(employee):
        raise Refused(
            _(
                "%(competence)s is not part of the competence framework of %(name)s. Choose a competence "
                "from their profile, or write the goal as a free goal."
            )
            % {"competence": competence, "name": employee.name},
            code="competence_outside_framework",
        )
    if level is not None:
        allowed = competence_level_values([competence.pk]).get(competence.pk, (None, set()))[1]
        if level not in allowed:
            raise Refused(
                _("%(level)s is not a level on the scale of %(competence)s; choose one of %(levels)s.")
                % {
                    "level": level,
                    "competence": competence,
                    "levels": ", ".join(str(v) for v in sorted(allowed)),
                },
                code="level_not_on_scale",
            )


def text(value: Any, limit: int = 20000) -> str:
    return str(value or "")[:limit]
