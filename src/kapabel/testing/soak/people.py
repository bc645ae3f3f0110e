"""A virtual person working through their role's steps over HTTP, as a browser (or an API client) does."""

from __future__ import annotations

import json
import random
import re
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kapabel.testing.loadtest import CSRF_INPUT, LOAD_PASSWORD, Sample, request
from kapabel.testing.soak.data import API, EMPLOYEE, HR, MANAGER, Person

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
