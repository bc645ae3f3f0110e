"""Benchmark: learning at 50,000 employees, 5,000 offers and 2,000 cohorts.

    python bench/learning.py [--employees 50000] [--offers 5000] [--cohorts 2000] [--seed 1]
                             [--db sqlite|postgresql]

Builds deterministic data on a fresh database (a temporary SQLite file, or a throwaway PostgreSQL
cluster from kapabel.testing.pgcluster), in bulk:
  organisation  units and people through the organisation bulk services (gap upkeep suspended); a
                centre of 2,000 people (the unit for recommendations), a team of 40 people and their
                manager (the approval queue), a manager for every team, an HR consultant;
  competences   a framework of 10 competences, a profile per job role targeting 6 of them, current
                levels for 60 % of the people (bulk ORM), the gap aggregates rebuilt once;
  learning      providers, offers with Danish titles and the competences they develop, cohorts (past,
                running, cancelled, planned, open, full) with 1-4 sessions, enrolments filling them with
                one history row each, requests waiting across the organisation and one for each of the
                manager's 40 people, evidence for past completions (bulk ORM); then the Danish search
                index is rebuilt.
Then it times:
  search        median over 8 Danish queries (each the median of 5) of the catalogue search with its
                facet counts (kapabel.learning.search.catalogue_search, what the page does); the API's
                GET /api/v1/offers?search= is timed and printed beside it
  bulk_enrol    services.enrolments_bulk_book of 112 people onto a new cohort (median of 3)
  recommend     kapabel.learning.recommend.for_unit for the 2,000-person unit (median of 5)
  approvals     the manager's approval queue: GET of the approvals page through the test client
                (median of 5)
and counts the queries of the list pages: every paginated GET list of the learning API at page sizes
5 and 100, and every learning page without arguments before and after adding rows. A count that
grows is reported and makes the exit status 1 (after the RESULT line).
The last line reads: RESULT search_ms=… bulk_enrol_s=… recommend_unit_ms=… approvals_ms=… …
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
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

QUERIES = [
    "kommunikationen",
    "økonomi",
    "forvaltningsret",
    "excel",
    "ledelse",
    "sagsbehandling",
    "GDPR",
    "borgere",
]
TOPICS = [
    "Kommunikation med borgere",
    "Økonomistyring",
    "Forvaltningsret",
    "Offentlig forvaltning og administration",
    "Projektledelse",
    "Excel",
    "Digitalisering",
    "Samtaleteknik",
    "Arbejdsmiljø",
    "Jobformidling",
    "Budgetopfølgning",
    "Virksomhedskontakt",
    "Produktionsstyring",
    "Resultatopfølgning",
    "Ledelse af forandringer",
    "Konflikthåndtering",
    "Klarsprog",
    "Databeskyttelse og GDPR",
    "Sagsbehandling",
    "Beskæftigelseslovgivning",
    "Sygedagpenge",
    "Rehabilitering",
    "Mødeledelse",
    "Coaching",
    "Innovation i den offentlige sektor",
    "Procesrådgivning i ERP",
    "Indkøb og udbud",
    "Borgerservice",
    "Journalisering",
    "Tværfagligt samarbejde",
    "Psykisk arbejdsmiljø",
    "Personaleledelse",
    "Strategisk kompetenceudvikling",
    "Dataanalyse",
    "Power BI",
    "Skriftlig formidling",
    "Pædagogisk ledelse",
    "Socialfaglig metode",
    "Kvalitetsudvikling",
    "Økonomi og budget",
]
MODIFIERS = [
    "",
    " for ledere",
    " i praksis",
    " for begyndere",
    " for øvede",
    " i jobcentret",
    " i dagtilbud",
    " – grundkursus",
    " – videregående",
    " for nye medarbejdere",
    " i forvaltningen",
    " med cases",
]
UNIT_SIZE = 2000
TEAM_SIZE = 33
APPROVER_PEOPLE = 40
BULK = 112


CPU_MS: dict[str, float] = {}


def median_ms(fn: Callable[[], Any], runs: int = 5, *, label: str = "") -> float:
    """The median wall time of `fn` in ms; with `label`, the median CPU time of this process (which a
    busy machine inflates far less than wall time, the database being SQLite in this process) is kept
    in CPU_MS[label]."""
    fn()  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    if label:
        CPU_MS.setdefault(label, statistics.median(cpu))
    return statistics.median(times)


def at(days: int, hour: int = 9) -> datetime.datetime:
    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# --- Building the data ---------------------------------------------------------------------------


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
    specs: list[dict[str, Any]] = []
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
    unit_size = min(UNIT_SIZE, employees // 4)
    unit_teams = max(1, -(-unit_size // TEAM_SIZE))
    other_teams = max(1, (employees - unit_size - APPROVER_PEOPLE - 1) // TEAM_SIZE)
    for t in range(unit_teams):
        specs.append({"name": f"Team R{t + 1}", "kind": "team", "external_id": f"R{t}", "parent": "F0C0"})
    specs.append({"name": "Team Godkendelse", "kind": "team", "external_id": "APPROVE", "parent": "F1C0"})
    for t in range(other_teams):
        f, c = 1 + t % 5, (t // 5) % 5
        specs.append({"name": f"Team {t + 1}", "kind": "team", "external_id": f"T{t}", "parent": f"F{f}C{c}"})
    units = {
        u.external_id: u
        for u in services.orgunits_bulk_create(municipality=municipality, units=specs, actor=actor)
    }
    roles = [
        services.jobrole_create(municipality=municipality, title=f"Rolle {i + 1}", actor=actor)
        for i in range(10)
    ]
    people = []
    for i in range(employees):
        if i < unit_size:
            unit = units[f"R{i // TEAM_SIZE}"]
        elif i <= unit_size + APPROVER_PEOPLE:
            unit = units["APPROVE"]
        else:
            unit = units[f"T{(i - unit_size - APPROVER_PEOPLE - 1) % other_teams}"]
        people.append(
            Employee(external_id=f"B{i}", name=f"Person {i}", unit=unit, job_role=roles[rng.randrange(10)])
        )
    services.employees_bulk_create(municipality=municipality, employees=people, actor=actor)
    # A manager for every team: its first employee (the approval team's manager is number unit_size).
    first: dict[int, int] = {}
    for pk, unit_id in (
        Employee.objects.filter(municipality=municipality).order_by("pk").values_list("pk", "unit_id")
    ):
        first.setdefault(unit_id, pk)
    OrgUnit.managers.through.objects.bulk_create(
        [OrgUnit.managers.through(orgunit_id=u, employee_id=e) for u, e in first.items()]
    )
    users = get_user_model()
    manager_employee = Employee.objects.get(pk=first[units["APPROVE"].pk])
    manager = users.objects.create_user("bench-leder")  # no password: the bench logs in with force_login
    services.employee_link_user(employee=manager_employee, user=manager, actor=actor)
    hr = users.objects.create_user("bench-hr")
    RoleAssignment.objects.create(user=hr, role=Role.HR, municipality=municipality)
    return {
        "municipality": municipality,
        "unit": units["F0C0"],
        "unit_size": unit_size,
        "approve_team": units["APPROVE"],
        "manager": manager,
        "manager_employee": manager_employee,
        "hr": hr,
        "roles": roles,
        "people": list(
            Employee.objects.filter(municipality=municipality).order_by("pk").values_list("pk", "unit_id")
        ),
    }


def build_competences(data: dict[str, Any], rng: random.Random) -> list[Any]:
    from kapabel.assessments.models import CurrentLevel
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

    municipality = data["municipality"]
    framework = Framework.objects.create(municipality=municipality, name="Benchmark")
    version = FrameworkVersion.objects.create(framework=framework, status=Status.PUBLISHED)
    scale = Scale.objects.create(version=version, name="1–4")
    ScaleLevel.objects.bulk_create(ScaleLevel(scale=scale, value=v) for v in range(1, 5))
    names = [
        "Kommunikation",
        "Økonomi og budget",
        "Forvaltningsret",
        "Digitale systemer",
        "Projektledelse",
        "Samtaleteknik",
        "Virksomhedskontakt",
        "Produktionsstyring",
        "Ledelse",
        "Data",
    ]
    comps = Competence.objects.bulk_create(
        Competence(version=version, position=i, identifier=f"K{i}", code=f"K{i}", name_da=name)
        for i, name in enumerate(names)
    )
    when = datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC)
    for role in data["roles"]:
        profile = Profile.objects.create(
            municipality=municipality,
            framework_version=version,
            kind=Profile.Kind.JOB_ROLE,
            job_role=role,
            name=role.title,
            status=Status.PUBLISHED,
            published_at=when,
        )
        ProfileTarget.objects.bulk_create(
            ProfileTarget(
                profile=profile,
                competence=c,
                target_level=rng.randint(2, 4),
                importance=rng.choice(["essential", "important", "nice_to_have"]),
            )
            for c in rng.sample(comps, 6)
        )
    # Current levels as the rating service would leave them (agreed), inserted in bulk without models:
    # 300,000 rows at 50,000 people.
    from django.db import connection

    stamp = connection.ops.adapt_datetimefield_value(when)
    fields = [
        "municipality",
        "employee",
        "competence",
        "framework_version",
        "agreed_level",
        "level",
        "source",
        "rated_at",
        "updated_at",
    ]
    rows = []
    for employee_id, _unit in data["people"]:
        if rng.random() < 0.6:
            for comp in comps:
                level = rng.randint(1, 4)
                rows.append(
                    (municipality.pk, employee_id, comp.pk, version.pk, level, level, "agreed", stamp, stamp)
                )
    insert_rows(CurrentLevel, fields, rows)
    return comps


def insert_rows(model: Any, fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """A plain multi-row INSERT for many rows (values already in the database's format)."""
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    with transaction.atomic(), connection.cursor() as cursor:  # one commit, not one per row
        for start in range(0, len(rows), 20000):
            cursor.executemany(sql, rows[start : start + 20000])


def build_learning(
    data: dict[str, Any], comps: list[Any], offers_n: int, cohorts_n: int, rng: random.Random
) -> None:
    from django.utils import timezone

    from kapabel.learning import services
    from kapabel.learning.models import (
        Category,
        Cohort,
        Enrolment,
        EnrolmentStatusChange,
        Evidence,
        Interest,
        Level,
        Offer,
        OfferCompetence,
        OfferKind,
        Provider,
        Session,
    )

    municipality = data["municipality"]
    services.learning_setup(municipality=municipality, actor="bench")
    categories = list(Category.objects.filter(municipality=municipality))
    provider_names = [
        "Komponent (COK)",
        "VIA University College",
        "UCN act2learn",
        "Professionshøjskolen Absalon",
        "AMU Syd",
        "AMU Nordjylland",
        "Københavns Professionshøjskole",
        "Intern",
    ]
    providers = Provider.objects.bulk_create(
        Provider(municipality=municipality, name=name, kind="internal" if name == "Intern" else "external")
        for name in provider_names
    )
    levels = [Level.NONE, Level.NONE, Level.AMU, Level.AKADEMI, Level.DIPLOM]
    qf = {Level.AMU: 3, Level.AKADEMI: 5, Level.DIPLOM: 6}
    kinds = [OfferKind.COURSE] * 6 + [
        OfferKind.EDUCATION_MODULE,
        OfferKind.E_LEARNING,
        OfferKind.CONFERENCE,
        OfferKind.PEER_TRAINING,
    ]
    offers = []
    for i in range(offers_n):
        level = rng.choice(levels)
        topic = TOPICS[i % len(TOPICS)]
        title = topic + MODIFIERS[(i // len(TOPICS)) % len(MODIFIERS)]
        offers.append(
            Offer(
                municipality=municipality,
                provider=rng.choice(providers),
                title=title,
                kind=rng.choice(kinds),
                category=rng.choice(categories),
                level=level,
                qf_level=qf.get(level),
                ects=Decimal(rng.choice([5, 10])) if level in (Level.AKADEMI, Level.DIPLOM) else None,
                teaching_days=Decimal(rng.randint(1, 8)),
                price_per_participant=Decimal(rng.randrange(0, 20000, 100)),
                description=f"{title}. Kursus for kommunale medarbejdere om {topic.lower()}.",
                external_id=f"O{i}",
            )
        )
    offers = Offer.objects.bulk_create(offers, batch_size=2000)
    OfferCompetence.objects.bulk_create(
        [
            OfferCompetence(offer=o, competence=c, expected_gain=rng.randint(1, 2))
            for o in offers
            for c in rng.sample(comps, rng.randint(1, 3))
        ],
        batch_size=5000,
    )

    now = timezone.now()
    people = [pk for pk, _unit in data["people"]]
    statuses = ["completed"] * 10 + ["running"] * 5 + ["cancelled"] * 5 + ["planned"] * 10 + ["open"] * 70
    cohorts, sessions = [], []
    for i in range(cohorts_n):
        status = rng.choice(statuses)
        start = {"completed": -rng.randint(30, 365), "running": -rng.randint(1, 10)}.get(
            status, rng.randint(7, 365)
        )
        count = rng.randint(1, 4)
        cohorts.append(
            Cohort(
                offer=rng.choice(offers),
                code=f"H{i}",
                capacity=rng.randint(12, 30),
                status=status,
                first_starts_at=at(start),
                last_ends_at=at(start + 7 * (count - 1), 15),
                registration_opens=now - datetime.timedelta(days=30),
                sequence=0,
            )
        )
        sessions.append([(at(start + 7 * k), at(start + 7 * k, 15)) for k in range(count)])
    cohorts = Cohort.objects.bulk_create(cohorts, batch_size=2000)
    Session.objects.bulk_create(
        [
            Session(cohort=c, starts_at=s, ends_at=e, place="Rådhuset")
            for c, spans in zip(cohorts, sessions, strict=True)
            for s, e in spans
        ],
        batch_size=5000,
    )

    enrolments, taken = [], set()

    def enrol(cohort: Any, employee_id: int, status: str, queued: bool = True) -> None:
        taken.add((cohort.pk, employee_id))
        enrolments.append(
            Enrolment(
                cohort=cohort,
                employee_id=employee_id,
                status=status,
                queued_at=now if queued else None,
                requested_by_label="bench",
                ects_earned=cohort.offer.ects if status == "completed" else None,
            )
        )

    for cohort in cohorts:
        group = rng.sample(people, min(len(people), cohort.capacity + 5))
        placed = group[: rng.randint(cohort.capacity // 2, cohort.capacity)]
        place = {"completed": "completed", "running": "booked", "cancelled": "cancelled_by_cohort"}.get(
            cohort.status, "booked"
        )
        for employee_id in placed:
            enrol(cohort, employee_id, place if place != "completed" or rng.random() < 0.9 else "failed")
        if cohort.status in ("open", "planned"):
            rest = group[len(placed) :]
            if len(placed) == cohort.capacity:
                cohort.status = "full" if cohort.status == "open" else cohort.status
                for employee_id in rest[:3]:
                    enrol(cohort, employee_id, "waitlisted")
            for employee_id in rest[3:5]:
                enrol(cohort, employee_id, rng.choice(["awaiting_manager", "awaiting_hr"]), queued=False)
    Cohort.objects.bulk_update(cohorts, ["status"], batch_size=2000)
    # One request waiting for the manager from each of their 40 people (on open cohorts).
    approve_team = data["approve_team"].pk
    team = [pk for pk, unit in data["people"] if unit == approve_team and pk != data["manager_employee"].pk]
    open_cohorts = [c for c in cohorts if c.status == "open"]
    for employee_id in team:
        cohort = next(
            c
            for c in rng.sample(open_cohorts, min(20, len(open_cohorts)))
            if (c.pk, employee_id) not in taken
        )
        enrol(cohort, employee_id, "awaiting_manager", queued=False)
    enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=5000)
    EnrolmentStatusChange.objects.bulk_create(
        [
            EnrolmentStatusChange(
                enrolment=e, from_status="", to_status=e.status, actor_label="bench", at=now
            )
            for e in enrolments
        ],
        batch_size=5000,
    )
    gains = {}
    for offer_id, competence_id in OfferCompetence.objects.values_list("offer_id", "competence_id"):
        gains.setdefault(offer_id, competence_id)
    Evidence.objects.bulk_create(
        [
            Evidence(employee_id=e.employee_id, competence_id=gains[e.cohort.offer_id], level=3, enrolment=e)
            for e in enrolments
            if e.status == "completed" and e.cohort.offer_id in gains
        ],
        batch_size=5000,
    )
    Interest.objects.bulk_create(Interest(offer=offers[0], employee_id=pk) for pk in people[:60])
    data.update(offers=offers, cohorts=cohorts, enrolments=len(enrolments))


def reindex_search(municipality: Any) -> str:
    """Offers were bulk-inserted (no services): rebuild the Danish search index."""
    from kapabel.learning.search import rebuild_index

    return f"{rebuild_index(municipality.pk)} offers indexed"


# --- The learning pages ---------------------------------------------------------------------------


def learning_pages() -> dict[str, str]:
    """{url name: path} of the learning pages that take no arguments."""
    from django.urls import NoReverseMatch, URLPattern, get_resolver, reverse

    pages = {}
    for item in get_resolver().url_patterns:
        if getattr(item, "namespace", None) != "learning":
            continue
        for pattern in item.url_patterns:
            if isinstance(pattern, URLPattern) and pattern.name:
                with contextlib.suppress(NoReverseMatch):
                    pages[pattern.name] = reverse(f"learning:{pattern.name}")
    return pages


# --- Query counts --------------------------------------------------------------------------------


def count_queries(fn: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def api_lists(client: Any, auth: dict[str, str], ids: dict[str, int]) -> dict[str, bool]:
    """{url: paginated?} for every GET list of the learning API whose path parameters are known."""
    from kapabel.learning.api import router

    lists = {}
    for path, view in router.path_operations.items():
        if not any("GET" in op.methods for op in view.operations):
            continue
        filled = path
        for key, value in ids.items():
            filled = filled.replace("{" + key + "}", str(value))
        if "{" in filled:
            continue
        url = "/api/v1" + filled
        response = client.get(url, {"page_size": 5}, **auth)
        if response.status_code != 200:
            continue
        body = response.json()
        if isinstance(body, list) or (isinstance(body, dict) and "items" in body):
            lists[url] = isinstance(body, dict)
    return lists


def api_counts(
    client: Any, auth: dict[str, str], lists: dict[str, bool]
) -> dict[str, tuple[int | None, int]]:
    """{url: (queries at page size 5 when paginated, queries at page size 100)}."""
    counts = {}
    for url, paginated in lists.items():
        small = (
            count_queries(lambda url=url: client.get(url, {"page_size": 5}, **auth)) if paginated else None
        )
        counts[url] = (small, count_queries(lambda url=url: client.get(url, {"page_size": 100}, **auth)))
    return counts


def grow(data: dict[str, Any], ids: dict[str, int], rng: random.Random) -> None:
    """More rows on every list: offers, cohorts with enrolments, requests for the manager's people, and
    rows under the objects of the per-object lists."""
    from django.utils import timezone

    from kapabel.learning.models import (
        Attendance,
        Cohort,
        Enrolment,
        EnrolmentStatusChange,
        Interest,
        Offer,
        Session,
    )

    offer = data["offers"][0]
    new_offers = Offer.objects.bulk_create(
        Offer(municipality=data["municipality"], provider=offer.provider, title=f"Ekstra kursus {i}")
        for i in range(30)
    )
    new = Cohort.objects.bulk_create(
        Cohort(
            offer=o,
            code=f"G{i}",
            capacity=40,
            status="open",
            first_starts_at=at(3 + i),
            last_ends_at=at(3 + i, 15),
        )
        for i, o in enumerate(new_offers)
    )
    Session.objects.bulk_create(
        Session(cohort=c, starts_at=c.first_starts_at, ends_at=c.last_ends_at) for c in new
    )
    team = [
        pk
        for pk, unit in data["people"]
        if unit == data["approve_team"].pk and pk != data["manager_employee"].pk
    ]
    people = [pk for pk, _unit in data["people"] if pk not in team]
    Enrolment.objects.bulk_create(
        [
            Enrolment(cohort=c, employee_id=pk, status="booked", queued_at=timezone.now())
            for c in new
            for pk in rng.sample(people, 20)
        ]
        + [
            Enrolment(cohort=new[i % len(new)], employee_id=pk, status="awaiting_manager")
            for i, pk in enumerate(team)
        ]
    )
    # Rows under the objects the per-object lists show: interest, sessions, attendance, history.
    Interest.objects.bulk_create(Interest(offer=offer, employee_id=pk) for pk in people[100:130])
    big = Cohort.objects.get(pk=ids["cohort_id"])
    Session.objects.bulk_create(
        Session(cohort=big, starts_at=at(900 + k, 18), ends_at=at(900 + k, 20)) for k in range(3)
    )
    Attendance.objects.bulk_create(
        Attendance(session_id=ids["session_id"], enrolment=e, status="present")
        for e in Enrolment.objects.filter(cohort=big)
    )
    EnrolmentStatusChange.objects.bulk_create(
        EnrolmentStatusChange(
            enrolment_id=ids["enrolment_id"], to_status="booked", actor_label="bench", at=timezone.now()
        )
        for _ in range(5)
    )


# --- The run -------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    warnings.filterwarnings("ignore", message="No directory at")  # no collected static files here
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from kapabel.core import tokens
    from kapabel.gaps import upkeep
    from kapabel.learning import recommend, selectors, services
    from kapabel.learning.models import Cohort, Enrolment, Session
    from kapabel.learning.search import Filters, catalogue_search

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with upkeep.suspended():
        data = build_organisation(args.employees, rng)
        comps = build_competences(data, rng)
    facts = upkeep.rebuild(data["municipality"])
    organised = time.perf_counter()
    build_learning(data, comps, args.offers, args.cohorts, rng)
    reindexed = reindex_search(data["municipality"])
    built = time.perf_counter()
    print(
        f"built {args.employees} employees, {facts} gap facts in {organised - started:.1f} s; "
        f"{args.offers} offers, {args.cohorts} cohorts, {data['enrolments']} enrolments "
        f"in {built - organised:.1f} s (search index: {reindexed})",
        flush=True,
    )
    hr, manager = data["hr"], data["manager"]
    _token, raw = tokens.token_create(user=hr, name="bench", scope="write", days=1, actor="bench")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client = Client()

    # Catalogue search: what the catalogue page does (offers and facet counts), and the API's list.
    everything = Filters()

    def searcher(q: str) -> Callable[[], Any]:
        def run_search() -> int:
            result = catalogue_search(hr, q, everything)
            return len(list(result.offers[:50])) + len(result.facets) * 0

        return run_search

    def api_searcher(q: str) -> Callable[[], Any]:
        def get() -> int:
            response = client.get("/api/v1/offers", {"search": q}, **auth)
            assert response.status_code == 200, response.status_code
            return len(response.json()["items"])

        return get

    hits: dict[str, int] = {}
    per_query = {}
    api_per_query = {}
    for q in QUERIES:
        hits[q] = searcher(q)()
        per_query[q] = median_ms(searcher(q), label=f"search {q}")
        api_per_query[q] = median_ms(api_searcher(q))
    search_ms = statistics.median(per_query.values())
    api_ms = statistics.median(api_per_query.values())
    print(
        f"search via kapabel.learning.search.catalogue_search (offers and facets): median {search_ms:.1f} ms "
        f"over {len(QUERIES)} queries; GET /api/v1/offers?search=: median {api_ms:.1f} ms"
    )
    print("  " + ", ".join(f"{q!r} {per_query[q]:.1f} ms/{hits[q]} hits" for q in QUERIES))

    # Enrolling 112 people in one action, onto new cohorts meeting when nobody else does.
    offer = next(o for o in data["offers"] if not o.prerequisites.exists())
    people = [pk for pk, unit in data["people"] if unit != data["approve_team"].pk]
    rng.shuffle(people)
    bulk_times, booked = [], []
    for n in range(4):
        cohort = services.cohort_create(
            offer=offer,
            capacity=120,
            code=f"BULK{n}",
            status=Cohort.Status.OPEN,
            actor="bench",
            sessions=[
                services.SessionSpec(at(800 + 7 * n + k, 18), at(800 + 7 * n + k, 20), place="Fjordglimt")
                for k in range(3)
            ],
        )
        group = people[n * BULK : (n + 1) * BULK]
        start = time.perf_counter()
        result = services.enrolments_bulk_book(cohort=cohort, employees=group, actor=hr)
        if n:  # the first is a warm-up
            bulk_times.append(time.perf_counter() - start)
        booked.append(len(result.booked))
    bulk_s = statistics.median(bulk_times)
    print(f"bulk booking of {BULK} people: median {bulk_s:.3f} s over 3 (booked {booked[1:]})")

    # Recommendations for the 2,000-person unit.
    unit = data["unit"]
    produced = len(recommend.for_unit(hr, unit))
    recommend_ms = median_ms(lambda: recommend.for_unit(hr, unit), label="recommend")
    recommend_queries = count_queries(lambda: recommend.for_unit(hr, unit))
    print(
        f"recommendations (kapabel.learning.recommend.for_unit) for {data['unit_size']} people: "
        f"{recommend_ms:.1f} ms, {recommend_queries} queries ({produced} items)"
    )

    # The approval queue of a manager with 40 people.
    pages = learning_pages()
    approvals_page = reverse("learning:approvals")
    queue = selectors.approvals_for_user(manager).count()
    client.force_login(manager)
    response = client.get(approvals_page)
    assert response.status_code == 200, (approvals_page, response.status_code)
    approvals_ms = median_ms(lambda: client.get(approvals_page), label="approvals")
    how = f"GET {approvals_page}"
    client.logout()
    print(f"approval queue via {how}: {approvals_ms:.1f} ms ({queue} waiting)")

    # Query counts of the list pages.
    big = Cohort.objects.filter(enrolments__isnull=False).order_by("-capacity", "pk").first()
    assert big is not None
    ids = {
        "cohort_id": big.pk,
        "offer_id": data["offers"][0].pk,
        "enrolment_id": Enrolment.objects.filter(cohort=big).values_list("pk", flat=True).first() or 0,
        "session_id": Session.objects.filter(cohort=big).values_list("pk", flat=True).first() or 0,
    }
    growing = []
    lists = api_lists(client, auth, ids)
    api_before = api_counts(client, auth, lists)

    def page_counts() -> dict[str, int]:
        counts = {}
        for who, user in (("hr", hr), ("manager", manager)):
            client.force_login(user)
            for path in sorted(pages.values()):
                if client.get(path).status_code == 200:
                    counts[f"{path} as {who}"] = count_queries(lambda path=path: client.get(path))
            client.logout()
        return counts

    # Prefetches run only once a list has rows: give the manager a booking and a request of their own
    # before the first count, so "before -> after" compares lists with rows.
    own = [c for c in Cohort.objects.filter(status="open").order_by("pk")[:2]]
    for cohort, status in zip(own, ("booked", "awaiting_manager"), strict=False):
        Enrolment.objects.get_or_create(
            cohort=cohort, employee=data["manager_employee"], defaults={"status": status}
        )
    before = page_counts()
    grow(data, ids, rng)
    after = page_counts()
    api_after = api_counts(client, auth, lists)
    print("queries per API list (page size 5 / 100; page size 100 after adding rows):")
    for url, (small, large) in api_before.items():
        again = api_after[url][1]
        print(f"  {url}: {'-' if small is None else small} / {large}; {again}")
        if (small is not None and large > small) or again > large:
            growing.append(url)
    if before:
        print("queries per learning page (before -> after adding rows):")
    for key, count in before.items():
        print(f"  {key}: {count} -> {after.get(key)}")
        if after.get(key, 0) > count:
            growing.append(key)
    if not pages:
        print("  (no learning pages without arguments yet)")
    if growing:
        print("QUERY COUNT GROWS WITH ROWS: " + ", ".join(growing))
    db = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    search_cpu = statistics.median(v for k, v in CPU_MS.items() if k.startswith("search "))
    print(
        f"CPU time of this process (median): search {search_cpu:.1f} ms, recommend "
        f"{CPU_MS['recommend']:.1f} ms, approvals {CPU_MS['approvals']:.1f} ms; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"RESULT search_ms={search_ms:.1f} bulk_enrol_s={bulk_s:.3f} recommend_unit_ms={recommend_ms:.0f} "
        f"approvals_ms={approvals_ms:.1f} search_cpu_ms={search_cpu:.1f} "
        f"recommend_cpu_ms={CPU_MS['recommend']:.0f} approvals_cpu_ms={CPU_MS['approvals']:.1f} "
        f"lists_constant={'no' if growing else 'yes'} "
        f"employees={args.employees} offers={args.offers} cohorts={args.cohorts} db={db}"
    )
    return 1 if growing else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--employees", type=int, default=50000)
    parser.add_argument("--offers", type=int, default=5000)
    parser.add_argument("--cohorts", type=int, default=2000)
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
