"""Drive a real Kapabel server (gunicorn, as in production) with concurrent clients.

    python -m kapabel.testing.loadtest                       # temporary SQLite file, 5..40 clients
    python -m kapabel.testing.loadtest --clients 20 --requests 30 --write-share 0.3
    python -m kapabel.testing.pgcluster -- python -m kapabel.testing.loadtest   # the same on PostgreSQL

Used by the SQLite load test (tests/core/test_load.py) and to measure when a municipality should move
from the embedded SQLite database to PostgreSQL (docs/operations.md). Each client is one person: it
logs in through the login form, then reads pages and the API and writes (a new login, or a change of an
employee's job role through the API with a write token). A write that fails (a 5xx, a refused login, a
dropped connection) is counted; the figures are printed per kind of request.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOAD_PASSWORD = "load-test-Password-2718"  # noqa: S105 - a throwaway database's test users
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WRITE_KINDS = ("login", "api_write")


@dataclass(frozen=True)
class LoadUser:
    username: str
    token: str


@dataclass(frozen=True)
class LoadData:
    """What the clients work on: their logins and tokens, and employees and job roles to change."""

    users: list[LoadUser]
    employee_ids: list[int]
    job_role_ids: list[int]


@dataclass(frozen=True)
class Sample:
    kind: str  # "read", "login" or "api_write"
    ok: bool
    status: int  # 0 when the request did not get an answer
    seconds: float
    detail: str = ""


@dataclass
class LoadResult:
    clients: int
    wall_seconds: float
    samples: list[Sample] = field(default_factory=list)

    def of(self, *kinds: str) -> list[Sample]:
        return [sample for sample in self.samples if sample.kind in kinds]

    @property
    def writes(self) -> list[Sample]:
        return self.of(*WRITE_KINDS)

    @property
    def failed_writes(self) -> list[Sample]:
        return [sample for sample in self.writes if not sample.ok]

    @property
    def server_errors(self) -> list[Sample]:
        return [sample for sample in self.samples if sample.status >= 500 or sample.status == 0]

    def summary(self) -> str:
        lines = [
            f"{self.clients} clients, {len(self.samples)} requests in {self.wall_seconds:.1f} s "
            f"({len(self.samples) / self.wall_seconds:.1f} req/s, "
            f"{len(self.writes) / self.wall_seconds:.1f} writes/s)"
        ]
        for label, samples in (
            ("read", self.of("read")),
            ("write", self.writes),
            ("  login", self.of("login")),
            ("  api_write", self.of("api_write")),
        ):
            if samples:
                failed = sum(not sample.ok for sample in samples)
                lines.append(
                    f"  {label:<11} n={len(samples):<5} failed={failed:<4} "
                    f"p50={percentile(samples, 50):.3f}s p95={percentile(samples, 95):.3f}s "
                    f"max={max(sample.seconds for sample in samples):.3f}s"
                )
        details = sorted({sample.detail for sample in self.samples if not sample.ok})
        lines += [f"  failure: {detail}" for detail in details[:5]]
        return "\n".join(lines)


def percentile(samples: Sequence[Sample], pct: float) -> float:
    ordered = sorted(sample.seconds for sample in samples)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- The data -------------------------------------------------------------------------------------


def seed(*, clients: int, employees: int = 50, password: str = LOAD_PASSWORD) -> LoadData:
    """Build the demo municipality in the configured (empty) database, plus one municipality
    administrator with a write token per client. Passwords are hashed with Argon2 whatever the
    settings say, so a server with the production settings accepts them."""
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.core.management import call_command

    from kapabel.core import tokens
    from kapabel.core.models import Municipality, PersonalAccessToken, Role, User
    from kapabel.organisation import services
    from kapabel.organisation.demo import DEMO_KOMMUNEKODE
    from kapabel.organisation.models import Employee, JobRole

    call_command("demo", employees=employees, seed=1, stdout=open(os.devnull, "w"))  # noqa: SIM115
    municipality = Municipality.objects.get(kommunekode=DEMO_KOMMUNEKODE)
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode(password, hasher.salt())  # one hash for all: a throwaway database
    users = []
    for number in range(clients):
        user = User(username=f"load{number:03d}", first_name=f"Load {number}", password=encoded)
        user.save()
        services.role_grant(user=user, role=Role.MUNICIPALITY_ADMIN, municipality=municipality, actor="load")
        _token, raw = tokens.token_create(
            user=user, name="load test", scope=PersonalAccessToken.Scope.WRITE, actor="load"
        )
        users.append(LoadUser(user.username, raw))
    return LoadData(
        users=users,
        employee_ids=list(Employee.objects.filter(municipality=municipality).values_list("pk", flat=True)),
        job_role_ids=list(JobRole.objects.filter(municipality=municipality).values_list("pk", flat=True)),
    )


# --- The server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def app_server(
    *,
    database_url: str,
    var_dir: Path,
    workers: int = 4,
    threads: int = 1,
    startup_timeout: float = 30,
    production: bool = False,
    log_level: str = "WARNING",
    gunicorn_log_level: str = "warning",
) -> Iterator[str]:
    """Run gunicorn with Kapabel's production command line on a free loopback port; yield its URL.
    `production`: with `KAPABEL_ENV=production` (collected, hashed static files; plain HTTP on
    loopback, so no redirect to HTTPS). The server's log is `var_dir/server.log`."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "KAPABEL_ENV")
    }
    env.update(
        DATABASE_URL=database_url,
        KAPABEL_VAR_DIR=str(var_dir),
        SECRET_KEY=secrets.token_urlsafe(50),
        LOG_LEVEL=log_level,
    )
    if production:
        env.update(KAPABEL_ENV="production", SECURE_SSL_REDIRECT="false", ALLOWED_HOSTS="127.0.0.1")
        subprocess.run(
            [sys.executable, "-m", "kapabel", "collectstatic", "--noinput", "-v0"],
            env=env,
            check=True,
        )
    log = open(var_dir / "server.log", "w")  # noqa: SIM115 - closed below
    command = [sys.executable, "-m", "gunicorn", "kapabel.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--log-level", gunicorn_log_level]
    if threads > 1:
        command += ["--threads", str(threads)]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {(var_dir / 'server.log').read_text()[-2000:]}")
            try:
                if request("127.0.0.1", port, "GET", "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz in time")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@contextlib.contextmanager
def sqlite_write_lock_held(path: str | Path, seconds: float) -> Iterator[threading.Thread]:
    """What a long background job does (an HR import, a gap rebuild): take SQLite's write lock and
    keep it for `seconds`, in a thread. Returns once the lock is taken; waits for the release on exit."""
    taken = threading.Event()

    def job() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            taken.set()
            time.sleep(seconds)
            connection.execute("COMMIT")
        finally:
            taken.set()
            connection.close()

    thread = threading.Thread(target=job, daemon=True)
    thread.start()
    taken.wait()
    try:
        yield thread
    finally:
        thread.join()


# --- The clients ----------------------------------------------------------------------------------


def request(
    host: str, port: int, method: str, path: str, *, body: bytes | None = None, headers=None, timeout=60.0
) -> tuple[int, dict[str, list[str]], bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        found: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            found.setdefault(name.lower(), []).append(value)
        return response.status, found, content
    finally:
        connection.close()


class Client:
    """One person with a browser session and an API token."""

    def __init__(self, base_url: str, user: LoadUser, data: LoadData, rng: random.Random) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.user, self.data, self.rng = user, data, rng
        self.cookies: dict[str, str] = {}
        self.samples: list[Sample] = []

    def _call(self, kind: str, method: str, path: str, expect: int, **kwargs: Any) -> bytes:
        headers = dict(kwargs.pop("headers", {}))
        if self.cookies and "Authorization" not in headers:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        started = time.perf_counter()
        try:
            status, response_headers, content = request(
                self.host, self.port, method, path, headers=headers, **kwargs
            )
        except OSError as exc:
            self.samples.append(Sample(kind, False, 0, time.perf_counter() - started, repr(exc)))
            return b""
        seconds = time.perf_counter() - started
        for cookie in response_headers.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        detail = "" if status == expect else f"{method} {path.split('?')[0]} -> {status}"
        if status >= 500:
            detail += f": {content[:200].decode(errors='replace')}"
        self.samples.append(Sample(kind, status == expect, status, seconds, detail))
        return content

    def login(self) -> None:
        self.cookies = {}
        page = self._call("read", "GET", "/account/login/", 200)
        match = CSRF_INPUT.search(page.decode(errors="replace"))
        if match is None:
            return
        form = urllib.parse.urlencode(
            {"username": self.user.username, "password": LOAD_PASSWORD, "csrfmiddlewaretoken": match[1]}
        )
        self._call(
            "login",
            "POST",
            "/account/login/",
            302,
            body=form.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def change_job_role(self) -> None:
        employee = self.rng.choice(self.data.employee_ids)
        body = json.dumps({"job_role_id": self.rng.choice(self.data.job_role_ids)}).encode()
        self._call(
            "api_write",
            "PATCH",
            f"/api/v1/employees/{employee}",
            200,
            body=body,
            headers={"Authorization": f"Bearer {self.user.token}", "Content-Type": "application/json"},
        )

    def read(self) -> None:
        choice = self.rng.randrange(3)
        if choice == 0:
            self._call("read", "GET", "/", 200)
        elif choice == 1:
            self._call("read", "GET", "/gaps/", 200)
        else:
            page = self.rng.randint(1, 2)
            auth = {"Authorization": f"Bearer {self.user.token}"}
            self._call("read", "GET", f"/api/v1/employees?page={page}", 200, headers=auth)

    def run(self, requests: int, write_share: float, login_share: float, start: threading.Barrier) -> None:
        start.wait()
        self.login()
        for _ in range(requests):
            if self.rng.random() < write_share:
                if self.rng.random() < login_share:
                    self.login()
                else:
                    self.change_job_role()
            else:
                self.read()


def run_load(
    base_url: str,
    data: LoadData,
    *,
    clients: int,
    requests: int,
    write_share: float = 0.3,
    login_share: float = 0.5,
    seed: int = 1,
) -> LoadResult:
    """`clients` people at once, each making `requests` requests (plus its first login); a share of
    them writes, and a share of the writes are new logins (the rest change an employee's job role)."""
    start = threading.Barrier(clients)
    people = [
        Client(base_url, data.users[number % len(data.users)], data, random.Random(seed * 1000 + number))
        for number in range(clients)
    ]
    threads = [
        threading.Thread(target=person.run, args=(requests, write_share, login_share, start), daemon=True)
        for person in people
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = LoadResult(clients=clients, wall_seconds=time.perf_counter() - started)
    for person in people:
        result.samples += person.samples
    return result


# --- Command line ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[5, 10, 20, 40])
    parser.add_argument("--requests", type=int, default=30, help="requests per client after its login")
    parser.add_argument("--write-share", type=float, default=0.3)
    parser.add_argument("--login-share", type=float, default=0.5, help="share of the writes that log in")
    parser.add_argument("--employees", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (the README says 4)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="kapabel-load-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'kapabel.sqlite3'}"
    os.environ.update(DATABASE_URL=database_url, KAPABEL_VAR_DIR=str(workdir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapabel.settings")
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    data = seed(clients=max(args.clients), employees=args.employees)
    connection.close()
    print(
        f"Database: {connection.vendor}; gunicorn {args.workers} workers x {args.threads} threads; "
        f"{args.requests} requests per client, {args.write_share:.0%} writes "
        f"({args.login_share:.0%} of them logins)",
        flush=True,
    )
    with app_server(
        database_url=database_url, var_dir=workdir, workers=args.workers, threads=args.threads
    ) as base_url:
        for clients in args.clients:
            result = run_load(
                base_url,
                data,
                clients=clients,
                requests=args.requests,
                write_share=args.write_share,
                login_share=args.login_share,
            )
            print(result.summary(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
