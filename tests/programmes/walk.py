"""Programme objects for the access walk (tests/core/test_access_walk.py): for each persona, the
programmes (with their substitutes and applications) of another municipality — and, for people who
neither run programmes nor sit in a steering group, every programme."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from kapabel.programmes import services
from kapabel.programmes.models import FundingScheme, SchemeKind

SYSTEM = "walk"


def _programme(municipality, unit, label: str) -> dict[str, Any]:
    programme = services.programme_create(
        municipality=municipality,
        name=f"Walkprogram {label}",
        starts_on=datetime.date(2015, 1, 1),
        ends_on=datetime.date(2016, 12, 31),
        actor=SYSTEM,
    )
    substitute = services.substitute_create(
        programme=programme,
        name=f"Walkvikar {label}",
        unit=unit,
        starts_on=datetime.date(2015, 3, 2),
        ends_on=datetime.date(2015, 6, 30),
        hours_per_week=Decimal(30),
        actor=SYSTEM,
    )
    application = services.application_create(
        programme=programme,
        scheme=FundingScheme.objects.get(kind=SchemeKind.OWN_BUDGET),
        title=f"Walkansøgning {label}",
        education_starts_on=datetime.date(2015, 3, 2),
        eligible_costs=Decimal(1000),
        actor=SYSTEM,
    )
    return {"programme": programme, "substitute": substitute, "application": application}


def programmes_out_of_scope(world, persona: str) -> dict[str, list[Any]]:
    if not hasattr(world, "programme_walk"):
        world.programme_walk = {
            "a": _programme(world.a, world.team1, "A"),
            "b": _programme(world.b, world.b_team, "B"),
        }
    a, b = world.programme_walk["a"], world.programme_walk["b"]
    sides = {"other_municipality_admin": [a], "hr": [b], "coordinator": [b], "admin": [b]}.get(
        persona, [a, b]
    )
    objects: dict[str, list[Any]] = {
        kind: [side[kind] for side in sides] for kind in ("programme", "substitute", "application")
    }
    objects["funding_scheme"] = []  # schemes are read by everyone; platform administrators edit them
    return objects
