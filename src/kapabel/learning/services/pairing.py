"""Recording an internal learning pairing suggested by `kapabel.learning.suggestions`: a learner and a
colleague who teaches them a competence, within the colleague's maximum number of mentees."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kapabel.competences.models import Competence
from kapabel.core.access import scope_for
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.learning.models import InternalActivity
from kapabel.learning.services.evidence import internal_activity_create
from kapabel.learning.services.guards import Refused
from kapabel.learning.suggestions import BUSY_STATUSES, max_mentees
from kapabel.organisation.models import Employee


@transaction.atomic
def internal_pairing_create(
    *,
    learner: Employee,
    mentor: Employee,
    kind: str,
    starts_on: datetime.date,
    actor: Actor,
    competence: Competence | None = None,
    target_level: int | None = None,
    ends_on: datetime.date | None = None,
    hours: Decimal | None = None,
    outcome: str = "",
) -> InternalActivity:
    """Pair a learner with a colleague (mentoring, peer training, shadowing, team-based learning).
    Refused when the colleague already teaches the municipality's maximum number of people; the
    colleague's row is locked first, so two pairings cannot both take the last slot. The activity is
    recorded by `internal_activity_create` (completing it creates evidence like a course)."""
    if (
        isinstance(actor, User)
        and not Employee.objects.filter(scope_for(actor).employees_q(), pk=mentor.pk).exists()
    ):
        raise PermissionDenied(_("You may not plan learning with %(name)s.") % {"name": mentor.name})
    locked = Employee.objects.select_for_update().get(pk=mentor.pk)
    ceiling = max_mentees(learner.municipality_id)
    busy = InternalActivity.objects.filter(mentor=locked, status__in=BUSY_STATUSES).count()
    if busy >= ceiling:
        raise Refused(
            _("%(name)s already teaches %(count)d colleagues, the most allowed.")
            % {"name": mentor.name, "count": busy},
            code="max_mentees",
        )
    return internal_activity_create(
        kind=kind,
        learner=learner,
        mentor=mentor,
        competence=competence,
        target_level=target_level,
        starts_on=starts_on,
        ends_on=ends_on,
        hours=hours,
        outcome=outcome,
        actor=actor,
    )
