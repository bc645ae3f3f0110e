"""Evidence of learning and internal learning activities.

Completing an enrolment or an internal activity creates *unconfirmed* evidence: for each competence
developed, the level the person is expected to have reached (their current level plus the expected
gain, within the competence's scale). A manager over the person, HR or an administrator confirms it
(optionally at another level); confirmation records a rating with source `evidence` through
`kapabel.assessments.services.ratings_record`, so the current level and the gap analysis follow in
the same transaction. Evidence ranks first in the default current-level order (see
`kapabel.assessments.models.DEFAULT_LEVEL_ORDER`)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.assessments import selectors as assessment_selectors
from kapabel.assessments.models import Source
from kapabel.assessments.services import RatingEntry, competence_level_values, ratings_record
from kapabel.competences.models import Competence
from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.learning import events, permissions
from kapabel.learning.models import Enrolment, Evidence, InternalActivity, OfferCompetence
from kapabel.learning.services.guards import Refused
from kapabel.organisation.models import Employee

_UNSET: Any = object()


def _proposed_levels(employee_id: int, gains: dict[int, int]) -> dict[int, int]:
    """{competence id: current level + gain, kept on the scale} for one person."""
    allowed = competence_level_values(gains)
    current = dict(
        assessment_selectors.current_levels(
            employee_ids=[employee_id], competence_ids=list(gains)
        ).values_list("competence_id", "level")
    )
    proposed = {}
    for competence_id, gain in gains.items():
        values = sorted(allowed.get(competence_id, (None, set()))[1])
        if not values:
            continue
        now = current.get(competence_id)
        wanted = (now if now is not None else values[0] - 1) + gain
        reachable = [v for v in values if v <= wanted]
        proposed[competence_id] = max(reachable) if reachable else values[0]
    return proposed


def evidence_create_for_enrolment(*, enrolment: Enrolment, actor: Actor) -> list[Evidence]:
    """Unconfirmed evidence for each competence the enrolment's offer develops (inside the caller's
    transaction; a completed enrolment gets it once)."""
    gains = dict(
        OfferCompetence.objects.filter(offer_id=enrolment.cohort.offer_id).values_list(
            "competence_id", "expected_gain"
        )
    )
    if not gains:
        return []
    already = set(Evidence.objects.filter(enrolment=enrolment).values_list("competence_id", flat=True))
    levels = _proposed_levels(enrolment.employee_id, {c: g for c, g in gains.items() if c not in already})
    rows = Evidence.objects.bulk_create(
        [
            Evidence(employee_id=enrolment.employee_id, competence_id=c, level=level, enrolment=enrolment)
            for c, level in sorted(levels.items())
        ]
    )
    _created(rows, actor, enrolment.cohort.offer.municipality_id)
    return rows


def _created(rows: list[Evidence], actor: Actor, municipality_id: int) -> None:
    if rows:
        audit.record(
            "learning.evidence.created",
            actor=actor,
            municipality_id=municipality_id,
            object_type="learning.evidence",
            object_id=str(rows[0].pk) if len(rows) == 1 else "",
            object_repr=_("%(count)d pieces of evidence") % {"count": len(rows)},
            changes={"evidence": [r.pk for r in rows]},
        )
        events.emit("evidence_created", {"evidence": [r.pk for r in rows]})


@transaction.atomic
def evidence_confirm(
    *, evidence: Evidence, actor: Actor, level: int | None = None, comment: str = ""
) -> Evidence:
    """Confirm evidence (a manager over the person, HR, an administrator; never the person): records a
    rating with source `evidence` at `level` (default: the evidence's level), which moves the person's
    current level and the gap analysis."""
    locked = Evidence.objects.select_for_update().select_related("employee__unit").get(pk=evidence.pk)
    employee = locked.employee
    if isinstance(actor, User) and not permissions.can_act_for(actor, employee):
        raise PermissionDenied(
            _("Only a manager of %(name)s or HR can confirm this evidence.") % {"name": employee.name}
        )
    if locked.confirmed_at is not None:
        raise Refused(_("This evidence has already been confirmed."), code="confirmed")
    if level is not None:
        locked.level = level
    [rating] = ratings_record(
        municipality_id=employee.municipality_id,
        source=Source.EVIDENCE,
        entries=[
            RatingEntry(
                competence_id=locked.competence_id,
                level=locked.level,
                employee_id=employee.pk,
                comment=comment,
            )
        ],
        actor=actor,
        audit_event=False,
    )
    locked.rating = rating
    locked.confirmed_at = timezone.now()
    locked.confirmed_by = actor if isinstance(actor, User) else None
    locked.save(update_fields=["level", "rating", "confirmed_at", "confirmed_by"])
    audit.record(
        "learning.evidence.confirmed",
        actor=actor,
        obj=locked,
        municipality_id=employee.municipality_id,
        changes={"level": [None, locked.level], "rating": [None, rating.pk]},
    )
    events.emit("evidence_confirmed", {"evidence": [locked.pk]})
    evidence.level, evidence.rating, evidence.confirmed_at, evidence.confirmed_by = (
        locked.level,
        rating,
        locked.confirmed_at,
        locked.confirmed_by,
    )
    return locked


# --- Internal learning --------------------------------------------------------------------------

ACTIVITY_FIELDS = (
    "kind",
    "learner",
    "mentor",
    "competence",
    "target_level",
    "starts_on",
    "ends_on",
    "hours",
    "outcome",
    "status",
)


@transaction.atomic
def internal_activity_create(
    *,
    kind: str,
    learner: Employee,
    starts_on: datetime.date,
    actor: Actor,
    mentor: Employee | None = None,
    competence: Competence | None = None,
    target_level: int | None = None,
    ends_on: datetime.date | None = None,
    hours: Decimal | None = None,
    outcome: str = "",
) -> InternalActivity:
    """Record a pairing (peer training, mentoring, shadowing, team-based learning) between colleagues
    of one municipality, by someone who may book the learner."""
    if isinstance(actor, User) and permissions.booking_role(actor, learner) in (None, "self"):
        raise PermissionDenied(_("You may not plan learning for %(name)s.") % {"name": learner.name})
    if mentor is not None and mentor.municipality_id != learner.municipality_id:
        raise Refused(
            _("%(name)s belongs to another municipality than %(learner)s.")
            % {"name": mentor.name, "learner": learner.name},
            code="other_municipality",
        )
    for person in (learner, mentor):
        if person is not None and not person.active:
            raise Refused(
                _("%(name)s is no longer active in the organisation.") % {"name": person.name},
                code="inactive_employee",
            )
    activity = InternalActivity(
        municipality_id=learner.municipality_id,
        kind=kind,
        learner=learner,
        mentor=mentor,
        competence=competence,
        target_level=target_level,
        starts_on=starts_on,
        ends_on=ends_on,
        hours=hours,
        outcome=outcome,
        created_by=actor if isinstance(actor, User) else None,
    )
    audit.create_audited(activity, fields=ACTIVITY_FIELDS, action="learning.activity.created", actor=actor)
    return activity


@transaction.atomic
def internal_activity_update(
    *,
    activity: InternalActivity,
    actor: Actor,
    status: str = _UNSET,
    ends_on: datetime.date | None = _UNSET,
    hours: Decimal | None = _UNSET,
    outcome: str = _UNSET,
) -> InternalActivity:
    """Change an activity's dates, hours, outcome or status. Setting it completed creates unconfirmed
    evidence for its competence (at its target level) once."""
    locked = InternalActivity.objects.select_for_update().select_related("learner__unit").get(pk=activity.pk)
    if isinstance(actor, User) and not permissions.can_act_for(actor, locked.learner):
        raise PermissionDenied(_("You may not change this learning activity."))
    if (
        locked.status in (InternalActivity.Status.COMPLETED, InternalActivity.Status.CANCELLED)
        and status is not _UNSET
    ):
        raise Refused(_("This learning activity has ended and cannot change status."), code="transition")
    values = {
        k: v
        for k, v in {"status": status, "ends_on": ends_on, "hours": hours, "outcome": outcome}.items()
        if v is not _UNSET
    }
    audit.update_audited(
        locked, fields=ACTIVITY_FIELDS, values=values, action="learning.activity.changed", actor=actor
    )
    if values.get("status") == InternalActivity.Status.COMPLETED and locked.competence_id:
        _evidence_for_activity(locked, actor)
    activity.refresh_from_db()
    return locked


def _evidence_for_activity(activity: InternalActivity, actor: Actor) -> None:
    if Evidence.objects.filter(activity=activity).exists():
        return
    assert activity.competence_id is not None
    level = activity.target_level or _proposed_levels(activity.learner_id, {activity.competence_id: 1}).get(
        activity.competence_id
    )
    if level is None:
        raise ValidationError(_("The competence has no scale to record a level on."))
    row = Evidence.objects.create(
        employee_id=activity.learner_id, competence_id=activity.competence_id, level=level, activity=activity
    )
    _created([row], actor, activity.municipality_id)
