"""Learning objects for the access walk (tests/core/test_access_walk.py): for each persona, the
providers, offers, cohorts, sessions, enrolments and evidence of another unit or municipality."""

from __future__ import annotations

from typing import Any

from kapabel.competences.models import Competence
from kapabel.learning import services
from kapabel.learning.models import Evidence
from tests.learning.factories import make_cohort

SYSTEM = "walk"


def _build(world) -> dict[str, Any]:
    if hasattr(world, "learning_walk"):
        return world.learning_walk
    built: dict[str, Any] = {}
    for key, municipality, people in (
        ("a", world.a, [world.employee, world.colleague, world.manager_employee, world.outsider]),
        ("b", world.b, [world.b_employee]),
    ):
        provider = services.provider_create(
            municipality=municipality, name=f"Udbyder {key.upper()}", actor=SYSTEM
        )
        offer = services.offer_create(
            municipality=municipality, provider=provider, title=f"Walk-kursus {key.upper()}", actor=SYSTEM
        )
        cohort = make_cohort(offer, capacity=10, days=30 if key == "a" else 31)
        enrolments = {p.pk: services.enrolment_book(cohort=cohort, employee=p, actor=SYSTEM) for p in people}
        competence = Competence.objects.filter(version__framework__municipality=municipality).first()
        evidence = (
            {
                pk: Evidence.objects.create(employee_id=pk, competence=competence, level=1, enrolment=e)
                for pk, e in enrolments.items()
            }
            if competence
            else {}
        )
        built[key] = {
            "provider": provider,
            "offer": offer,
            "cohort": cohort,
            "session": cohort.sessions.get(),
            "enrolments": enrolments,
            "evidence": evidence,
        }
    world.learning_walk = built
    return built


def learning_out_of_scope(world, persona: str) -> dict[str, list[Any]]:
    data = _build(world)
    foreign = data["a"] if persona == "other_municipality_admin" else data["b"]
    own = data["b"] if persona == "other_municipality_admin" else data["a"]
    objects: dict[str, list[Any]] = {
        kind: [foreign[kind]] for kind in ("provider", "offer", "cohort", "session")
    }
    objects["enrolment"] = list(foreign["enrolments"].values())
    objects["evidence"] = list(foreign["evidence"].values())
    hidden: list[int] = []
    if persona in ("manager", "hr"):
        hidden = [world.outsider.pk]
    elif persona == "employee":
        hidden = [world.outsider.pk, world.colleague.pk, world.manager_employee.pk]
    objects["enrolment"] += [own["enrolments"][pk] for pk in hidden if pk in own["enrolments"]]
    objects["evidence"] += [own["evidence"][pk] for pk in hidden if pk in own["evidence"]]
    return objects
