"""Reads of dialogues and plans, scoped through `kapabel.dialogues.permissions`. What of a dialogue a
reader gets is decided in one place, `dialogue_view`: content only for the person and their manager,
a preparation only for its author until it is shared."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from kapabel.competences.models import Competence
from kapabel.dialogues import permissions
from kapabel.dialogues.models import (
    AgreedLevel,
    Cycle,
    Dialogue,
    DialogueState,
    FollowUp,
    PersonStatus,
    Plan,
    PlanActivity,
    Preparation,
)
from kapabel.dialogues.privacy import readable_preparations
from kapabel.dialogues.status import activity_status, person_status
from kapabel.gaps.selectors.profile import person_profile
from kapabel.learning.models import PENDING_STATUSES, Enrolment, EnrolmentStatus, Evidence


def dialogues_for_user(
    user: Any, *, cycle_id: int | None = None, employee_id: int | None = None
) -> QuerySet[Dialogue]:
    queryset = permissions.dialogues_visible(user).select_related("employee__unit", "cycle", "manager")
    if cycle_id is not None:
        queryset = queryset.filter(cycle_id=cycle_id)
    if employee_id is not None:
        queryset = queryset.filter(employee_id=employee_id)
    return queryset.order_by("due_on", "employee__name", "pk")


def plans_for_user(user: Any, *, employee_id: int | None = None) -> QuerySet[Plan]:
    queryset = permissions.plans_visible(user).select_related("employee__unit", "unit")
    if employee_id is not None:
        queryset = queryset.filter(employee_id=employee_id)
    return queryset.order_by("-starts_on", "-pk")


def cycles_for_user(user: Any) -> QuerySet[Cycle]:
    return permissions.cycles_visible(user).select_related("unit").order_by("-starts_on", "-pk")


def plan_flags(dialogue_ids: list[int], today: datetime.date) -> dict[int, tuple[bool, bool]]:
    """{dialogue id: (a plan from it is agreed, a follow-up of that plan is due)} in two queries."""
    plans = list(
        Plan.objects.filter(dialogue_id__in=dialogue_ids, agreed_version__isnull=False).values_list(
            "pk", "dialogue_id"
        )
    )
    due = set(
        FollowUp.objects.filter(
            plan_id__in=[p for p, _d in plans], done_at__isnull=True, due_on__lte=today
        ).values_list("plan_id", flat=True)
    )
    flags: dict[int, tuple[bool, bool]] = {}
    for plan_id, dialogue_id in plans:
        agreed, follow = flags.get(dialogue_id, (False, False))
        flags[dialogue_id] = (True, follow or plan_id in due)
    return flags


@dataclass
class PersonRow:
    dialogue: Dialogue
    status: str
    status_label: str
    can_book: bool
    can_open: bool


def cycle_dialogues(user: Any, cycle: Cycle) -> QuerySet[Dialogue]:
    """The dialogues of a cycle the user may see. Reached through the people the user reads (an
    index on the person), not by scanning the whole cycle: a team's manager in a municipality-wide
    cycle reads 40 rows, not 50,000."""
    from kapabel.core.access import scope_for
    from kapabel.organisation.models import Employee

    people = Employee.objects.filter(scope_for(user).employees_q()).values("pk")
    return (
        Dialogue.objects.filter(cycle_id=cycle.pk, employee_id__in=people)
        .select_related("employee__unit", "cycle", "manager", "group")
        .order_by("due_on", "employee__name", "pk")
    )


def cycle_rows(user: Any, cycle: Cycle, dialogues: Any = None) -> list[PersonRow]:
    """The people of a cycle the user may see (or the page of them given), with their status (a
    constant number of queries)."""
    dialogues = list(cycle_dialogues(user, cycle) if dialogues is None else dialogues)
    today = timezone.localdate()
    flags = plan_flags([d.pk for d in dialogues], today)
    labels = dict(PersonStatus.choices)
    rows = []
    for d in dialogues:
        agreed, follow = flags.get(d.pk, (False, False))
        status = person_status(
            state=d.state, due_on=d.due_on, today=today, plan_agreed=agreed, follow_up_due=follow
        )
        rows.append(
            PersonRow(
                dialogue=d,
                status=status,
                status_label=str(labels[status]),
                can_book=permissions.can_book(user, d.employee),
                can_open=True,
            )
        )
    return rows


def cycle_status_counts(user: Any, cycle: Cycle) -> dict[str, int]:
    """{status: people} over everyone in the cycle the user sees, counted in the database (the same
    rule as `status.person_status`)."""
    today = timezone.localdate()
    agreed = Exists(Plan.objects.filter(dialogue=OuterRef("pk"), agreed_version__isnull=False))
    due = Exists(
        FollowUp.objects.filter(
            plan__dialogue=OuterRef("pk"),
            plan__agreed_version__isnull=False,
            done_at__isnull=True,
            due_on__lte=today,
        )
    )
    open_states = [DialogueState.OPEN, DialogueState.BOOKED]
    held = Q(state=DialogueState.HELD)
    figures = (
        cycle_dialogues(user, cycle)
        .order_by()
        .aggregate(
            not_booked=Count("pk", filter=Q(state=DialogueState.OPEN, due_on__gte=today)),
            booked=Count("pk", filter=Q(state=DialogueState.BOOKED, due_on__gte=today)),
            overdue=Count("pk", filter=Q(state__in=open_states, due_on__lt=today)),
            held=Count("pk", filter=held & ~Q(due) & ~Q(agreed)),
            plan_agreed=Count("pk", filter=held & Q(agreed) & ~Q(due)),
            follow_up_due=Count("pk", filter=held & Q(due)),
            cancelled=Count("pk", filter=Q(state=DialogueState.CANCELLED)),
        )
    )
    return {status: n for status, n in figures.items() if n}


def status_counts(rows: list[PersonRow]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    return dict(counts)


# --- One dialogue ------------------------------------------------------------------------------------


@dataclass
class DialogueView:
    """What one reader gets of a dialogue."""

    dialogue: Dialogue
    status: str
    content: bool  # notes, agreements, levels and shared preparations
    side: str | None
    own_preparation: Preparation | None
    other_preparations: list[Preparation] = field(default_factory=list)
    agreed_levels: list[AgreedLevel] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    questions: list[dict[str, str]] = field(default_factory=list)


def dialogue_view(user: Any, dialogue: Dialogue) -> DialogueView:
    content = permissions.can_read_content(user, dialogue)
    preparations = list(dialogue.preparations.all())
    readable = readable_preparations(user, preparations, content=content)
    own = next((p for p in readable if p.author_id == user.pk), None)
    today = timezone.localdate()
    flags = plan_flags([dialogue.pk], today).get(dialogue.pk, (False, False))
    return DialogueView(
        dialogue=dialogue,
        status=person_status(
            state=dialogue.state,
            due_on=dialogue.due_on,
            today=today,
            plan_agreed=flags[0],
            follow_up_due=flags[1],
        ),
        content=content,
        side=permissions.side_of(user, dialogue),
        own_preparation=own,
        other_preparations=[p for p in readable if p.author_id != user.pk],
        agreed_levels=list(dialogue.agreed_levels.select_related("competence")) if content else [],
        plans=list(dialogue.plans.order_by("-pk")) if content else [],
        questions=list(dialogue.cycle.questions) if dialogue.cycle else [],
    )


def preparation_material(dialogue: Dialogue) -> dict[str, Any]:
    """What Kapabel knows, for both parties' preparation (the caller checked content access): the
    profile (target, self, manager, agreed, current level, gap), the last plan and what came of it,
    evidence and learning since the last dialogue, open learning requests."""
    employee = dialogue.employee
    since = timezone.now() - datetime.timedelta(days=400)
    last_plan = (
        Plan.objects.filter(employee=employee, agreed_version__isnull=False)
        .exclude(dialogue=dialogue)
        .order_by("-agreed_at", "-pk")
        .first()
    )
    return {
        "profile": person_profile(employee),
        "last_plan": plan_detail(last_plan) if last_plan else None,
        "evidence": list(
            Evidence.objects.filter(employee=employee, created_at__gte=since)
            .select_related("competence")
            .order_by("-pk")[:20]
        ),
        "completed": list(
            Enrolment.objects.filter(employee=employee, status=EnrolmentStatus.COMPLETED)
            .select_related("cohort__offer")
            .order_by("-pk")[:10]
        ),
        "requests": list(
            Enrolment.objects.filter(employee=employee, status__in=PENDING_STATUSES)
            .select_related("cohort__offer")
            .order_by("-pk")
        ),
    }


# --- One plan ------------------------------------------------------------------------------------------


@dataclass
class ActivityRow:
    activity: PlanActivity
    status: str
    status_label: str


def plan_detail(plan: Plan) -> dict[str, Any]:
    """Goals with their activities (each with the status it follows), versions and follow-ups."""
    goals = list(plan.goals.select_related("competence"))
    activities = list(plan.activities.select_related("enrolment__cohort__offer", "internal_activity", "goal"))
    labels = dict(PlanActivity.Status.choices)
    rows = []
    for a in activities:
        status = activity_status(a)
        rows.append(ActivityRow(activity=a, status=status, status_label=str(labels[status])))
    by_goal: dict[int | None, list[ActivityRow]] = defaultdict(list)
    for row in rows:
        by_goal[row.activity.goal_id].append(row)
    return {
        "plan": plan,
        "goals": [{"goal": g, "activities": by_goal.get(g.pk, [])} for g in goals],
        "loose_activities": by_goal.get(None, []),
        "activities": rows,
        "versions": list(plan.versions.only("number", "created_at", "created_by_label", "agreed_at")),
        "follow_ups": list(plan.follow_ups.all()),
    }


def my_dialogues(employee_id: int) -> list[Dialogue]:
    return list(
        Dialogue.objects.filter(employee_id=employee_id)
        .exclude(state=DialogueState.CANCELLED)
        .select_related("cycle", "manager", "employee__unit", "unit", "group")
        .prefetch_related(Prefetch("preparations"))
        .order_by("-due_on", "-pk")[:10]
    )


def with_status_flags(queryset: QuerySet[Dialogue]) -> QuerySet[Dialogue]:
    """Annotate `plan_agreed` and `follow_up_due` (the inputs of `person_status`) for lists."""
    today = timezone.localdate()
    agreed = Plan.objects.filter(dialogue=OuterRef("pk"), agreed_version__isnull=False)
    due = FollowUp.objects.filter(
        plan__dialogue=OuterRef("pk"),
        plan__agreed_version__isnull=False,
        done_at__isnull=True,
        due_on__lte=today,
    )
    return queryset.annotate(plan_agreed=Exists(agreed), follow_up_due=Exists(due))


def status_of(dialogue: Dialogue) -> str:
    """The person status of an annotated dialogue (`with_status_flags`)."""
    return person_status(
        state=dialogue.state,
        due_on=dialogue.due_on,
        today=timezone.localdate(),
        plan_agreed=bool(getattr(dialogue, "plan_agreed", False)),
        follow_up_due=bool(getattr(dialogue, "follow_up_due", False)),
    )


# --- Choices for the page forms ------------------------------------------------------------------------


def goal_competences(employee: Any) -> QuerySet[Competence]:
    """The competences a goal may be on: those of the person's framework."""
    from kapabel.dialogues.services.common import framework_versions_for

    return Competence.objects.filter(version_id__in=framework_versions_for(employee)).order_by(
        "version_id", "depth", "position", "pk"
    )


def record_competences(employee: Any) -> list[tuple[Competence, list[int]]]:
    """The competences of the person's profile (else of their framework, leaves only) with the
    levels of each one's scale, for the agreed levels of the dialogue form."""
    from kapabel.assessments.services import competence_level_values

    profile = [row.competence for row in person_profile(employee)["rows"]]
    competences = profile or list(goal_competences(employee).filter(children__isnull=True)[:40])
    values = competence_level_values([c.pk for c in competences])
    return [(c, sorted(values.get(c.pk, (None, set()))[1])) for c in competences]


def plan_enrolments(employee: Any) -> QuerySet[Enrolment]:
    """The person's live bookings and requests, for an activity that is a booking."""
    from kapabel.learning.models import LIVE_STATUSES

    return (
        Enrolment.objects.filter(employee=employee, status__in=LIVE_STATUSES)
        .select_related("cohort__offer")
        .order_by("-pk")
    )


def current_plan(employee_id: int) -> Plan | None:
    return (
        Plan.objects.filter(employee_id=employee_id, status=Plan.Status.ACTIVE)
        .select_related("employee__unit", "unit", "dialogue")
        .order_by("-agreed_at", "-pk")
        .first()
    )


def open_requests(user: Any) -> list[Dialogue]:
    """Dialogues people asked for that are not held yet, among those the user may see."""
    return list(requests_for_user(user).order_by("requested_at")[:100])


def group_members(group: Any) -> list[Dialogue]:
    return list(group.members.select_related("employee").order_by("employee__name", "pk"))


def consent_for(employee_id: int) -> bool:
    from kapabel.dialogues.models import Consent

    found = Consent.objects.filter(employee_id=employee_id).first()
    return bool(found and found.new_manager_may_read)


def status_summary(counts: dict[str, int]) -> list[tuple[str, Any, int]]:
    """(status, label, count) in the order of the statuses, those with people only."""
    return [(value, label, counts[value]) for value, label in PersonStatus.choices if counts.get(value)]


def competences_by_id(ids: list[int]) -> dict[int, Competence]:
    """Competences by id (whether one fits the person's framework is the service's check)."""
    return Competence.objects.in_bulk(ids)


def requests_for_user(user: Any) -> QuerySet[Dialogue]:
    """Dialogues people asked for that are not held yet, among those the user may see."""
    return dialogues_for_user(user).filter(
        requested_at__isnull=False, state__in=[DialogueState.OPEN, DialogueState.BOOKED]
    )


def own_preparation(dialogue: Dialogue, user: Any) -> Preparation | None:
    return Preparation.objects.filter(dialogue=dialogue, author_id=user.pk).first()


def coverage_choices(units: QuerySet[Any], current: Any) -> list[Any]:
    """The units offered in the coverage page's picker: the top levels (forvaltninger and centres)
    the user sees, the current unit and its parent; deeper units are reached through the table."""
    top = min([u.depth for u in units.order_by("depth")[:1]] or [0])
    found = {u.pk: u for u in units.filter(depth__lte=top + 2).order_by("path")[:200]}
    for extra in (current, current.parent):
        if extra is not None and (extra.pk in found or units.filter(pk=extra.pk).exists()):
            found[extra.pk] = extra
    return sorted(found.values(), key=lambda u: u.path)
