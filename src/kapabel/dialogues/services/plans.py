"""Individual development plans: goals (on a competence of the person's framework, or free),
activities (bookings, internal learning, tasks on the job, projects), every content version kept,
confirmation by both parties with optimistic locking, and follow-ups."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.competences.models import Competence
from kapabel.core import audit, jobs
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.dialogues import permissions, summary
from kapabel.dialogues.models import Dialogue, FollowUp, Plan, PlanActivity, PlanGoal, PlanVersion
from kapabel.dialogues.schedule import add_months
from kapabel.dialogues.services.common import Refused, check_competence, check_version, is_user, require, text
from kapabel.learning.models import Enrolment, InternalActivity
from kapabel.organisation.models import Employee

DEFAULT_FOLLOW_UP_MONTHS = 6


def _side(actor: Actor, plan: Plan) -> str | None:
    """ "employee", "manager", or for a system actor "system"."""
    if not isinstance(actor, User):
        return "system"
    return permissions.side_of(actor, plan)


def _require_party(actor: Actor, plan: Plan) -> str:
    side = _side(actor, plan)
    require(side is not None, _("Only the person and their manager work on this plan."))
    return side  # type: ignore[return-value]


def snapshot(plan: Plan) -> dict[str, Any]:
    """The plan's content as plain data (kept per version)."""
    return {
        "title": plan.title,
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat() if plan.ends_on else None,
        "goals": [
            {
                "id": g.pk,
                "title": g.title,
                "competence": g.competence_id,
                "target_level": g.target_level,
                "due_on": g.due_on.isoformat() if g.due_on else None,
                "status": g.status,
            }
            for g in plan.goals.all()
        ],
        "activities": [
            {
                "id": a.pk,
                "title": a.title,
                "kind": a.kind,
                "goal": a.goal_id,
                "enrolment": a.enrolment_id,
                "internal_activity": a.internal_activity_id,
                "responsible": a.responsible,
                "due_on": a.due_on.isoformat() if a.due_on else None,
                "status": a.status,
            }
            for a in plan.activities.all()
        ],
    }


def _lock(plan: Plan, version: int | None) -> Plan:
    locked = (
        Plan.objects.select_for_update(of=("self",)).select_related("employee__unit", "unit").get(pk=plan.pk)
    )
    check_version(locked.version, version)
    if locked.status == Plan.Status.CLOSED:
        raise Refused(_("This plan is closed; make a new plan for the next period."), code="closed")
    return locked


def _new_content(locked: Plan, actor: Actor, action: str, changes: dict[str, Any], target: Plan) -> Plan:
    """After a change of the content: a new content version, kept, and the version counter moved on."""
    locked.content_version += 1
    locked.version += 1
    locked.save(update_fields=["content_version", "version", "updated_at"])
    PlanVersion.objects.create(
        plan=locked,
        number=locked.content_version,
        snapshot=snapshot(locked),
        created_by_label=audit.actor_label(actor),
    )
    audit.record(action, actor=actor, obj=locked, municipality_id=locked.municipality_id, changes=changes)
    target.version, target.content_version = locked.version, locked.content_version
    return locked


@transaction.atomic
def plan_create(
    *,
    employee: Employee,
    actor: Actor,
    title: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    dialogue: Dialogue | None = None,
) -> Plan:
    """A new plan (a draft until both confirm it), usually from a dialogue."""
    start = starts_on or timezone.localdate()
    plan = Plan(
        municipality_id=employee.municipality_id,
        employee=employee,
        unit_id=employee.unit_id,
        dialogue=dialogue,
        title=text(title, 200) or _("Development plan %(year)s") % {"year": start.year},
        starts_on=start,
        ends_on=ends_on if ends_on is not None else add_months(start, 12),
    )
    _require_party(actor, plan)
    if dialogue is not None and dialogue.employee_id != employee.pk:
        raise Refused(_("The dialogue is someone else's."), code="dialogue")
    if ends_on is not None and ends_on < start:
        raise Refused(_("The plan must end on or after its start."), code="dates")
    plan.full_clean()
    plan.save()
    PlanVersion.objects.create(
        plan=plan, number=1, snapshot=snapshot(plan), created_by_label=audit.actor_label(actor)
    )
    audit.record("dialogues.plan.created", actor=actor, obj=plan, changes={"employee": [None, employee.pk]})
    return plan


@transaction.atomic
def goal_add(
    *,
    plan: Plan,
    actor: Actor,
    title: str = "",
    competence: Competence | None = None,
    target_level: int | None = None,
    due_on: datetime.date | None = None,
    version: int | None = None,
) -> PlanGoal:
    """A goal on a competence of the person's framework (with a target level on its scale), or a free
    goal (a title and no competence)."""
    locked = _lock(plan, version)
    _require_party(actor, locked)
    if competence is None and target_level is not None:
        raise Refused(_("A target level needs a competence."), code="level_without_competence")
    if competence is not None:
        check_competence(locked.employee, competence, target_level, field="competence")
    title = text(title, 300) or (str(competence) if competence is not None else "")
    if not title:
        raise Refused(_("Describe the goal, or choose a competence."), code="empty_goal")
    goal = PlanGoal.objects.create(
        plan=locked,
        competence=competence,
        target_level=target_level,
        title=title,
        due_on=due_on,
        position=locked.goals.count(),
    )
    _new_content(locked, actor, "dialogues.plan.goal_added", {"goal": [None, goal.pk]}, plan)
    return goal


@transaction.atomic
def goal_update(*, goal: PlanGoal, actor: Actor, version: int | None = None, **values: Any) -> PlanGoal:
    """Change a goal's title, due date, target level or status."""
    locked = _lock(goal.plan, version)
    _require_party(actor, locked)
    unknown = set(values) - {"title", "due_on", "target_level", "status"}
    if unknown:
        raise TypeError(f"goal_update: unknown fields {sorted(unknown)}")
    if "target_level" in values and values["target_level"] is not None:
        if goal.competence is None:
            raise Refused(_("A target level needs a competence."), code="level_without_competence")
        check_competence(locked.employee, goal.competence, values["target_level"], field="target_level")
    changes = audit.update_audited(
        goal,
        fields=("title", "due_on", "target_level", "status"),
        values=values,
        action="dialogues.plan.goal_changed",
        actor=actor,
        municipality_id=locked.municipality_id,
    )
    if changes:
        _new_content(locked, actor, "dialogues.plan.changed", {"goal": [None, goal.pk]}, goal.plan)
    return goal


@transaction.atomic
def activity_add(
    *,
    plan: Plan,
    actor: Actor,
    title: str = "",
    kind: str = PlanActivity.Kind.ON_THE_JOB,
    goal: PlanGoal | None = None,
    enrolment: Enrolment | None = None,
    internal_activity: InternalActivity | None = None,
    responsible: str = PlanActivity.Responsible.EMPLOYEE,
    due_on: datetime.date | None = None,
    version: int | None = None,
) -> PlanActivity:
    """An activity towards a goal; a booking or internal learning activity must be the person's own."""
    locked = _lock(plan, version)
    _require_party(actor, locked)
    if goal is not None and goal.plan_id != locked.pk:
        raise Refused(_("The goal belongs to another plan."), code="goal")
    if enrolment is not None:
        kind = PlanActivity.Kind.BOOKING
        if enrolment.employee_id != locked.employee_id:
            raise Refused(_("The booking is someone else's."), code="enrolment")
        title = title or enrolment.cohort.display_title
    if internal_activity is not None:
        kind = PlanActivity.Kind.INTERNAL
        if internal_activity.learner_id != locked.employee_id:
            raise Refused(_("The internal learning activity is someone else's."), code="internal_activity")
        title = title or internal_activity.get_kind_display()
    title = text(title, 300)
    if not title:
        raise Refused(_("Describe the activity."), code="empty_activity")
    if kind not in PlanActivity.Kind.values or responsible not in PlanActivity.Responsible.values:
        raise Refused(_("Choose one of the kinds and responsible parties offered."), code="choice")
    activity = PlanActivity.objects.create(
        plan=locked,
        goal=goal,
        kind=kind,
        title=title,
        enrolment=enrolment,
        internal_activity=internal_activity,
        responsible=responsible,
        due_on=due_on,
        position=locked.activities.count(),
    )
    _new_content(locked, actor, "dialogues.plan.activity_added", {"activity": [None, activity.pk]}, plan)
    return activity


@transaction.atomic
def activity_update(
    *, activity: PlanActivity, actor: Actor, version: int | None = None, **values: Any
) -> PlanActivity:
    """Change an activity's title, due date, responsible party or status (a booking's status follows
    the booking and is not set here)."""
    locked = _lock(activity.plan, version)
    _require_party(actor, locked)
    if "status" in values and (activity.enrolment_id or activity.internal_activity_id):
        raise Refused(
            _("This activity follows its booking; change the booking instead."), code="follows_booking"
        )
    changes = audit.update_audited(
        activity,
        fields=("title", "due_on", "responsible", "status"),
        values=values,
        action="dialogues.plan.activity_changed",
        actor=actor,
        municipality_id=locked.municipality_id,
    )
    if changes:
        _new_content(
            locked, actor, "dialogues.plan.changed", {"activity": [None, activity.pk]}, activity.plan
        )
    return activity


def plan_confirm(*, plan: Plan, actor: Actor, version: int | None, on_behalf_of: str = "") -> Plan:
    """One party confirms the plan as they saw it (`version`). When both have confirmed the same
    content, it is agreed: it becomes the person's current plan (an earlier one is closed) and its
    first follow-up is set. A system actor (the demo, an import of signed paper plans) names the side
    it records the confirmation for in `on_behalf_of`. A plan change with a `JobRun` record of how it
    ended (issue 15: a process killed in the middle leaves the plan as it was, and says so)."""
    with jobs.long_write("dialogues.plan_confirm", actor=actor, municipality=_municipality_of(plan)) as run:
        locked = (
            Plan.objects.select_for_update(of=("self",))
            .select_related("employee__unit", "unit", "dialogue__cycle")
            .get(pk=plan.pk)
        )
        side = _require_party(actor, locked)
        if side == "system":
            if on_behalf_of not in ("employee", "manager"):
                raise Refused(_("A plan is confirmed by the person and their manager."), code="side")
            side = on_behalf_of
        if locked.status == Plan.Status.CLOSED:
            raise Refused(_("This plan is closed."), code="closed")
        already = (
            locked.employee_confirmed_version if side == "employee" else locked.manager_confirmed_version
        )
        check_version(locked.version, version)
        if already == locked.content_version:
            raise Refused(_("You have already confirmed this version of the plan."), code="already_confirmed")
        now = timezone.now()
        if side == "employee":
            locked.employee_confirmed_version, locked.employee_confirmed_at = locked.content_version, now
        else:
            locked.manager_confirmed_version, locked.manager_confirmed_at = locked.content_version, now
            locked.manager_confirmed_by = actor if isinstance(actor, User) else None
        agreed = (
            locked.employee_confirmed_version == locked.manager_confirmed_version == locked.content_version
        )
        if agreed:
            locked.agreed_version, locked.agreed_at = locked.content_version, now
            PlanVersion.objects.filter(plan=locked, number=locked.content_version).update(agreed_at=now)
            earlier = Plan.objects.filter(
                employee_id=locked.employee_id, status=Plan.Status.ACTIVE, agreed_version__isnull=False
            ).exclude(pk=locked.pk)
            earlier.update(status=Plan.Status.CLOSED)
            if not locked.follow_ups.filter(done_at__isnull=True).exists():
                months = (
                    locked.dialogue.cycle.follow_up_months
                    if locked.dialogue and locked.dialogue.cycle
                    else DEFAULT_FOLLOW_UP_MONTHS
                )
                FollowUp.objects.create(plan=locked, due_on=add_months(timezone.localdate(), months))
        locked.version += 1
        locked.save()
        audit.record(
            "dialogues.plan.confirmed",
            actor=actor,
            obj=locked,
            changes={
                "side": [None, side],
                "content_version": [None, locked.content_version],
                "agreed": [False, agreed],
            },
        )
        run.progress("plan")
        summary.refresh([locked.employee_id])
        plan.version, plan.agreed_version = locked.version, locked.agreed_version
    return locked


@transaction.atomic
def follow_up_record(
    *, follow_up: FollowUp, actor: Actor, note: str, next_on: datetime.date | None = None
) -> FollowUp:
    """Record a follow-up as done (what came of it) and, optionally, set the next one."""
    locked = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("plan__employee__unit", "plan__unit")
        .get(pk=follow_up.pk)
    )
    plan = locked.plan
    _require_party(actor, plan)
    if locked.done_at is not None:
        raise Refused(_("This follow-up has already been recorded."), code="done")
    locked.done_at, locked.note = timezone.now(), text(note)
    locked.save()
    if next_on is not None:
        FollowUp.objects.create(plan=plan, due_on=next_on)
    audit.record(
        "dialogues.plan.followed_up", actor=actor, obj=plan, changes={"follow_up": [None, locked.pk]}
    )
    summary.refresh([plan.employee_id])
    return locked


@transaction.atomic
def follow_up_schedule(*, plan: Plan, actor: Actor, due_on: datetime.date) -> FollowUp:
    _require_party(actor, plan)
    follow_up = FollowUp.objects.create(plan=plan, due_on=due_on)
    audit.record("dialogues.plan.follow_up_set", actor=actor, obj=plan, changes={"due_on": [None, due_on]})
    summary.refresh([plan.employee_id])
    return follow_up


def _municipality_of(plan: Plan) -> int | None:
    return Plan.objects.filter(pk=plan.pk).values_list("employee__municipality_id", flat=True).first()


def plan_for_actor(actor: Any, plan: Plan) -> bool:
    return is_user(actor) and permissions.side_of(actor, plan) is not None
