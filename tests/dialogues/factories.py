"""Dialogue fixtures on top of the organisation `world`: a published framework in each municipality,
an open MUS cycle over each municipality (one dialogue per person) and helpers for times."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from kapabel.assessments.sample import build_framework
from kapabel.dialogues import services
from kapabel.dialogues.models import Dialogue

SYSTEM = "tests"


def at(days: float, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A time `days` from today at `hour` (local time)."""
    day = timezone.localdate() + datetime.timedelta(days=int(days))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def build_dialogue_world(world) -> SimpleNamespace:
    if hasattr(world, "dw"):
        return world.dw
    today = timezone.localdate()
    version_a = build_framework(municipality=world.a, competences=3, name="Rammen A")
    version_b = build_framework(municipality=world.b, competences=3, name="Rammen B")
    cycle = services.cycle_create(
        unit=world.a_root,
        name="MUS Aby 2026",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=60),
        questions=[{"da": "Hvad er du stolt af?", "en": "What are you proud of?"}],
        actor=SYSTEM,
    )
    b_cycle = services.cycle_create(
        unit=world.b_root,
        name="MUS Bby 2026",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=60),
        actor=SYSTEM,
    )
    dialogues = {
        d.employee_id: d
        for d in Dialogue.objects.filter(cycle=cycle).select_related("employee__unit", "unit")
    }
    competences = list(version_a.competences.filter(parent__isnull=False).order_by("pk"))
    world.dw = SimpleNamespace(
        version_a=version_a,
        version_b=version_b,
        competences=competences,
        b_competence=version_b.competences.filter(parent__isnull=False).first(),
        cycle=cycle,
        b_cycle=b_cycle,
        dialogue=dialogues[world.employee.pk],
        colleague_dialogue=dialogues[world.colleague.pk],
        outsider_dialogue=dialogues[world.outsider.pk],
        manager_dialogue=dialogues[world.manager_employee.pk],
        b_dialogue=Dialogue.objects.get(cycle=b_cycle),
    )
    return world.dw
