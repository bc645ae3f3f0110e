"""Issue 15 #10: the database goes away under a running application and comes back.

In the test process (both databases): a request that finds the database unreachable gets the
friendly 503 page in the user's language (the API a 503 problem+json), never a traceback. For real
(PostgreSQL, KAPABEL_TEST_POSTGRES=1): gunicorn serves a throwaway cluster of its own; the cluster is
stopped, the pages answer 503 and /readyz says 503; the cluster is started again, and the same
application (no restart, the same workers) serves the same session again."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse

from kapabel.testing import loadtest
from kapabel.testing.pgcluster import started_cluster
from tests.ops.conftest import Database, suite_vendor

DANISH = "Kapabel er ikke tilgængelig lige nu"
ENGLISH = "Kapabel is unavailable right now"


def _database_gone(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def _assert_friendly(response, text: str) -> None:
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert text in body
    assert "Traceback" not in body and "OperationalError" not in body and "5432" not in body


def test_a_page_that_finds_the_database_gone_answers_503_in_the_users_language(world, client, monkeypatch):
    client.force_login(world.user("hr"))
    monkeypatch.setattr(SessionStore, "load", _database_gone)
    _assert_friendly(client.get("/gaps/", HTTP_ACCEPT_LANGUAGE="da"), DANISH)
    _assert_friendly(client.get("/gaps/", HTTP_ACCEPT_LANGUAGE="en"), ENGLISH)
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503 and response["Content-Type"] == "application/problem+json"
    assert "database" in response.json()["title"] and "5432" not in response.content.decode()


class FailingMiddleware:
    """Stands for a middleware that needs the database (the session's save, say)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _database_gone()
        return self.get_response(request)


def test_a_middleware_that_finds_the_database_gone_gives_the_same_page(db, client, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.ops.test_outage.FailingMiddleware"]
    client.raise_request_exception = False
    _assert_friendly(client.get("/tilgaengelighed/", HTTP_ACCEPT_LANGUAGE="da"), DANISH)


def test_other_errors_keep_the_500_page(db, client, settings, monkeypatch):
    monkeypatch.setattr(FailingMiddleware, "__call__", lambda self, request: 1 / 0)
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.ops.test_outage.FailingMiddleware"]
    client.raise_request_exception = False
    response = client.get("/tilgaengelighed/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500 and "Something went wrong on our side" in response.content.decode()


# --- For real, on PostgreSQL --------------------------------------------------------------------------


class Browser:
    """A person's browser: cookies, and the answer to each request."""

    def __init__(self, base_url: str) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, form: dict[str, str] | None = None, language: str = "da"):
        headers = {"Accept-Language": language}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, content = loadtest.request(
            self.host, self.port, method, path, body=body, headers=headers, timeout=30
        )
        for cookie in response_headers.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, response_headers, content.decode(errors="replace")

    def login(self, username: str, password: str) -> None:
        _, _, page = self.request("GET", "/account/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token
        status, _, _ = self.request(
            "POST",
            "/account/login/",
            form={"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        )
        assert status == 302


@pytest.mark.postgres
def test_the_application_survives_the_database_going_away_and_coming_back(demo_db, tmp_path):
    if suite_vendor() != "postgresql":
        pytest.skip("stops a PostgreSQL cluster (KAPABEL_TEST_POSTGRES=1)")
    backup = tmp_path / "demo.backup"
    demo_db.kapabel("backup", str(backup))
    with started_cluster() as cluster:
        own = Database(cluster.url, tmp_path / "app")
        own.var_dir.mkdir()
        own.kapabel("restore", "--noinput", str(backup))
        with loadtest.app_server(
            database_url=cluster.url,
            var_dir=own.var_dir,
            workers=2,
            production=True,
            gunicorn_log_level="info",
        ) as base_url:
            browser = Browser(base_url)
            browser.login("hr", "kapabel-demo")
            assert browser.request("GET", "/readyz")[0] == 200
            assert browser.request("GET", "/gaps/")[0] == 200

            cluster.stop()
            for _ in range(4):  # both workers, with the connections they kept
                status, headers, body = browser.request("GET", "/gaps/")
                assert status == 503 and DANISH in body and "Traceback" not in body, (status, body[:500])
                assert headers["retry-after"] == ["30"]
                status, _, body = browser.request("GET", "/gaps/", language="en")
                assert status == 503 and ENGLISH in body
                status, _, body = browser.request("GET", "/readyz")
                assert status == 503 and '"unavailable"' in body

            cluster.start()
            for _ in range(6):
                assert browser.request("GET", "/readyz")[0] == 200
                status, _, body = browser.request("GET", "/gaps/")
                assert status == 200, body[:500]  # the same session: the data survived
        log = (own.var_dir / "server.log").read_text()
    assert log.count("Booting worker") == 2, log  # no worker was restarted
