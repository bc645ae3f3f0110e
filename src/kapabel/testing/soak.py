"""Load and soak: 50 people using Kapabel at once through the real server, for minutes on end.

    python bench/load.py                          # PostgreSQL (throwaway cluster), 50 people, 10 minutes
    python bench/load.py --duration 60            # a shorter run
    python bench/load.py --users 50 --think 1.75 --workers 5 --threads 1 --employees 400

A throwaway PostgreSQL cluster (`kapabel.testing.pgcluster`) gets the schema and the demo municipality
(`kapabel demo`), plus logins for the virtual people; gunicorn serves it on loopback with the production
settings (`KAPABEL_ENV=production`, collected static files). Each virtual person logs in through the
login form, then works as their role does, pausing between steps as a person reads (`--think`, the mean
pause in seconds; 0 for none):

- employees fill in their competence clarification (open the form, save a draft with new levels),
  and look at their list and their own gap profile;
- managers read their team: the unit's heatmap and drill-down cells, the unit page, the campaign's
  progress, a team member's review page and profile;
- HR opens the municipal heatmap, priorities and trend, exports them (XLSX, CSV) and pages the
  employee list;
- API clients page through employees, ratings, assessments and units and read the heatmap with a
  personal access token.

The run stops after `--duration` seconds or `--requests` requests, whichever comes first. Every
request is timed from sending to the last byte; one that does not get the answer its step expects
(a status other than 200 or the form's redirect, a lost session, a dropped connection) is an error.
The figures per step are printed, and a last line:

    RESULT p50_ms=… p95_ms=… p99_ms=… errors=… requests=…

The pytest smoke test (tests/ops/test_load_smoke.py, marker `load`) runs the same people for a few
seconds against the test database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kapabel.testing.loadtest import CSRF_INPUT, LOAD_PASSWORD, Sample, app_server, percentile, request

EMPLOYEE, MANAGER, HR, API = "employee", "manager", "hr", "api"
# Of 50 people: 20 employees, 10 managers, 10 HR consultants, 10 API clients.
MIX = ((EMPLOYEE, 0.4), (MANAGER, 0.2), (HR, 0.2), (API, 0.2))
# The step choices that take each branch of a role's step once (see `VirtualPerson.*_step`).
TOUR = {
    EMPLOYEE: (0.1, 0.5, 0.7, 0.9),
    MANAGER: (0.1, 0.3, 0.5, 0.6, 0.8, 0.9),
    HR: (0.1, 0.25, 0.35, 0.45, 0.55, 0.6, 0.67, 0.8, 0.9),
    API: (0.1, 0.3, 0.5, 0.7, 0.9),
}
ANSWER_LINK = re.compile(r'href="/clarification/answers/(\d+)/"')
REVIEW_LINK = re.compile(r'href="/clarification/answers/(\d+)/review/"')
CELL_LINK = re.compile(r'href="(/gaps/units/\d+/people/\?competence=\d+)"')
UNIT_LINK = re.compile(r'href="/gaps/units/(\d+)/"')
PERSON_LINK = re.compile(r'href="(/gaps/people/\d+/)"')
EMPLOYEE_LINK = re.compile(r'href="(/organisation/employees/\d+/)"')
CAMPAIGN_LINK = re.compile(r'href="/clarification/campaigns/(\d+)/"')
VERSION_INPUT = re.compile(r'name="version" value="(-?\d+)"')
LEVEL_INPUT = re.compile(r'name="level_(\d+)"[^>]*value="([^"]*)"')
ANSWER_TEXT = re.compile(r'name="(answer_\d+)"')
WISH_INPUT = re.compile(r'name="wishes" value="(\d+)"')


@dataclass(frozen=True)
class Person:
    """A virtual person: a role, a login, and (for API clients) a token."""

    role: str
    username: str
    token: str = ""


def role_counts(users: int) -> dict[str, int]:
    """How many of `users` people have each role (MIX, at least one each when there are four)."""
    counts = {role: int(users * share) for role, share in MIX}
    for role, _share in MIX:  # hand out what rounding left over, employees first
        if sum(counts.values()) >= users:
            break
        counts[role] += 1
    if users >= len(MIX):
        for role in counts:
            if counts[role] == 0:
                largest = max(counts, key=lambda name: counts[name])
                counts[largest] -= 1
                counts[role] = 1
    return counts


# --- The data ---------------------------------------------------------------------------------------


def seed(*, users: int, employees: int = 400, password: str = LOAD_PASSWORD) -> list[Person]:
    """Build the demo municipality in the configured (empty) database, then `seed_people`."""
    from django.core.management import call_command

    call_command("demo", employees=employees, seed=1, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return seed_people(users=users, password=password)


def seed_people(*, users: int, password: str = LOAD_PASSWORD) -> list[Person]:
    """A login for each virtual person, in a database with the demo municipality: employees with an
    assessment in the open campaign, unit managers, HR consultants for the whole municipality, and
    API clients (HR consultants with a read token). Passwords are hashed with Argon2 whatever the
    settings say, so the server with the production settings accepts them."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from kapabel.assessments.models import Assessment, Campaign
    from kapabel.core import tokens
    from kapabel.core.models import Municipality, PersonalAccessToken, Role, User
    from kapabel.organisation import services
    from kapabel.organisation.demo import DEMO_KOMMUNEKODE
    from kapabel.organisation.models import Employee

    municipality = Municipality.objects.get(kommunekode=DEMO_KOMMUNEKODE)
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode(password, hasher.salt())  # one hash for all: a throwaway database
    counts = role_counts(users)

    def new_user(name: str) -> User:
        user = User(username=name, first_name=name, password=encoded)
        user.save()
        return user

    people: list[Person] = []
    participants = (
        Employee.objects.filter(
            municipality=municipality,
            user__isnull=True,
            managed_units__isnull=True,
            assessments__campaign__kind=Campaign.Kind.INDIVIDUAL,
            assessments__campaign__status=Campaign.Status.OPEN,
            assessments__status=Assessment.Status.PENDING,
        )
        .distinct()
        .order_by("pk")
    )
    for number, employee in enumerate(participants[: counts[EMPLOYEE]]):
        user = new_user(f"soak-employee-{number:02d}")
        services.employee_link_user(employee=employee, user=user, actor="soak")
        people.append(Person(EMPLOYEE, user.username))
    managers = list(
        Employee.objects.filter(municipality=municipality, managed_units__isnull=False, user__isnull=True)
        .distinct()
        .order_by("pk")
    )
    for number in range(counts[MANAGER]):
        if number < len(managers):
            user = new_user(f"soak-manager-{number:02d}")
            services.employee_link_user(employee=managers[number], user=user, actor="soak")
            people.append(Person(MANAGER, user.username))
        else:  # more managers than the demo has: several sessions of one login
            people.append(Person(MANAGER, people[-1].username))
    for number in range(counts[HR]):
        user = new_user(f"soak-hr-{number:02d}")
        services.role_grant(user=user, role=Role.HR, municipality=municipality, actor="soak")
        people.append(Person(HR, user.username))
    for number in range(counts[API]):
        user = new_user(f"soak-api-{number:02d}")
        services.role_grant(user=user, role=Role.HR, municipality=municipality, actor="soak")
        _token, raw = tokens.token_create(
            user=user, name="soak", scope=PersonalAccessToken.Scope.READ, actor="soak"
        )
        people.append(Person(API, user.username, raw))
    missing = users - len(people)
    if missing:  # a small demo has fewer open assessments than employees asked for
        raise RuntimeError(f"The demo has too few participants for {users} people ({missing} short).")
    return people


# --- The people -------------------------------------------------------------------------------------


class Stop(Exception):
    """The run is over (time or request budget)."""


@dataclass
class Budget:
    """Shared by all people: the deadline and the number of requests left."""

    deadline: float
    requests: int
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, touring: bool = False) -> None:
        """One request more, or Stop. A person on their tour finishes it past the deadline."""
        with self.lock:
            if self.requests <= 0 or (time.monotonic() >= self.deadline and not touring):
                raise Stop
            self.requests -= 1


class VirtualPerson:
    """One person with a browser session (or a token), working through their role's steps."""

    def __init__(
        self, base_url: str, person: Person, budget: Budget, rng: random.Random, think: float
    ) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.person, self.budget, self.rng, self.think_mean = person, budget, rng, think
        self.cookies: dict[str, str] = {}
        self.samples: list[Sample] = []
        self.links: dict[str, list[str]] = defaultdict(list)
        self.touring = False

    # The plumbing.

    def think(self) -> None:
        if self.think_mean > 0:
            pause = self.rng.uniform(0.2, 1.8) * self.think_mean
            if not self.touring:
                pause = min(pause, self.budget.deadline - time.monotonic())
            time.sleep(max(0.0, pause))

    def call(
        self,
        label: str,
        path: str,
        *,
        method: str = "GET",
        expect: Sequence[int] = (200,),
        form: dict[str, Any] | list[tuple[str, Any]] | None = None,
    ) -> str:
        self.budget.take(self.touring)
        headers = {"Accept-Language": "da"}
        body = None
        if self.person.token and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.person.token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        started = time.perf_counter()
        try:
            status, response_headers, content = request(
                self.host, self.port, method, path, body=body, headers=headers, timeout=60
            )
        except OSError as exc:
            self.samples.append(Sample(label, False, 0, time.perf_counter() - started, repr(exc)))
            return ""
        seconds = time.perf_counter() - started
        for cookie in response_headers.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        ok = status in expect
        detail = "" if ok else f"{method} {path.split('?')[0]} -> {status}"
        if status >= 500:
            detail += f": {content[:200].decode(errors='replace')}"
        self.samples.append(Sample(label, ok, status, seconds, detail))
        return content.decode(errors="replace") if ok else ""

    def pick(self, kind: str) -> str | None:
        found = self.links.get(kind)
        return self.rng.choice(found) if found else None

    def learn(self, kind: str, pattern: re.Pattern[str], page: str, template: str = "{}") -> None:
        found = sorted({template.format(match) for match in pattern.findall(page)})
        if found:
            self.links[kind] = found

    # The steps.

    def login(self) -> None:
        self.cookies = {}
        page = self.call("login page", "/account/login/")
        match = CSRF_INPUT.search(page)
        if match is None:
            return
        form = {"username": self.person.username, "password": LOAD_PASSWORD, "csrfmiddlewaretoken": match[1]}
        self.call("login", "/account/login/", method="POST", expect=(302,), form=form)

    def start(self) -> None:
        """Log in and find the person's own links (assessments, unit, campaign)."""
        if self.person.role == API:
            return
        self.login()
        self.think()
        home = self.call("home", "/")
        self.learn("answer", ANSWER_LINK, home, "/clarification/answers/{}/")
        self.learn("campaign", CAMPAIGN_LINK, home, "/clarification/campaigns/{}/")
        if self.person.role == EMPLOYEE:
            mine = self.call("my assessments", "/clarification/mine/")
            self.learn("answer", ANSWER_LINK, mine, "/clarification/answers/{}/")
        elif self.person.role == MANAGER:
            gaps = self.call("team heatmap", "/gaps/")
            self.learn("unit", UNIT_LINK, gaps, "/gaps/units/{}/")
            self.learn("cell", CELL_LINK, gaps)
        elif self.person.role == HR:
            gaps = self.call("heatmap", "/gaps/")
            self.learn("unit", UNIT_LINK, gaps, "/gaps/units/{}/")
            self.learn("cell", CELL_LINK, gaps)
            campaigns = self.call("campaigns", "/clarification/campaigns/")
            self.learn("campaign", CAMPAIGN_LINK, campaigns, "/clarification/campaigns/{}/")

    def fill_in(self) -> None:
        """Open one's own form and save a draft with new answers."""
        path = self.pick("answer")
        if path is None:
            self.call("home", "/")
            return
        page = self.call("assessment form", path)
        version, csrf = VERSION_INPUT.search(page), CSRF_INPUT.search(page)
        if version is None or csrf is None or " disabled" in page.split('name="version"', 1)[-1][:4000]:
            return  # read-only (submitted, closed): nothing to save
        levels: dict[str, list[str]] = defaultdict(list)
        for competence, value in LEVEL_INPUT.findall(page):
            levels[competence].append(value)
        form: list[tuple[str, Any]] = [
            ("csrfmiddlewaretoken", csrf[1]),
            ("version", version[1]),
            ("action", "save"),
        ]
        form += [(f"level_{competence}", self.rng.choice(values)) for competence, values in levels.items()]
        form += [(name, "Mere tid til kurser") for name in ANSWER_TEXT.findall(page)]
        wishes = WISH_INPUT.findall(page)
        form += [("wishes", wish) for wish in self.rng.sample(wishes, min(2, len(wishes)))]
        self.think()
        self.call("save draft", path, method="POST", expect=(302,), form=form)

    def employee_step(self, choice: float | None = None) -> None:
        choice = self.rng.random() if choice is None else choice
        if choice < 0.45:
            self.fill_in()
        elif choice < 0.65:
            self.call("my assessments", "/clarification/mine/")
        elif choice < 0.85:
            self.call("my gap profile", "/gaps/me/")
        else:
            self.call("home", "/")

    def manager_step(self, choice: float | None = None) -> None:
        choice = self.rng.random() if choice is None else choice
        unit = self.pick("unit")
        if choice < 0.25 or unit is None:
            page = self.call("team heatmap", unit or "/gaps/")
            self.learn("cell", CELL_LINK, page)
        elif choice < 0.45 and self.pick("cell"):
            page = self.call("heatmap cell", self.pick("cell") or "")
            self.learn("person", PERSON_LINK, page)
        elif choice < 0.55 and self.pick("person"):
            self.call("person profile", self.pick("person") or "")
        elif choice < 0.7:
            unit_id = unit.rstrip("/").rsplit("/", 1)[-1]
            page = self.call("unit page", f"/organisation/units/{unit_id}/")
            self.learn("employee", EMPLOYEE_LINK, page)
        elif choice < 0.85 and self.pick("campaign"):
            page = self.call("campaign progress", self.pick("campaign") or "")
            self.learn("review", REVIEW_LINK, page, "/clarification/answers/{}/review/")
        elif self.pick("review"):
            self.call("review page", self.pick("review") or "")
        else:
            self.call("home", "/")

    def hr_step(self, choice: float | None = None) -> None:
        choice = self.rng.random() if choice is None else choice
        unit = self.pick("unit")
        if choice < 0.2:
            self.call("heatmap", "/gaps/")
        elif choice < 0.3 and unit:
            page = self.call("unit heatmap", unit)
            self.learn("cell", CELL_LINK, page)
        elif choice < 0.4 and self.pick("cell"):
            self.call("heatmap cell", self.pick("cell") or "")
        elif choice < 0.5:
            self.call("priorities", "/gaps/priorities/")
        elif choice < 0.57 and unit:
            self.call("trend", f"{unit}trend/")
        elif choice < 0.64:
            self.call("export heatmap xlsx", "/gaps/?export=xlsx")
        elif choice < 0.7:
            self.call("export priorities csv", "/gaps/priorities/?export=csv")
        elif choice < 0.85:
            self.call("employee list", f"/organisation/employees/?page={self.rng.randint(1, 8)}")
        elif self.pick("campaign"):
            self.call("campaign progress", self.pick("campaign") or "")
        else:
            self.call("home", "/")

    def api_step(self, choice: float | None = None) -> None:
        """Page through one collection to its end (as a sync job does), or read the heatmap."""
        collections = ["employees", "ratings", "assessments", "units", "heatmap"]
        collection = self.rng.choice(collections) if choice is None else collections[int(choice * 5)]
        if collection == "heatmap":
            self.call("api heatmap", "/api/v1/gaps/heatmap")
            return
        page = 1
        while page <= 10:
            text = self.call(f"api {collection}", f"/api/v1/{collection}?page={page}")
            if not text:
                return
            data = json.loads(text)
            if page * 50 >= data.get("count", 0):
                return
            page += 1
            self.think()

    def run(self, start_at: float, tour: bool = False) -> None:
        steps: dict[str, Callable[[float | None], None]] = {
            EMPLOYEE: self.employee_step,
            MANAGER: self.manager_step,
            HR: self.hr_step,
            API: self.api_step,
        }
        step = steps[self.person.role]
        time.sleep(max(0.0, start_at - time.monotonic()))
        try:
            self.touring = tour
            self.start()
            if tour:  # every step of the role once, in order (short runs that must cover them all)
                for choice in TOUR[self.person.role]:
                    self.think()
                    step(choice)
            self.touring = False
            while True:
                self.think()
                step(None)
        except Stop:
            return


@dataclass
class SoakResult:
    users: int
    wall_seconds: float
    samples: list[Sample]

    @property
    def errors(self) -> list[Sample]:
        return [sample for sample in self.samples if not sample.ok]

    def ms(self, pct: float, samples: Sequence[Sample] | None = None) -> float:
        chosen = self.samples if samples is None else samples
        return percentile(chosen, pct) * 1000 if chosen else 0.0

    def table(self) -> str:
        by_label: dict[str, list[Sample]] = defaultdict(list)
        for sample in self.samples:
            by_label[sample.kind].append(sample)
        lines = [
            f"{self.users} people, {len(self.samples)} requests in {self.wall_seconds:.0f} s "
            f"({len(self.samples) / max(self.wall_seconds, 0.001):.1f} req/s)",
            f"  {'step':<24} {'n':>6} {'errors':>6} {'p50_ms':>7} {'p95_ms':>7} {'p99_ms':>7} {'max_ms':>7}",
        ]
        for label, samples in sorted(by_label.items(), key=lambda item: -percentile(item[1], 95)):
            lines.append(
                f"  {label:<24} {len(samples):>6} {sum(not s.ok for s in samples):>6} "
                f"{self.ms(50, samples):>7.0f} {self.ms(95, samples):>7.0f} {self.ms(99, samples):>7.0f} "
                f"{max(s.seconds for s in samples) * 1000:>7.0f}"
            )
        details = sorted({sample.detail for sample in self.errors})
        lines += [f"  error: {detail}" for detail in details[:10]]
        return "\n".join(lines)

    def result_line(self) -> str:
        return (
            f"RESULT p50_ms={self.ms(50):.0f} p95_ms={self.ms(95):.0f} p99_ms={self.ms(99):.0f} "
            f"errors={len(self.errors)} requests={len(self.samples)}"
        )


def run_soak(
    base_url: str,
    people: Sequence[Person],
    *,
    duration: float,
    max_requests: int,
    think: float,
    ramp_up: float,
    seed: int = 1,
    tour: bool = False,
) -> SoakResult:
    """All people at once (their logins spread over `ramp_up` seconds) until `duration` seconds or
    `max_requests` requests have passed. `tour`: each person first logs in and takes every step of
    their role once, even past `duration` (for short runs that must cover them all)."""
    started = time.monotonic()
    budget = Budget(deadline=started + duration, requests=max_requests)
    crowd = [
        VirtualPerson(base_url, person, budget, random.Random(seed * 1000 + number), think)
        for number, person in enumerate(people)
    ]
    threads = [
        threading.Thread(
            target=virtual.run,
            args=(started + ramp_up * number / max(1, len(crowd)), tour),
            daemon=True,
        )
        for number, virtual in enumerate(crowd)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    samples = [sample for virtual in crowd for sample in virtual.samples]
    return SoakResult(users=len(people), wall_seconds=time.monotonic() - started, samples=samples)


# --- Command line -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="virtual people at once (default 50)")
    parser.add_argument("--duration", type=float, default=600, help="seconds (default 600: 10 minutes)")
    parser.add_argument("--requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--think", type=float, default=1.75, help="mean pause between steps, seconds")
    parser.add_argument("--ramp-up", type=float, default=20, help="seconds over which people log in")
    parser.add_argument("--employees", type=int, default=400, help="size of the demo municipality")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database to use (default: a throwaway cluster)"
    )
    args = parser.parse_args(argv)

    from kapabel.testing.pgcluster import running_cluster

    with tempfile.TemporaryDirectory(prefix="kapabel-soak-") as workdir:
        if args.database_url:
            return _soak(args, args.database_url, Path(workdir))
        with running_cluster() as url:
            return _soak(args, url, Path(workdir))


def _soak(args: argparse.Namespace, database_url: str, workdir: Path) -> int:
    os.environ.update(DATABASE_URL=database_url, KAPABEL_VAR_DIR=str(workdir), LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapabel.settings")
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    people = seed(users=args.users, employees=args.employees)
    connection.close()
    print(
        f"Database: {connection.vendor}, demo with {args.employees} employees, built in "
        f"{time.perf_counter() - started:.0f} s; gunicorn {args.workers} workers x {args.threads} threads; "
        f"{args.users} people ({', '.join(f'{n} {r}' for r, n in role_counts(args.users).items())}), "
        f"mean pause {args.think:g} s; {args.duration:g} s or {args.requests} requests",
        flush=True,
    )
    with app_server(
        database_url=database_url,
        var_dir=workdir,
        workers=args.workers,
        threads=args.threads,
        production=True,
    ) as base_url:
        result = run_soak(
            base_url,
            people,
            duration=args.duration,
            max_requests=args.requests,
            think=args.think,
            ramp_up=min(args.ramp_up, args.duration / 4),
        )
    print(result.table())
    print(result.result_line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
