"""Benchmark: the gap analysis at 50,000 employees × 40 competences × 2 campaigns.

    python bench/gap_heatmap.py [--employees 50000] [--competences 40] [--db sqlite|postgresql]
                                [--keep DIR]

Builds deterministic data on a fresh database (a temporary SQLite file, or a throwaway PostgreSQL
cluster from kapabel.testing.pgcluster): units and people through the organisation bulk services;
framework, profiles, ratings and current levels with bulk inserts; then every gap table with
`kapabel.gaps.upkeep.rebuild` from empty (timed: rebuild_s), and once more over the unchanged data
(rebuild_again_s: what an HR import that moves units pays). It then times, each as the median of 5
runs through the Django test client as HR (selector + template):
  heatmap     the municipal heatmap;
  trend       the municipal trend page (the two campaigns);
  priorities  the municipal priorities page;
  person      one person's profile page;
  cell        the drill-down of one municipal heatmap cell (first page of people);
and, for comparison with the heatmap:
  sql         one hand-written GROUP BY over the raw ratings (latest campaign) on the same database;
  numpy       the same figures computed in memory with NumPy over arrays already loaded.
`--keep DIR` keeps the SQLite database in DIR and reuses it on the next run with the same size (no
build; rebuild_s then times a rebuild over the existing tables).
The last line reads: RESULT heatmap_ms=… sql_groupby_ms=… numpy_ms=… rebuild_s=… rebuild_cpu_s=…
rebuild_again_s=… rebuild_again_cpu_s=… trend_ms=… priorities_ms=… person_ms=… cell_ms=… employees=…
competences=… db=…
(rebuild_cpu_s, rebuild_again_cpu_s: the CPU time of this process during the rebuild, database work
included on SQLite — on a machine shared with other work it shows how much of the time was waiting.)
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


def build(employees: int, competences: int, seed: int) -> dict:
    from django.contrib.auth import get_user_model

    from kapabel.assessments.models import Campaign
    from kapabel.competences.models import (
        Competence,
        Framework,
        FrameworkVersion,
        Profile,
        ProfileTarget,
        Scale,
        ScaleLevel,
        Status,
    )
    from kapabel.core.models import Role
    from kapabel.gaps import upkeep
    from kapabel.organisation import services
    from kapabel.organisation.models import Employee, RoleAssignment

    began = time.perf_counter()
    rng = random.Random(seed)
    actor = "bench"
    municipality = services.municipality_create(name="Benchmark Kommune", kommunekode="900", actor=actor)
    root = services.orgunit_create(
        municipality=municipality, name="Benchmark Kommune", kind="municipality", actor=actor
    )
    teams_needed = max(1, employees // 33)
    specs = []
    for f in range(6):
        specs.append(
            {"name": f"Forvaltning {f + 1}", "kind": "forvaltning", "external_id": f"F{f}", "parent": root}
        )
        for c in range(5):
            specs.append(
                {
                    "name": f"Center {f + 1}.{c + 1}",
                    "kind": "center",
                    "external_id": f"F{f}C{c}",
                    "parent": f"F{f}",
                }
            )
    for t in range(teams_needed):
        f, c = t % 6, (t // 6) % 5
        specs.append({"name": f"Team {t + 1}", "kind": "team", "external_id": f"T{t}", "parent": f"F{f}C{c}"})
    units = services.orgunits_bulk_create(municipality=municipality, units=specs, actor=actor)
    teams = [u for u in units if u.kind == "team"]
    roles = [
        services.jobrole_create(municipality=municipality, title=f"Rolle {i + 1}", actor=actor)
        for i in range(10)
    ]
    people = [
        Employee(
            external_id=f"B{i}",
            name=f"Person {i}",
            unit=teams[i % len(teams)],
            job_role=roles[rng.randrange(10)],
        )
        for i in range(employees)
    ]
    services.employees_bulk_create(municipality=municipality, employees=people, actor=actor)
    people_rows = list(Employee.objects.filter(municipality=municipality).values_list("id", "job_role_id"))

    framework = Framework.objects.create(municipality=municipality, name="Benchmark")
    version = FrameworkVersion.objects.create(framework=framework, status=Status.PUBLISHED)
    scale = Scale.objects.create(version=version, name="1–4")
    ScaleLevel.objects.bulk_create(ScaleLevel(scale=scale, value=v) for v in range(1, 5))
    comps = Competence.objects.bulk_create(
        Competence(version=version, position=i, identifier=f"K{i}", name_da=f"Kompetence {i + 1}")
        for i in range(competences)
    )
    targets: dict[tuple[int, int], int] = {}
    for role in roles:
        profile = Profile.objects.create(
            municipality=municipality,
            framework_version=version,
            kind=Profile.Kind.JOB_ROLE,
            job_role=role,
            name=role.title,
            status=Status.PUBLISHED,
            published_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        )
        rows = []
        for comp in comps:
            level = rng.randint(2, 4)
            targets[(role.pk, comp.pk)] = level
            rows.append(
                ProfileTarget(
                    profile=profile,
                    competence=comp,
                    target_level=level,
                    importance=rng.choice(["essential", "important", "nice_to_have"]),
                )
            )
        ProfileTarget.objects.bulk_create(rows)
    campaigns = [
        Campaign.objects.create(
            municipality=municipality,
            name=f"Afklaring {n + 1}",
            framework_version=version,
            opens_on=datetime.date(2026, 1 + 5 * n, 1),
            closes_on=datetime.date(2026, 2 + 5 * n, 1),
        )
        for n in range(2)
    ]
    with indexes_dropped(["assessments_rating", "assessments_currentlevel"]):
        insert_ratings(municipality.pk, version.pk, [p for p, _ in people_rows], comps, campaigns, rng)
    print(
        f"built {employees} employees, {len(units) + 1} units, {2 * employees * competences} ratings "
        f"in {time.perf_counter() - began:.0f} s",
        flush=True,
    )
    start = time.perf_counter()
    cpu = time.process_time()
    facts = upkeep.rebuild(municipality)
    rebuild_s, rebuild_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"rebuild of {facts} gap facts from empty tables took {rebuild_s:.1f} s ({rebuild_cpu_s:.1f} s CPU)",
        flush=True,
    )
    user = get_user_model().objects.create_user("bench-hr", password="x")
    RoleAssignment.objects.create(user=user, role=Role.HR, municipality=municipality)
    return {**found(), "rebuild_s": rebuild_s, "rebuild_cpu_s": rebuild_cpu_s}


@contextlib.contextmanager
def indexes_dropped(tables: list[str]):
    """A bulk load into a fresh SQLite database: drop the tables' indexes, build them again after
    (sorting millions of entries once is much faster than inserting them one by one). The schema
    ends up as migrated. Elsewhere (PostgreSQL) the indexes stay."""
    from django.db import connection

    saved: list[tuple[str, str]] = []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            names = ", ".join(["%s"] * len(tables))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name IN ({names})",
                tables,
            )
            saved = cursor.fetchall()
            for name, _sql in saved:
                cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in saved:
                cursor.execute(sql)


def insert_ratings(municipality_id, version_id, people, competences, campaigns, rng) -> None:
    """Per person and competence a self rating in the first campaign, an agreed one (the same or one
    higher) in the second, and the current level: plain INSERTs through the database cursor (the
    ORM's objects would cost minutes; COPY on PostgreSQL), one transaction per 2,000 people."""
    from django.db import connection, transaction

    when = [datetime.datetime(2026, 1 + 5 * n, 15, tzinfo=datetime.UTC) for n in range(2)]
    at = [connection.ops.adapt_datetimefield_value(w) for w in when]
    rating_sql = (
        "INSERT INTO assessments_rating (municipality_id, employee_id, competence_id, framework_version_id,"
        " source, level, comment, campaign_id, author_label, rated_at, created_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, '', %s, '', %s, %s)"
    )
    current_sql = (
        "INSERT INTO assessments_currentlevel (municipality_id, employee_id, competence_id,"
        " framework_version_id, self_level, agreed_level, level, source, rated_at, updated_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, 'agreed', %s, %s)"
    )
    m, v, chunk = municipality_id, version_id, 2000
    for start in range(0, len(people), chunk):
        ratings, current = [], []
        for employee_id in people[start : start + chunk]:
            for comp in competences:
                first = rng.randint(1, 4)
                second = min(4, first + rng.randint(0, 1))
                ratings.append((m, employee_id, comp.pk, v, "self", first, campaigns[0].pk, at[0], at[0]))
                ratings.append((m, employee_id, comp.pk, v, "agreed", second, campaigns[1].pk, at[1], at[1]))
                current.append((m, employee_id, comp.pk, v, first, second, second, at[1], at[1]))
        with transaction.atomic(), connection.cursor() as cursor:  # one commit per chunk, not per row
            if connection.vendor == "postgresql":  # COPY: executemany took half an hour here
                with cursor.cursor.copy(
                    "COPY assessments_rating (municipality_id, employee_id, competence_id,"
                    " framework_version_id, source, level, comment, campaign_id, author_label, rated_at,"
                    " created_at) FROM STDIN"
                ) as copy:
                    for m_, e, c, v_, source, level, campaign, rated, created in ratings:
                        copy.write_row((m_, e, c, v_, source, level, "", campaign, "", rated, created))
                with cursor.cursor.copy(
                    "COPY assessments_currentlevel (municipality_id, employee_id, competence_id,"
                    " framework_version_id, self_level, agreed_level, level, source, rated_at, updated_at)"
                    " FROM STDIN"
                ) as copy:
                    for m_, e, c, v_, first, second, level, rated, updated in current:
                        copy.write_row((m_, e, c, v_, first, second, level, "agreed", rated, updated))
            else:
                cursor.executemany(rating_sql, ratings)
                cursor.executemany(current_sql, current)


def found() -> dict:
    """The objects of a build already in the database."""
    from django.contrib.auth import get_user_model

    from kapabel.assessments.models import Campaign
    from kapabel.core.models import Municipality
    from kapabel.organisation.models import Employee, OrgUnit

    municipality = Municipality.objects.get(kommunekode="900")
    return {
        "municipality": municipality,
        "root": OrgUnit.objects.get(municipality=municipality, parent=None),
        "user": get_user_model().objects.get(username="bench-hr"),
        "campaigns": list(Campaign.objects.filter(municipality=municipality).order_by("opens_on")),
        "campaign": Campaign.objects.filter(municipality=municipality).order_by("opens_on").last(),
        "employee": Employee.objects.filter(municipality=municipality).order_by("pk")[123],
        "employees": Employee.objects.filter(municipality=municipality).count(),
    }


SQL = """
SELECT c.id, r.competence_id, COUNT(*) AS known,
       SUM(CASE WHEN pt.target_level > r.level THEN 1 ELSE 0 END) AS below,
       SUM(CASE WHEN pt.target_level > r.level THEN pt.target_level - r.level ELSE 0 END) AS gap_sum
FROM assessments_rating r
JOIN organisation_employee e ON e.id = r.employee_id
JOIN organisation_orgunit u ON u.id = e.unit_id
JOIN organisation_orgunit c ON c.parent_id = %s AND u.path >= c.path AND u.path < c.path || '~'
JOIN competences_profile p ON p.job_role_id = e.job_role_id AND p.status = 'published'
JOIN competences_profiletarget pt ON pt.profile_id = p.id AND pt.competence_id = r.competence_id
WHERE r.campaign_id = %s AND r.superseded_by_id IS NULL AND r.level IS NOT NULL AND e.active
GROUP BY c.id, r.competence_id
"""


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kapabel.gaps import upkeep

    call_command("migrate", verbosity=0)
    data = None
    if args.keep:
        from kapabel.core.models import Municipality

        if Municipality.objects.filter(kommunekode="900").exists():
            data = found()
            assert data["employees"] == args.employees, "--keep: a build of another size is there"
            start = time.perf_counter()
            cpu = time.process_time()
            upkeep.rebuild(data["municipality"])
            data["rebuild_s"] = time.perf_counter() - start
            data["rebuild_cpu_s"] = time.process_time() - cpu
            print(f"reused the kept build; rebuild over the existing tables: {data['rebuild_s']:.1f} s")
    if data is None:
        data = build(args.employees, args.competences, args.seed)
    start = time.perf_counter()
    cpu = time.process_time()
    upkeep.rebuild(data["municipality"])
    rebuild_again_s, rebuild_again_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"rebuild again over unchanged data: {rebuild_again_s:.1f} s ({rebuild_again_cpu_s:.1f} s CPU)",
        flush=True,
    )
    client = Client()
    client.force_login(data["user"])
    root = data["root"].pk

    def page(url: str, expect: str) -> float:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert expect in response.content.decode(), (url, expect)
        return median_ms(lambda: client.get(url))

    first, second = data["campaigns"][-2:]
    pages = {
        "heatmap": page(f"/gaps/units/{root}/", "Forvaltning 1"),
        "trend": page(f"/gaps/units/{root}/trend/?a={first.pk}&b={second.pk}", "Kompetence 1"),
        "priorities": page(f"/gaps/units/{root}/priorities/", "Kompetence"),
        "person": page(f"/gaps/people/{data['employee'].pk}/", "Kompetence 1"),
        "cell": page(f"/gaps/units/{root}/people/?competence={competence_id(data)}", "Person"),
    }
    for name, ms in pages.items():
        print(f"{name} page (HTML, as HR): {ms:.1f} ms median of 5", flush=True)
    heatmap_ms = pages["heatmap"]

    def sql() -> list:
        with connection.cursor() as cursor:
            cursor.execute(SQL, [data["root"].pk, data["campaign"].pk])
            return cursor.fetchall()

    sql_rows = sql()
    sql_ms = median_ms(sql)

    # NumPy: the same ratings, targets and unit membership as arrays in memory (loading not timed).
    from kapabel.organisation.models import OrgUnit

    children = list(OrgUnit.objects.filter(parent=data["root"]).values_list("id", "path"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.path, r.competence_id, r.level, pt.target_level FROM assessments_rating r "
            "JOIN organisation_employee e ON e.id = r.employee_id "
            "JOIN organisation_orgunit u ON u.id = e.unit_id "
            "JOIN competences_profile p ON p.job_role_id = e.job_role_id AND p.status = 'published' "
            "JOIN competences_profiletarget pt "
            "ON pt.profile_id = p.id AND pt.competence_id = r.competence_id "
            "WHERE r.campaign_id = %s AND r.superseded_by_id IS NULL AND r.level IS NOT NULL",
            [data["campaign"].pk],
        )
        rows = cursor.fetchall()
    child_of = {}
    comp_index = {}
    group = np.empty(len(rows), dtype=np.int64)
    levels = np.empty(len(rows), dtype=np.int16)
    goals = np.empty(len(rows), dtype=np.int16)
    for i, (path, comp, level, target) in enumerate(rows):
        if path not in child_of:
            child_of[path] = next((n for n, (_, p) in enumerate(children) if path.startswith(p)), -1)
        c = comp_index.setdefault(comp, len(comp_index))
        group[i] = child_of[path] * 1000 + c
        levels[i], goals[i] = level, target

    def numpy_compute():
        gaps = np.maximum(goals - levels, 0)
        keys, inverse = np.unique(group, return_inverse=True)
        known = np.bincount(inverse)
        below = np.bincount(inverse, weights=(gaps > 0))
        total = np.bincount(inverse, weights=gaps)
        return keys, known, below / known, total / known

    keys, *_ = numpy_compute()
    numpy_ms = median_ms(numpy_compute)
    assert len(keys) == len(sql_rows), (len(keys), len(sql_rows))
    db = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    print(f"heatmap (Kapabel, aggregates, HTML): {heatmap_ms:.1f} ms median of 5")
    print(
        f"hand-written SQL GROUP BY over {2 * args.employees * args.competences} raw ratings: {sql_ms:.1f} ms"
    )
    print(f"NumPy in memory over {len(rows)} rows: {numpy_ms:.1f} ms")
    print(
        f"ratios: SQL / Kapabel = {sql_ms / heatmap_ms:.1f}x, NumPy / Kapabel = {numpy_ms / heatmap_ms:.1f}x"
    )
    print(
        f"RESULT heatmap_ms={heatmap_ms:.0f} sql_groupby_ms={sql_ms:.0f} numpy_ms={numpy_ms:.0f} "
        f"rebuild_s={data['rebuild_s']:.1f} rebuild_cpu_s={data['rebuild_cpu_s']:.1f} "
        f"rebuild_again_s={rebuild_again_s:.1f} rebuild_again_cpu_s={rebuild_again_cpu_s:.1f} "
        f"trend_ms={pages['trend']:.0f} priorities_ms={pages['priorities']:.0f} "
        f"person_ms={pages['person']:.0f} cell_ms={pages['cell']:.0f} "
        f"employees={args.employees} competences={args.competences} db={db}"
    )


def competence_id(data: dict) -> int:
    from kapabel.competences.models import Competence

    competences = Competence.objects.filter(version__framework__municipality=data["municipality"])
    return competences.order_by("pk")[0].pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50000)
    parser.add_argument("--competences", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--keep", metavar="DIR", help="keep the SQLite database in DIR and reuse it")
    args = parser.parse_args()
    if args.keep and args.db != "sqlite":
        parser.error("--keep works with SQLite only")
    workdir = args.keep or tempfile.mkdtemp(prefix="kapabel-bench-")
    os.makedirs(workdir, exist_ok=True)
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
            os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench-{args.employees}.sqlite3"
        run(args)


if __name__ == "__main__":
    main()
