"""The dialogues demo step: cycles per forvaltning with dialogues in every state, plans whose
activities are real bookings, a team dialogue, and the demo employee's booked dialogue with a private
preparation."""

from __future__ import annotations

from django.core.management import call_command
from django.utils import timezone

from kapabel.core.models import Municipality
from kapabel.dialogues.models import Cycle, Dialogue, GroupDialogue, PlanActivity, Preparation
from kapabel.dialogues.selectors import plan_flags
from kapabel.dialogues.status import person_status


def test_demo_builds_dialogues_in_every_state(db):
    call_command("demo", employees=120, seed=1)
    municipality = Municipality.objects.get(kommunekode="999")
    cycles = Cycle.objects.filter(municipality=municipality)
    assert cycles.filter(kind=Cycle.Kind.GROUP).count() == 1
    assert cycles.filter(schedule=Cycle.Schedule.HIRE_DATE).exists()
    today = timezone.localdate()
    this_year = list(
        Dialogue.objects.filter(
            cycle__in=cycles.filter(
                starts_on__gte=today.replace(day=1, month=1).replace(year=today.year - 1)
            ),
            cycle__kind="individual",
        )
    )
    flags = plan_flags([d.pk for d in this_year], today)
    statuses = {
        person_status(
            state=d.state,
            due_on=d.due_on,
            today=today,
            plan_agreed=flags.get(d.pk, (0, 0))[0],
            follow_up_due=flags.get(d.pk, (0, 0))[1],
        )
        for d in this_year
    }
    assert {"not_booked", "booked", "held", "plan_agreed", "follow_up_due", "overdue"} <= statuses
    assert Dialogue.objects.filter(cycle__municipality=municipality, requested_at__isnull=False).exists()
    assert PlanActivity.objects.filter(plan__municipality=municipality, enrolment__isnull=False).exists()
    assert GroupDialogue.objects.filter(municipality=municipality, held_at__isnull=False).exists()
    mine = Preparation.objects.get(author__username="medarbejder")
    assert mine.shared is False and mine.dialogue.state == "booked"
