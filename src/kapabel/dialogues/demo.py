"""Demo step (order 60, after learning at 50): the demo municipality's development dialogues, built
through the dialogue services.

A MUS cycle per forvaltning for this year (last year's over the whole municipality, held, with
agreed plans), dialogues in every state — not booked, booked (with an invitation), held, with an
agreed plan, with a follow-up due, overdue, asked for by the person — plans whose activities are
real bookings from the learning demo, and a team dialogue (GRUS/TUS) in a team of the centre the
demo manager (`leder`) leads. The demo employee (`medarbejder`) has a booked dialogue with a private
preparation and last year's agreed plan. Dates are relative to today; deterministic for a seed."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from kapabel.core.demo import DemoContext
from kapabel.dialogues import selectors, services, summary
from kapabel.dialogues.models import Cycle, Dialogue, FollowUp, PersonStatus
from kapabel.dialogues.selectors import plan_flags
from kapabel.dialogues.status import person_status
from kapabel.learning.models import LIVE_STATUSES, Enrolment
from kapabel.organisation.models import OrgUnit

SYSTEM = "demo"
QUESTIONS = [
    {
        "da": "Hvad er du mest tilfreds med i det forløbne år?",
        "en": "What are you most pleased with in the past year?",
    },
    {"da": "Hvad vil du gerne blive bedre til?", "en": "What would you like to get better at?"},
    {"da": "Hvad har du brug for fra din leder?", "en": "What do you need from your manager?"},
]


def _when(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build_dialogues(ctx: DemoContext) -> None:
    municipality = ctx.data.get("municipality")
    if municipality is None:
        return
    with transaction.atomic():
        counts = _build(ctx, municipality)
    ctx.report.append(
        "Dialoger: "
        + ", ".join(f"{status}={counts.get(status, 0)}" for status in PersonStatus.values)
        + f"; planer {counts.get('plans', 0)}; teamdialoger {counts.get('groups', 0)}"
    )


def _build(ctx: DemoContext, municipality: Any) -> Counter:
    rng = ctx.rng
    today = timezone.localdate()
    users = ctx.data.get("users", {})
    leder, medarbejder = users.get("leder"), users.get("medarbejder")
    root = OrgUnit.objects.filter(municipality=municipality, parent__isnull=True).first()
    if root is None:
        return Counter()
    forvaltninger = list(OrgUnit.objects.filter(municipality=municipality, parent=root).order_by("name"))
    centre = ctx.data.get("centre")
    counts: Counter = Counter()

    # Last year: one municipality-wide cycle, mostly held, with agreed plans.
    last = services.cycle_create(
        unit=root,
        name=f"MUS {today.year - 1}",
        starts_on=today - datetime.timedelta(days=420),
        ends_on=today - datetime.timedelta(days=300),
        questions=QUESTIONS,
        actor=SYSTEM,
    )
    held_last = []
    for d in Dialogue.objects.filter(cycle=last).select_related("employee__unit").order_by("pk"):
        if rng.random() < 0.8:
            held_last.append(d)
    for d in held_last:
        held = timezone.make_aware(
            datetime.datetime.combine(
                d.due_on - datetime.timedelta(days=rng.randrange(5, 100)), datetime.time(10)
            )
        )
        services.dialogue_record(
            dialogue=d, actor=SYSTEM, notes="Godt samarbejde; ønske om mere ansvar.", held_at=held
        )
    # This year: a cycle per forvaltning (the one with the demo centre relative to the hire date).
    cycles = []
    for unit in forvaltninger:
        relative = centre is not None and centre.path.startswith(unit.path)
        cycles.append(
            services.cycle_create(
                unit=unit,
                name=f"MUS {today.year} – {unit.name}",
                schedule=Cycle.Schedule.HIRE_DATE if relative else Cycle.Schedule.FIXED,
                starts_on=today - datetime.timedelta(days=60),
                ends_on=today + datetime.timedelta(days=120),
                window_days=60,
                questions=QUESTIONS,
                actor=SYSTEM,
            )
        )
    me = getattr(medarbejder, "employee", None) if medarbejder is not None else None

    # Last year's plans for a share of the people whose dialogue was held (agreed by both).
    bookings = {
        e.employee_id: e
        for e in Enrolment.objects.filter(cohort__offer__municipality=municipality, status__in=LIVE_STATUSES)
        .select_related("cohort")
        .order_by("pk")
    }
    for d in held_last[: max(1, len(held_last) * 3 // 5)]:
        _plan(d, f"Udviklingsplan {today.year - 1}", bookings, today)
        counts["plans"] += 1

    # This year, across the forvaltninger: held, booked, asked for, the rest not booked (some overdue).
    this_year = list(
        Dialogue.objects.filter(cycle__in=cycles).select_related("employee__unit", "cycle").order_by("pk")
    )
    slot = 0
    for d in this_year:
        if me is not None and d.employee_id == me.pk:
            continue
        roll = rng.random()
        if roll < 0.35:
            held = timezone.now() - datetime.timedelta(days=rng.randrange(1, 55))
            services.dialogue_record(
                dialogue=d, actor=SYSTEM, notes="Aftalt fokus på digitalisering.", held_at=held
            )
        elif roll < 0.6:
            slot += 1
            start = _when(3 + slot // 6, 9 + slot % 6)
            if d.window_opens <= start.date() <= d.due_on:
                services.dialogue_book(
                    dialogue=d,
                    starts_at=start,
                    ends_at=start + datetime.timedelta(hours=1),
                    place="Mødelokale 2",
                    actor=SYSTEM,
                    send=False,
                )
        elif roll < 0.63:
            services.dialogue_request(
                employee=d.employee, actor=SYSTEM, note="Jeg vil gerne tale om min udvikling."
            )
    # This year's plans: half of the dialogues held, with a goal on the person's framework where
    # there is one and a real booking from the learning demo as an activity.
    held_now = [
        d for d in Dialogue.objects.filter(cycle__in=cycles, state="held").select_related("employee__unit")
    ]
    for d in held_now[: len(held_now) // 2]:
        _plan(d, f"Udviklingsplan {today.year}", bookings, today)
        counts["plans"] += 1
    # Some windows already closed (overdue): a few dialogues of this year were due a week ago.
    overdue = list(
        Dialogue.objects.filter(cycle__in=cycles, state="open", requested_at__isnull=True).order_by("pk")[:8]
    )
    Dialogue.objects.filter(pk__in=[d.pk for d in overdue]).update(due_on=today - datetime.timedelta(days=7))
    # A follow-up due now for a few of this year's plans (so "follow-up due" shows).
    due = list(
        FollowUp.objects.filter(plan__dialogue__cycle__in=cycles, done_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:6]
    )
    FollowUp.objects.filter(pk__in=due).update(due_on=today - datetime.timedelta(days=2))
    summary.refresh(Dialogue.objects.filter(cycle__in=cycles).values_list("employee_id", flat=True))

    # The demo employee: a booked dialogue with a private preparation; the manager's own preparation.
    if me is not None:
        mine = next((d for d in this_year if d.employee_id == me.pk), None)
        if mine is not None:
            start = _when(4, 13)
            mine.window_opens = min(mine.window_opens, start.date())
            mine.due_on = max(mine.due_on, start.date())
            Dialogue.objects.filter(pk=mine.pk).update(window_opens=mine.window_opens, due_on=mine.due_on)
            services.dialogue_book(
                dialogue=mine,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
                place="Leders kontor",
                actor=leder or SYSTEM,
                send=False,
            )
            services.preparation_save(
                dialogue=mine,
                actor=medarbejder,
                notes="Jeg vil gerne have flere borgersager med komplekse forløb.",
                answers={"q1": "Overgangen til det nye fagsystem.", "q2": "Forvaltningsret."},
            )
            if leder is not None:
                services.preparation_save(dialogue=mine, actor=leder, notes="Tal om ansvar for onboarding.")

    # A team dialogue (GRUS/TUS) in the demo manager's centre: a team of the centre.
    team = ctx.data.get("team")
    if centre is not None and team is not None:
        tus = services.cycle_create(
            unit=centre,
            name=f"TUS {today.year} – {centre.name}",
            kind=Cycle.Kind.GROUP,
            starts_on=today - datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=60),
            questions=QUESTIONS[:1],
            actor=SYSTEM,
        )
        group = services.group_create(
            cycle=tus, unit=team, actor=leder or SYSTEM, title=f"Teamdialog – {team.name}"
        )
        services.group_book(
            group=group, starts_at=_when(-3, 13), ends_at=_when(-3, 15), place="Kantinen", actor=SYSTEM
        )
        services.group_record(
            group=group,
            shared_goals="Fælles sagsgennemgang hver fredag; bedre overlevering ved fravær.",
            agreements={m.pk: "Deltager i sagsgennemgang." for m in group.members.all()},
            actor=SYSTEM,
        )
        counts["groups"] += 1

    flags = plan_flags([d.pk for d in this_year], today)
    for d in Dialogue.objects.filter(cycle__in=cycles):
        agreed, follow = flags.get(d.pk, (False, False))
        counts[
            person_status(
                state=d.state, due_on=d.due_on, today=today, plan_agreed=agreed, follow_up_due=follow
            )
        ] += 1
    return counts


def _plan(dialogue: Dialogue, title: str, bookings: dict[int, Enrolment], today: datetime.date) -> None:
    """A plan from a held dialogue, agreed by both (the demo confirms on each side's behalf)."""
    plan = services.plan_create(
        employee=dialogue.employee,
        dialogue=dialogue,
        title=title,
        starts_on=min(today, dialogue.due_on),
        ends_on=max(today, dialogue.due_on) + datetime.timedelta(days=365),
        actor=SYSTEM,
    )
    competence = selectors.goal_competences(dialogue.employee).filter(children__isnull=True).first()
    if competence is not None:
        services.goal_add(plan=plan, competence=competence, actor=SYSTEM)
    services.goal_add(plan=plan, title="Styrke mødet med borgeren", actor=SYSTEM)
    booking = bookings.get(dialogue.employee_id)
    if booking is not None:
        services.activity_add(plan=plan, enrolment=booking, responsible="manager", actor=SYSTEM)
    services.activity_add(
        plan=plan, title="Sidemandsoplæring i sagsbehandling", kind="on_the_job", actor=SYSTEM
    )
    services.plan_confirm(plan=plan, version=plan.version, on_behalf_of="manager", actor=SYSTEM)
    services.plan_confirm(plan=plan, version=plan.version, on_behalf_of="employee", actor=SYSTEM)
