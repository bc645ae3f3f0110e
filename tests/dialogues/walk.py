"""Dialogue objects for the access walk (tests/core/test_access_walk.py): for each persona, the
cycles, dialogues, team dialogues and plans of another unit or municipality — and the plans and
dialogue content no one but the person and their manager reaches."""

from __future__ import annotations

from typing import Any

from kapabel.dialogues import services
from kapabel.dialogues.models import Cycle
from tests.dialogues.factories import build_dialogue_world

SYSTEM = "walk"


def _build(world) -> dict[str, Any]:
    if hasattr(world, "dialogue_walk"):
        return world.dialogue_walk
    dw = build_dialogue_world(world)
    plans = {
        d.employee_id: services.plan_create(employee=d.employee, dialogue=d, actor=SYSTEM)
        for d in (
            dw.dialogue,
            dw.colleague_dialogue,
            dw.outsider_dialogue,
            dw.manager_dialogue,
            dw.b_dialogue,
        )
    }
    team3_cycle = services.cycle_create(
        unit=world.forvaltning2,
        name="TUS Forvaltning To",
        kind=Cycle.Kind.GROUP,
        starts_on=dw.cycle.starts_on,
        ends_on=dw.cycle.ends_on,
        actor=SYSTEM,
    )
    b_group_cycle = services.cycle_create(
        unit=world.b_root,
        name="TUS Bby",
        kind=Cycle.Kind.GROUP,
        starts_on=dw.cycle.starts_on,
        ends_on=dw.cycle.ends_on,
        actor=SYSTEM,
    )
    world.dialogue_walk = {
        "dw": dw,
        "plans": plans,
        "team3_cycle": team3_cycle,
        "team3_group": services.group_create(cycle=team3_cycle, unit=world.team3, actor=SYSTEM),
        "b_group": services.group_create(cycle=b_group_cycle, unit=world.b_team, actor=SYSTEM),
        "b_group_cycle": b_group_cycle,
    }
    return world.dialogue_walk


def dialogues_out_of_scope(world, persona: str) -> dict[str, list[Any]]:
    data = _build(world)
    dw, plans = data["dw"], data["plans"]
    if persona == "other_municipality_admin":
        return {
            "cycle": [dw.cycle, data["team3_cycle"]],
            "dialogue": [dw.dialogue, dw.outsider_dialogue],
            "dialogue_group": [data["team3_group"]],
            "plan": [p for pk, p in plans.items() if pk != world.b_employee.pk]
            + [plans[world.b_employee.pk]],
        }
    objects: dict[str, list[Any]] = {
        "cycle": [dw.b_cycle, data["b_group_cycle"]],
        "dialogue": [dw.b_dialogue],
        "dialogue_group": [data["b_group"]],
        # Plans are the person's and their manager's only: HR, coordinators and administrators never.
        "plan": list(plans.values()),
    }
    if persona in ("coordinator", "admin"):
        return objects
    objects["cycle"].append(data["team3_cycle"])
    objects["dialogue"].append(dw.outsider_dialogue)
    objects["dialogue_group"].append(data["team3_group"])
    own = {
        "employee": [world.employee.pk],
        "manager": [world.employee.pk, world.colleague.pk, world.manager_employee.pk],
    }
    objects["plan"] = [p for pk, p in plans.items() if pk not in own.get(persona, [])]
    if persona == "employee":
        objects["dialogue"] += [dw.colleague_dialogue, dw.manager_dialogue]
    return objects
