"""Benchmark: the programme report of a KAMBU-sized programme.

    python bench/programme.py [--participants 400] [--substitutes 60] [--weeks 40] [--db sqlite|postgresql]

Builds deterministic data on a fresh database (a temporary SQLite file, or a throwaway PostgreSQL
cluster from kapabel.testing.pgcluster): a municipality of 20 teams, `participants` people through the
organisation bulk service, one programme (through `kapabel.programmes.services`) whose course phase runs
cohorts back to back — each cohort five full-time weeks (Monday–Friday 8:30–15:54, 37 hours a week) —
until `weeks` weeks are covered, the participants booked evenly across them (learning's bulk booking);
`substitutes` substitutes on jobrotation, each placed 37 h/week over two consecutive cohorts covering
the participants of their share of the team. Sessions start on Monday 5 January 2015, so the seeded 2015
rate applies. It then times `programme_report` (the report the command, the overview page and the API
use), the median of 5 builds after a warm-up, and counts its queries.
The last line reads: RESULT report_s=… participants=… substitutes=… weeks=… queries=…
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import statistics
import sys
import tempfile
import time
import warnings
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

COHORT_WEEKS = 5
TEAMS = 20


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    warnings.filterwarnings("ignore", message="No directory at")
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from kapabel.gaps import upkeep
    from kapabel.learning import services as learning
    from kapabel.learning.models import Cohort
    from kapabel.learning.services import SessionSpec
    from kapabel.organisation import services as org
    from kapabel.organisation.models import Employee
    from kapabel.programmes import services
    from kapabel.programmes.models import FundingScheme, SchemeKind
    from kapabel.programmes.selectors.report import programme_report

    call_command("migrate", verbosity=0)
    actor = "bench"
    started = time.perf_counter()
    first_monday = datetime.date(2015, 1, 5)
    with upkeep.suspended():
        municipality = org.municipality_create(name="Benchmark Kommune", kommunekode="900", actor=actor)
        root = org.orgunit_create(
            municipality=municipality, name="Børn og Unge", kind="forvaltning", actor=actor
        )
        teams = org.orgunits_bulk_create(
            municipality=municipality,
            units=[
                {"name": f"Team {n + 1}", "kind": "team", "external_id": f"T{n}", "parent": root}
                for n in range(TEAMS)
            ],
            actor=actor,
        )
        role = org.jobrole_create(municipality=municipality, title="Administrativ medarbejder", actor=actor)
        org.employees_bulk_create(
            municipality=municipality,
            employees=[
                Employee(external_id=f"E{n}", name=f"Medarbejder {n}", unit=teams[n % TEAMS], job_role=role)
                for n in range(args.participants)
            ],
            actor=actor,
        )
    people = list(Employee.objects.filter(municipality=municipality).order_by("id"))
    cohorts_needed = -(-args.weeks // COHORT_WEEKS)
    provider = learning.provider_create(municipality=municipality, name="VIA", actor=actor)
    offer = learning.offer_create(
        municipality=municipality,
        provider=provider,
        title="KAMBU-kursus",
        price_per_participant=Decimal(6000),
        actor=actor,
    )
    groups = [people[n::cohorts_needed] for n in range(cohorts_needed)]
    cohorts = []
    for n, group in enumerate(groups):
        cohort = learning.cohort_create(
            offer=offer, capacity=len(group), status=Cohort.Status.OPEN, actor=actor
        )
        learning.enrolments_bulk_book(cohort=cohort, employees=group, actor=actor)
        monday = first_monday + datetime.timedelta(weeks=n * COHORT_WEEKS)
        for day in range(COHORT_WEEKS * 7):
            date = monday + datetime.timedelta(days=day)
            if date.weekday() < 5 and date <= first_monday + datetime.timedelta(
                weeks=args.weeks
            ) - datetime.timedelta(days=1):
                learning.session_create(
                    cohort=cohort,
                    spec=SessionSpec(
                        starts_at=timezone.make_aware(datetime.datetime.combine(date, datetime.time(8, 30))),
                        ends_at=timezone.make_aware(datetime.datetime.combine(date, datetime.time(15, 54))),
                    ),
                    actor=actor,
                )
        cohorts.append(cohort)
    end = first_monday + datetime.timedelta(weeks=args.weeks) - datetime.timedelta(days=1)
    programme = services.programme_create(
        municipality=municipality,
        name="KAMBU (benchmark)",
        starts_on=first_monday,
        ends_on=end,
        budget=Decimal(10_000_000),
        actor=actor,
    )
    phase = services.phase_create(
        programme=programme, name="Kursus", starts_on=first_monday, ends_on=end, cohorts=cohorts, actor=actor
    )
    participants = services.participants_add(
        programme=programme, employees=people, phases=[phase], actor=actor
    )
    by_employee = {p.employee_id: p for p in participants}
    jobrotation = FundingScheme.objects.get(kind=SchemeKind.JOBROTATION)
    per_cohort = -(-args.substitutes // cohorts_needed)  # substitutes starting in each cohort
    for s in range(args.substitutes):
        n = s % cohorts_needed
        two = [n, min(n + 1, cohorts_needed - 1)]
        starts = first_monday + datetime.timedelta(weeks=two[0] * COHORT_WEEKS)
        ends = min(
            end,
            first_monday
            + datetime.timedelta(weeks=(two[-1] + 1) * COHORT_WEEKS)
            - datetime.timedelta(days=1),
        )
        substitute = services.substitute_create(
            programme=programme,
            name=f"Vikar {s + 1}",
            unit=teams[s % TEAMS],
            starts_on=starts,
            ends_on=ends,
            hours_per_week=Decimal(37),
            unemployment_months=Decimal(8),
            hourly_wage=Decimal(210),
            actor=actor,
        )
        share = s // cohorts_needed
        for k in two:
            group = groups[k]
            # Every cohort is shared by the substitutes starting in it and those continuing into it, each
            # covering their own slice of its participants (no one covered twice).
            chunk = max(1, len(group) // (2 * per_cohort))
            slot = 2 * share + (0 if k == n else 1)
            covered = [by_employee[e.pk] for e in group[slot * chunk : (slot + 1) * chunk]]
            if not covered:
                continue
            week0 = first_monday + datetime.timedelta(weeks=k * COHORT_WEEKS)
            services.placement_create(
                substitute=substitute,
                participants=covered,
                starts_on=max(starts, week0),
                ends_on=min(
                    ends, week0 + datetime.timedelta(weeks=COHORT_WEEKS) - datetime.timedelta(days=1)
                ),
                hours_per_week=Decimal(37),
                scheme=jobrotation,
                actor=actor,
            )
            if two[0] == two[-1]:
                break
    print(
        f"built {args.participants} participants, {args.substitutes} substitutes, {len(cohorts)} cohorts "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    def build() -> dict:
        return programme_report(programme, names=True)

    report = build()  # warm-up
    times = []
    for _ in range(5):
        start = time.perf_counter()
        build()
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        build()
    weeks = len({row["week_start"] for row in report["placements"]})
    print(
        f"ydelse_total={report['ydelse_total']:.2f} placement_rows={len(report['placements'])} "
        f"warnings={len(report['warnings'])}"
    )
    for warning in report["warnings"][:3]:
        print("  warning:", warning)
    print(
        f"RESULT report_s={statistics.median(times):.3f} participants={report['participants']} "
        f"substitutes={report['substitutes']} weeks={weeks} queries={len(queries.captured_queries)} "
        f"db={connection.vendor}"
    )
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--participants", type=int, default=400)
    parser.add_argument("--substitutes", type=int, default=60)
    parser.add_argument("--weeks", type=int, default=40)
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
