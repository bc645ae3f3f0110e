"""Issue 15 #8 and #11 on the real server: gunicorn with the production settings on a copy of the demo.

- The smoke version of the soak (bench/load.py runs it for 10 minutes with 50 people): 20 people
  take every step of their role once, then go on for 20 seconds with short pauses, and not one
  request fails. Marker `load`.
- A realistic run for the logs: people of every role log in and work (forms, heatmaps, exports, API
  pages), a login fails, a token is wrong, HR and framework imports and a gap rebuild run from the
  command line — everything at log level INFO; the server's and the commands' logs then hold none of
  the demo's names or e-mail addresses, no token, password or session id.
"""

from __future__ import annotations

import json

import pytest

from kapabel.testing import loadtest, soak
from tests.logscan import LogScan
from tests.ops.conftest import DEMO_KOMMUNEKODE, Database
from tests.ops.test_kill import framework_csv, hr_import


def _people(database: Database, users: int) -> list[soak.Person]:
    out = database.shell(
        "import dataclasses, json; from kapabel.testing import soak; "
        f"print(json.dumps([dataclasses.asdict(p) for p in soak.seed_people(users={users})]))"
    )
    return [soak.Person(**person) for person in json.loads(out.splitlines()[-1])]


@pytest.mark.load
def test_twenty_people_for_twenty_seconds_without_an_error(demo_db):
    people = _people(demo_db, 20)
    with loadtest.app_server(
        database_url=demo_db.url, var_dir=demo_db.var_dir, workers=2, threads=2, production=True
    ) as base_url:
        result = soak.run_soak(
            base_url, people, duration=20, max_requests=5000, think=0.2, ramp_up=2, tour=True
        )
    print(result.table())
    print(result.result_line())
    assert not result.errors, result.table()
    labels = {sample.kind for sample in result.samples}
    assert {"save draft", "team heatmap", "export heatmap xlsx", "review page", "api ratings"} <= labels
    api_clients = sum(person.role == soak.API for person in people)
    assert sum(sample.kind == "login" for sample in result.samples) == 20 - api_clients  # they use tokens


def test_a_realistic_run_logs_no_personal_data_or_secrets(demo_db):
    people = _people(demo_db, 8)
    with loadtest.app_server(
        database_url=demo_db.url, var_dir=demo_db.var_dir, workers=2, production=True, log_level="INFO"
    ) as base_url:
        result = soak.run_soak(base_url, people, duration=30, max_requests=400, think=0, ramp_up=1, tour=True)
        assert {sample.kind for sample in result.samples} >= {"login", "save draft", "export heatmap xlsx"}
        host, port = base_url.removeprefix("http://").split(":")
        # A failed login, a wrong token, a search for a person.
        loadtest.request(
            host,
            int(port),
            "POST",
            "/account/login/",
            body=b"username=hr&password=wrong-password",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        loadtest.request(
            host,
            int(port),
            "GET",
            "/api/v1/employees",
            headers={"Authorization": "Bearer kap_wrongwrongwrongwrong"},
        )
    server_log = (demo_db.var_dir / "server.log").read_text()
    assert '"logger": "kapabel.request"' in server_log  # the log was written, at INFO

    commands = [
        demo_db.kapabel(*hr_import(demo_db), LOG_LEVEL="INFO"),
        demo_db.kapabel(*framework_csv(demo_db), LOG_LEVEL="INFO"),
        demo_db.kapabel("gap-rebuild", "--municipality", DEMO_KOMMUNEKODE, LOG_LEVEL="INFO"),
        demo_db.kapabel("watchdog", LOG_LEVEL="INFO"),
    ]
    logs = server_log + "".join(done.stderr for done in commands)

    scanner = LogScan()
    known = json.loads(
        demo_db.shell(
            "import json; from kapabel.organisation.models import Employee; "
            "from kapabel.core.models import User; "
            "print(json.dumps({'names': list(Employee.objects.values_list('name', flat=True)) + "
            "[u.get_full_name() for u in User.objects.all()], "
            "'emails': list(Employee.objects.exclude(email='').values_list('email', flat=True)) + "
            "list(User.objects.exclude(email='').values_list('email', flat=True))}))"
        ).splitlines()[-1]
    )
    for name in known["names"]:
        scanner.add_name(name)
    assert len(scanner.names) > 50 and len(known["emails"]) > 50
    tokens = [person.token for person in people if person.token]
    assert tokens
    findings = scanner.scan(logs)
    findings += [f"e-mail {email}" for email in known["emails"] if email in logs]
    findings += [f"token {token[:8]}…" for token in tokens if token in logs]
    assert not findings, sorted(set(findings))[:20]
