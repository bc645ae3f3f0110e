"""Benchmark: development dialogues at 50,000 employees with two years of cycles.

    python bench/dialogues.py [--employees 50000] [--seed 1] [--db sqlite|postgresql]

Builds deterministic data on a fresh database (a temporary SQLite file, or a throwaway PostgreSQL
cluster from kapabel.testing.pgcluster): a municipality of two forvaltninger of equal size, centres
and teams of 33 (one team of 40 people with their manager); people through the organisation bulk
services, with hire dates. Two years of cycles through `kapabel.dialogues.services.cycle_create` (last
year's municipality-wide MUS and this year's, relative to the hire date); last year 85 % held with
an agreed plan for 60 % of everyone and follow-ups, this year 40 % held and 20 % booked, requests for
1 % (bulk updates and inserts); then the coverage summary is computed once (`summary.refresh`).
Then it times, each the median of 5 through the Django test client (selector + template):
  coverage     the coverage page of the whole municipality as HR;
  cycle_page   the manager's cycle page (this year's cycle, their 40 people);
and once:
  create_cycle `services.cycle_create` for one forvaltning of 25,000 people.
The last line reads: RESULT coverage_ms=… cycle_page_ms=… create_cycle_s=… employees=… db=…
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TEAM_SIZE = 33
MANAGER_PEOPLE = 40


def median_ms(fn: Callable[[], Any], runs: int = 5) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def build_organisation(employees: int, rng: random.Random) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from kapabel.core.models import Role
    from kapabel.organisation import services
    from kapabel.organisation.models import Employee, OrgUnit, RoleAssignment

    actor = "bench"
    municipality = services.municipality_create(name="Benchmark Kommune", kommunekode="900", actor=actor)
    root = services.orgunit_create(
        municipality=municipality, name="Benchmark Kommune", kind="municipality", actor=actor
    )
    half = employees // 2
    teams_per_half = max(1, -(-half // TEAM_SIZE))
    specs: list[dict[str, Any]] = []
    for f in range(2):
        specs.append(
            {"name": f"Forvaltning {f + 1}", "kind": "forvaltning", "external_id": f"F{f}", "parent": root}
        )
        for c in range(10):
            specs.append(
                {
                    "name": f"Center {f + 1}.{c + 1}",
                    "kind": "center",
                    "external_id": f"F{f}C{c}",
                    "parent": f"F{f}",
                }
            )
        for t in range(teams_per_half):
            specs.append(
                {
                    "name": f"Team {f + 1}.{t + 1}",
                    "kind": "team",
                    "external_id": f"F{f}T{t}",
                    "parent": f"F{f}C{t % 10}",
                }
            )
    specs.append({"name": "Team Leder", "kind": "team", "external_id": "LEAD", "parent": "F1C0"})
    units = {
        u.external_id: u
        for u in services.orgunits_bulk_create(municipality=municipality, units=specs, actor=actor)
    }
    from django.utils import timezone

    today = timezone.localdate()
    people = []
    for i in range(employees):
        if i < half:
            unit = units[f"F0T{i // TEAM_SIZE}"]
        elif i < half + MANAGER_PEOPLE + 1:
            unit = units["LEAD"]
        else:
            unit = units[f"F1T{(i - half) // TEAM_SIZE}"]
        start = today - datetime.timedelta(days=rng.randrange(60, 365 * 25))
        people.append(Employee(external_id=f"B{i}", name=f"Person {i}", unit=unit, employment_start=start))
    services.employees_bulk_create(municipality=municipality, employees=people, actor=actor)
    lead = Employee.objects.filter(unit=units["LEAD"]).order_by("pk").first()
    assert lead is not None
    OrgUnit.managers.through.objects.create(orgunit_id=units["LEAD"].pk, employee_id=lead.pk)
    users = get_user_model()
    manager = users.objects.create_user("bench-leder")
    services.employee_link_user(employee=lead, user=manager, actor=actor)
    hr = users.objects.create_user("bench-hr")
    RoleAssignment.objects.create(user=hr, role=Role.HR, municipality=municipality)
    return {"municipality": municipality, "root": root, "half": units["F0"], "manager": manager, "hr": hr}


def build_history(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from kapabel.dialogues import services, summary
    from kapabel.dialogues.models import Dialogue, FollowUp, Plan
    from kapabel.organisation.models import Employee

    root = data["root"]
    today = timezone.localdate()
    last = services.cycle_create(
        unit=root,
        name="MUS sidste år",
        starts_on=today - datetime.timedelta(days=540),
        ends_on=today - datetime.timedelta(days=180),
        actor="bench",
    )
    this = services.cycle_create(
        unit=root,
        name="MUS i år",
        schedule="hire_date",
        starts_on=today - datetime.timedelta(days=150),
        ends_on=today + datetime.timedelta(days=215),
        actor="bench",
    )
    now = timezone.now()
    with transaction.atomic():
        held_last: list[Dialogue] = []
        for d in Dialogue.objects.filter(cycle=last).only("pk", "employee_id"):
            if rng.random() < 0.85:
                d.state, d.held_at = "held", now - datetime.timedelta(days=rng.randrange(200, 520))
                d.held_year = timezone.localtime(d.held_at).year
                held_last.append(d)
        Dialogue.objects.bulk_update(held_last, ["state", "held_at", "held_year"], batch_size=2000)
        changed: list[Dialogue] = []
        for d in Dialogue.objects.filter(cycle=this).only("pk", "employee_id"):
            roll = rng.random()
            if roll < 0.4:
                d.state, d.held_at = "held", now - datetime.timedelta(days=rng.randrange(1, 140))
                d.held_year = timezone.localtime(d.held_at).year
            elif roll < 0.6:
                d.state = "booked"
                d.starts_at = now + datetime.timedelta(
                    days=rng.randrange(1, 200), minutes=rng.randrange(0, 10000)
                )
                d.ends_at = d.starts_at + datetime.timedelta(hours=1)
            elif roll < 0.61:
                d.requested_at = now - datetime.timedelta(days=rng.randrange(1, 30))
            changed.append(d)
        Dialogue.objects.bulk_update(
            changed,
            ["state", "held_at", "held_year", "starts_at", "ends_at", "requested_at"],
            batch_size=2000,
        )
        units = dict(Employee.objects.filter(municipality=data["municipality"]).values_list("pk", "unit_id"))
        plans = [
            Plan(
                municipality_id=data["municipality"].pk,
                employee_id=d.employee_id,
                unit_id=units[d.employee_id],
                dialogue_id=d.pk,
                title="Udviklingsplan",
                starts_on=today - datetime.timedelta(days=300),
                ends_on=today + datetime.timedelta(days=65),
                version=2,
                content_version=1,
                employee_confirmed_version=1,
                manager_confirmed_version=1,
                agreed_version=1,
                agreed_at=now,
            )
            for d in held_last
            if rng.random() < 0.7
        ]
        Plan.objects.bulk_create(plans, batch_size=2000)
        FollowUp.objects.bulk_create(
            [
                FollowUp(plan=p, due_on=today + datetime.timedelta(days=rng.randrange(-60, 120)))
                for p in plans
            ],
            batch_size=2000,
        )
        summary.refresh(units)
    return {"last": last, "this": this, "plans": len(plans)}


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    warnings.filterwarnings("ignore", message="No directory at")
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from kapabel.dialogues import services
    from kapabel.gaps import upkeep

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with upkeep.suspended():
        data = build_organisation(args.employees, rng)
    history = build_history(data, rng)
    print(
        f"built {args.employees} employees, two cycles, {history['plans']} plans "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    client = Client()

    def page(user: Any, url: str, expect: str) -> Callable[[], Any]:
        def get() -> None:
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert expect in response.content.decode(), url

        return get

    client.force_login(data["hr"])
    coverage_ms = median_ms(
        page(data["hr"], f"/dialogues/coverage/?unit={data['root'].pk}", "Benchmark Kommune")
    )
    cycle_url = f"/dialogues/cycles/{history['this'].pk}/"
    client.force_login(data["manager"])
    rows = client.get(cycle_url).content.decode().count('data-title="Name"') + client.get(
        cycle_url
    ).content.decode().count('data-title="Navn"')
    cycle_page_ms = median_ms(page(data["manager"], cycle_url, "MUS i år"))
    print(f"coverage {coverage_ms:.1f} ms; cycle page ({rows} people) {cycle_page_ms:.1f} ms", flush=True)
    today = timezone.localdate()
    start = time.perf_counter()
    cycle = services.cycle_create(
        unit=data["half"],
        name="MUS næste år",
        starts_on=today + datetime.timedelta(days=220),
        ends_on=today + datetime.timedelta(days=580),
        actor="bench",
    )
    create_cycle_s = time.perf_counter() - start
    print(f"created a cycle for {cycle.dialogue_count} people in {create_cycle_s:.2f} s", flush=True)
    print(
        f"RESULT coverage_ms={coverage_ms:.1f} cycle_page_ms={cycle_page_ms:.1f} "
        f"create_cycle_s={create_cycle_s:.2f} employees={args.employees} db={args.db}"
    )
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--employees", type=int, default=50000)
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
        status = run(args)
    sys.exit(status)


if __name__ == "__main__":
    main()
