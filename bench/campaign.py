"""Benchmark: create a clarification campaign for 25,000 employees and render the self-assessment page
with 40 competences (server side, Django test client). SQLite in a temporary directory; builds its own
deterministic data. Last line: RESULT create_campaign_s=<n> form_ms=<n> employees=<n> competences=<n>."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "25000"))
COMPETENCES = 40
RUNS = 5

tmp = tempfile.mkdtemp(prefix="kapabel-bench-")
os.environ["KAPABEL_VAR_DIR"] = tmp
os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapabel.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from kapabel.assessments import services  # noqa: E402
from kapabel.assessments.models import Assessment, Campaign  # noqa: E402
from kapabel.assessments.sample import build_framework  # noqa: E402
from kapabel.organisation import services as org  # noqa: E402
from kapabel.organisation.models import Employee  # noqa: E402


def build() -> tuple:
    call_command("migrate", verbosity=0)
    municipality = org.municipality_create(name="Bench Kommune", kommunekode="900", actor="bench")
    specs = [{"name": "Bench Kommune", "kind": "municipality", "external_id": "R", "parent": None}]
    for f in range(6):
        specs.append(
            {"name": f"Forvaltning {f}", "kind": "forvaltning", "external_id": f"F{f}", "parent": "R"}
        )
        for c in range(10):
            specs.append(
                {"name": f"Center {f}.{c}", "kind": "center", "external_id": f"C{f}.{c}", "parent": f"F{f}"}
            )
            for t in range(12):
                specs.append(
                    {
                        "name": f"Team {f}.{c}.{t}",
                        "kind": "team",
                        "external_id": f"T{f}.{c}.{t}",
                        "parent": f"C{f}.{c}",
                    }
                )
    units = org.orgunits_bulk_create(municipality=municipality, units=specs, actor="bench")
    teams = [u for u in units if u.kind == "team"]
    role = org.jobrole_create(municipality=municipality, title="Administrativ medarbejder", actor="bench")
    people = [
        Employee(
            external_id=f"E{i}",
            name=f"Medarbejder {i:05d}",
            unit=teams[i % len(teams)],
            job_role=role,
            email=f"e{i}@bench.example",
        )
        for i in range(EMPLOYEES)
    ]
    org.employees_bulk_create(municipality=municipality, employees=people, actor="bench")
    version = build_framework(municipality=municipality, competences=COMPETENCES, name="Bench-ramme")
    user = get_user_model().objects.create_user("bench-employee", password="x")  # noqa: S106
    me = Employee.objects.filter(municipality=municipality).order_by("pk").first()
    org.employee_link_user(employee=me, user=user, actor="bench")
    return municipality, units[0], version, user, me


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    municipality, root, version, user, me = build()
    today = timezone.localdate()
    create_times = []
    campaign = None
    for run in range(RUNS):
        started = time.perf_counter()
        campaign = services.campaign_create(
            municipality=municipality,
            name=f"Afklaring {run}",
            kind=Campaign.Kind.INDIVIDUAL,
            framework_version=version,
            opens_on=today,
            closes_on=today + datetime.timedelta(days=14),
            scope=services.Scope(units=[(root, True)]),
            actor="bench",
        )
        create_times.append(time.perf_counter() - started)
        assert campaign.participant_count == EMPLOYEES
    assessment = Assessment.objects.get(campaign=campaign, employee=me)
    client = Client()
    client.force_login(user)
    url = f"/clarification/answers/{assessment.pk}/"
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.content.count(b'type="radio"') == COMPETENCES * 5
    form_times = []
    for _run in range(RUNS * 2):
        started = time.perf_counter()
        client.get(url)
        form_times.append((time.perf_counter() - started) * 1000)
    create_s = statistics.median(create_times)
    form_ms = statistics.median(form_times)
    print(
        f"campaign creation for {EMPLOYEES} employees: median {create_s:.2f} s over {RUNS} runs "
        f"({', '.join(f'{t:.2f}' for t in create_times)})"
    )
    print(
        f"self-assessment page, {COMPETENCES} competences: median {form_ms:.1f} ms "
        f"over {len(form_times)} renders"
    )
    print(
        f"RESULT create_campaign_s={create_s:.2f} form_ms={form_ms:.1f} "
        f"employees={EMPLOYEES} competences={COMPETENCES}"
    )


if __name__ == "__main__":
    sys.exit(main())
