"""Dialogue data for the browser tests: the dialogue world with a booked dialogue and private
preparations (the employee), a held dialogue with an agreed plan whose activity is a booking (the
colleague), a request, and a team dialogue cycle with a team dialogue."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from kapabel.dialogues import selectors, services
from kapabel.dialogues.models import Cycle
from kapabel.learning.models import Enrolment
from tests.dialogues.factories import SYSTEM, at, build_dialogue_world


def build_dialogue_pages_data(world) -> SimpleNamespace:
    if hasattr(world, "dialogue_pages"):
        return world.dialogue_pages
    dw = build_dialogue_world(world)
    manager = world.user("manager")
    services.dialogue_book(
        dialogue=dw.dialogue,
        starts_at=at(3, 10),
        ends_at=at(3, 11),
        place="Mødelokale 2",
        actor=manager,
        send=False,
    )
    services.preparation_save(
        dialogue=dw.dialogue,
        actor=world.user("employee"),
        notes="Mine egne tanker",
        answers={"q1": "Ny sagsgang"},
    )
    services.dialogue_book(
        dialogue=dw.colleague_dialogue, starts_at=at(-2, 10), ends_at=at(-2, 11), actor=manager, send=False
    )
    # The person's framework: their profile's (the browser world has gap data) or the municipality's.
    first, second = list(selectors.goal_competences(world.colleague).filter(children__isnull=True)[:2])
    services.dialogue_record(
        dialogue=dw.colleague_dialogue, actor=manager, notes="Godt år", levels={first: 2}
    )
    plan = services.plan_create(employee=world.colleague, dialogue=dw.colleague_dialogue, actor=manager)
    services.goal_add(plan=plan, competence=second, target_level=3, actor=manager)
    services.goal_add(plan=plan, title="Lede et lille projekt om klarsprog", actor=manager)
    booking = Enrolment.objects.filter(employee=world.colleague).first()
    if booking is not None:
        services.activity_add(plan=plan, enrolment=booking, actor=manager)
    services.activity_add(plan=plan, title="Sidemandsoplæring hos Mette", kind="on_the_job", actor=manager)
    services.plan_confirm(plan=plan, version=plan.version, actor=manager)
    services.dialogue_request(employee=world.outsider, actor=SYSTEM, note="Gerne snart")
    today = timezone.localdate()
    tus = services.cycle_create(
        unit=world.centre1,
        name="TUS Center Et",
        kind=Cycle.Kind.GROUP,
        starts_on=today - datetime.timedelta(5),
        ends_on=today + datetime.timedelta(40),
        actor=SYSTEM,
    )
    group = services.group_create(cycle=tus, unit=world.team2, actor=manager)
    world.dialogue_pages = SimpleNamespace(dw=dw, plan=plan, tus=tus, group=group)
    return world.dialogue_pages
