"""Shared test fixtures: a small two-municipality world and the named personas.

World (municipality A, "Aby Kommune"):          municipality B ("Bby Kommune"):
    A root                                           B root
    ├── Forvaltning 1                                └── B team  (b_employee)
    │   └── Centre 1        (manager leads it)
    │       ├── Team 1      (employee works here)
    │       └── Team 2      (colleague)
    └── Forvaltning 2
        └── Team 3          (outsider: another unit)

Personas: employee, manager (Centre 1), hr (Forvaltning 1 subtree), coordinator (all of A),
admin (municipality admin of A), platform_admin, other_municipality_admin (admin of B).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import sync_playwright

from kapabel.core.models import Municipality, Role
from kapabel.organisation import services
from kapabel.organisation.models import Employee, JobRole, OrgUnit, RoleAssignment
from tests import logscan

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures there
# are still synchronous, so Django's async-safety guard would be a false alarm.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Property tests judge results, never time: no per-example deadline (a busy CI machine made a fast
# example "too slow" and failed a correct rule).
hypothesis_settings.register_profile("kapabel", deadline=None)
hypothesis_settings.load_profile("kapabel")

# Real Chromium (Debian's package) driven by Playwright; never a downloaded browser. One session-wide
# instance for every test directory: a second `sync_playwright()` while the first is alive fails with
# "Sync API inside the asyncio loop".
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is not installed. Install Debian's package: apt-get install chromium")
    return path


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


PASSWORD = "correct-horse-battery"
SYSTEM = "tests"


# --- No personal data or secrets in the logs of the whole suite (tests/logscan.py) -------------------


def pytest_runtest_setup(item):
    logscan.SCANNER.test = item.nodeid
    logscan.attach()


def pytest_sessionfinish(session, exitstatus):
    if logscan.SCANNER.findings and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if logscan.SCANNER.findings:
        terminalreporter.section("personal data or secrets in the logs", red=True)
        for line in logscan.report():
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    a: Municipality
    b: Municipality
    a_root: OrgUnit
    forvaltning1: OrgUnit
    centre1: OrgUnit
    team1: OrgUnit
    team2: OrgUnit
    forvaltning2: OrgUnit
    team3: OrgUnit
    b_root: OrgUnit
    b_team: OrgUnit
    role_a: JobRole
    role_b: JobRole
    employee: Employee
    colleague: Employee
    manager_employee: Employee
    outsider: Employee
    b_employee: Employee
    users: dict[str, Any]

    def user(self, persona: str):
        return self.users[persona]


def make_user(username: str, **extra):
    user = get_user_model()(username=username, first_name=username.title(), **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_employee(municipality, unit, external_id, name, job_role=None, **extra) -> Employee:
    return services.employee_create(
        municipality=municipality,
        external_id=external_id,
        name=name,
        unit=unit,
        job_role=job_role,
        email=f"{external_id.lower()}@example.dk",
        actor=SYSTEM,
        **extra,
    )


@pytest.fixture
def world(db) -> World:
    a = services.municipality_create(name="Aby Kommune", kommunekode="101", actor=SYSTEM)
    b = services.municipality_create(name="Bby Kommune", kommunekode="102", actor=SYSTEM)
    unit = services.orgunit_create
    a_root = unit(municipality=a, name="Aby Kommune", kind="municipality", external_id="A0", actor=SYSTEM)
    f1 = unit(
        municipality=a,
        parent=a_root,
        name="Forvaltning Et",
        kind="forvaltning",
        external_id="A1",
        actor=SYSTEM,
    )
    c1 = unit(municipality=a, parent=f1, name="Center Et", kind="center", external_id="A11", actor=SYSTEM)
    t1 = unit(municipality=a, parent=c1, name="Team Alfa", kind="team", external_id="A111", actor=SYSTEM)
    t2 = unit(municipality=a, parent=c1, name="Team Beta", kind="team", external_id="A112", actor=SYSTEM)
    f2 = unit(
        municipality=a,
        parent=a_root,
        name="Forvaltning To",
        kind="forvaltning",
        external_id="A2",
        actor=SYSTEM,
    )
    t3 = unit(municipality=a, parent=f2, name="Team Gamma", kind="team", external_id="A21", actor=SYSTEM)
    b_root = unit(municipality=b, name="Bby Kommune", kind="municipality", external_id="B0", actor=SYSTEM)
    b_team = unit(municipality=b, parent=b_root, name="Team Bby", kind="team", external_id="B1", actor=SYSTEM)
    role_a = services.jobrole_create(municipality=a, title="Sagsbehandler Aby", code="2220", actor=SYSTEM)
    role_b = services.jobrole_create(municipality=b, title="Jobkonsulent Bby", code="2210", actor=SYSTEM)

    employee = make_employee(a, t1, "E1", "Emma Employee", role_a)
    colleague = make_employee(a, t2, "E2", "Carl Colleague", role_a)
    manager_employee = make_employee(a, c1, "E3", "Mette Manager", role_a)
    outsider = make_employee(a, t3, "E4", "Oskar Outsider", role_a)
    b_employee = make_employee(b, b_team, "E5", "Bente Bby", role_b)
    services.orgunit_set_managers(unit=c1, managers=[manager_employee], actor=SYSTEM)

    users = {
        name: make_user(name)
        for name in (
            "employee",
            "manager",
            "hr",
            "coordinator",
            "admin",
            "platform_admin",
            "other_municipality_admin",
        )
    }
    services.employee_link_user(employee=employee, user=users["employee"], actor=SYSTEM)
    services.employee_link_user(employee=manager_employee, user=users["manager"], actor=SYSTEM)
    RoleAssignment.objects.create(user=users["hr"], role=Role.HR, municipality=a, unit=f1)
    RoleAssignment.objects.create(user=users["coordinator"], role=Role.COORDINATOR, municipality=a)
    RoleAssignment.objects.create(user=users["admin"], role=Role.MUNICIPALITY_ADMIN, municipality=a)
    RoleAssignment.objects.create(user=users["platform_admin"], role=Role.PLATFORM_ADMIN)
    RoleAssignment.objects.create(
        user=users["other_municipality_admin"], role=Role.MUNICIPALITY_ADMIN, municipality=b
    )
    for instance in (f1, c1, t1, t2, f2, t3, b_team):
        instance.refresh_from_db()
    return World(
        a,
        b,
        a_root,
        f1,
        c1,
        t1,
        t2,
        f2,
        t3,
        b_root,
        b_team,
        role_a,
        role_b,
        employee,
        colleague,
        manager_employee,
        outsider,
        b_employee,
        users,
    )


@pytest.fixture
def login(client):
    """Log the test client in as a user and return it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
