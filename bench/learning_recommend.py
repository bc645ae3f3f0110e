"""Benchmark: learning recommendations for a unit of 2,000 people, in a municipality of 50,000 people
with 5,000 offers.

    python bench/learning_recommend.py [--employees 50000] [--unit 2000] [--offers 5000]
                                       [--competences 20] [--db sqlite|postgresql]

Builds deterministic data on a fresh database: units and people through the organisation bulk
services; a framework; gap facts per person × competence inserted in bulk (the recommendations read
only `GapFact`, and current levels for internal options); offers with 1–3 competences each. Then
times `kapabel.learning.recommend.for_unit` (as HR) for the 2,000-person unit, and `for_employee` for
one person in it, each the median of 5 runs, and counts their queries.
The last line reads: RESULT recommend_unit_ms=… recommend_person_ms=… unit_queries=… people=… offers=… db=…
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def median_ms(fn, runs: int = 5) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def build(args: argparse.Namespace) -> dict:
    from django.contrib.auth import get_user_model

    from kapabel.competences.models import Competence, Framework, FrameworkVersion, Scale, ScaleLevel, Status
    from kapabel.core.models import Role
    from kapabel.gaps.models import GapFact
    from kapabel.learning import services as learning
    from kapabel.learning.models import Offer, OfferCompetence
    from kapabel.organisation import services
    from kapabel.organisation.models import Employee, OrgUnit, RoleAssignment

    rng = random.Random(args.seed)
    actor = "bench"
    municipality = services.municipality_create(name="Benchmark Kommune", kommunekode="900", actor=actor)
    root = services.orgunit_create(
        municipality=municipality, name="Benchmark Kommune", kind="municipality", actor=actor
    )
    team_size = 33
    unit_teams = -(-args.unit // team_size)
    other_teams = max(1, (args.employees - unit_teams * team_size) // team_size)
    specs = [
        {"name": "Forvaltning 1", "kind": "forvaltning", "external_id": "F1", "parent": root},
        {"name": "Forvaltning 2", "kind": "forvaltning", "external_id": "F2", "parent": root},
    ]
    for t in range(unit_teams + other_teams):
        parent = "F1" if t < unit_teams else "F2"
        specs.append({"name": f"Team {t + 1}", "kind": "team", "external_id": f"T{t}", "parent": parent})
    services.orgunits_bulk_create(municipality=municipality, units=specs, actor=actor)
    teams = list(OrgUnit.objects.filter(municipality=municipality, kind="team").order_by("external_id"))
    teams.sort(key=lambda u: int(u.external_id[1:]))
    people = [
        Employee(external_id=f"B{i}", name=f"Person {i}", unit=teams[i // team_size])
        for i in range((unit_teams + other_teams) * team_size)
    ]
    services.employees_bulk_create(municipality=municipality, employees=people, actor=actor)
    rows = list(Employee.objects.filter(municipality=municipality).values_list("id", "unit_id"))

    framework = Framework.objects.create(municipality=municipality, name="Benchmark")
    version = FrameworkVersion.objects.create(framework=framework, status=Status.PUBLISHED)
    scale = Scale.objects.create(version=version, name="1–4")
    ScaleLevel.objects.bulk_create(ScaleLevel(scale=scale, value=v) for v in range(1, 5))
    comps = Competence.objects.bulk_create(
        Competence(version=version, position=i, identifier=f"K{i}", name_da=f"Kompetence {i + 1}")
        for i in range(args.competences)
    )
    weights = {"essential": 3, "important": 2, "nice_to_have": 1}
    facts = []
    for employee_id, unit_id in rows:
        for comp in comps:
            importance = rng.choice(list(weights))
            target = rng.randint(2, 4)
            level = rng.randint(1, 4)
            gap = max(target - level, 0)
            facts.append(
                GapFact(
                    municipality=municipality,
                    employee_id=employee_id,
                    unit_id=unit_id,
                    competence=comp,
                    target_level=target,
                    target_source="job_role",
                    importance=importance,
                    weight=weights[importance],
                    level=level,
                    gap=gap,
                    weighted_gap=gap * weights[importance],
                )
            )
        if len(facts) >= 20000:
            GapFact.objects.bulk_create(facts, batch_size=5000)
            facts = []
    GapFact.objects.bulk_create(facts, batch_size=5000)

    provider = learning.provider_create(municipality=municipality, name="Udbyder", actor=actor)
    offers = Offer.objects.bulk_create(
        Offer(
            municipality=municipality,
            provider=provider,
            title=f"Kursus {i + 1}",
            price_per_participant=Decimal(rng.choice([0, 1500, 4200, 9800, 24000])),
            teaching_days=Decimal(rng.choice([1, 2, 3, 6])),
        )
        for i in range(args.offers)
    )
    OfferCompetence.objects.bulk_create(
        OfferCompetence(offer=offer, competence=comp, expected_gain=rng.randint(1, 3))
        for offer in offers
        for comp in rng.sample(comps, rng.randint(1, 3))
    )
    user = get_user_model().objects.create_user("bench-hr", password="x")
    RoleAssignment.objects.create(user=user, role=Role.HR, municipality=municipality)
    unit = OrgUnit.objects.get(municipality=municipality, external_id="F1")
    person = Employee.objects.filter(unit__parent=unit).select_related("unit").first()
    return {"user": user, "unit": unit, "person": person, "people": unit_teams * team_size}


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kapabel.learning import recommend

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    data = build(args)
    print(f"built in {time.perf_counter() - start:.1f} s", flush=True)
    user, unit, person = data["user"], data["unit"], data["person"]
    found = recommend.for_unit(user, unit)
    print("top:", found[0].title, "—", found[0].summary)
    with CaptureQueriesContext(connection) as queries:
        recommend.for_unit(user, unit)
    unit_ms = median_ms(lambda: recommend.for_unit(user, unit))
    person_ms = median_ms(lambda: recommend.for_employee(user, person))
    db = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    print(
        f"RESULT recommend_unit_ms={unit_ms:.0f} recommend_person_ms={person_ms:.0f} "
        f"unit_queries={len(queries)} people={data['people']} offers={args.offers} db={db}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50000)
    parser.add_argument("--unit", type=int, default=2000)
    parser.add_argument("--offers", type=int, default=5000)
    parser.add_argument("--competences", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="kapabel-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="kapabel.settings",
        KAPABEL_VAR_DIR=workdir,
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    with contextlib.ExitStack() as stack:
        if args.db == "postgresql":
            from kapabel.testing.pgcluster import running_cluster

            os.environ["DATABASE_URL"] = stack.enter_context(running_cluster())
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
        run(args)


if __name__ == "__main__":
    main()
