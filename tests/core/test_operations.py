import json
import logging
import os
import subprocess
import sys

import pytest
from django.db import connection

from kapabel.core.logs import JsonFormatter


def test_healthz_and_readyz(db, client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}


def test_readyz_reports_an_unreachable_database(db, client, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise connection.Database.OperationalError("down")

    monkeypatch.setattr("kapabel.core.views.connection", Unreachable())
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


def test_friendly_404_page_in_danish(db, client):
    response = client.get("/findes-ikke/", HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 404
    assert "Vi kan ikke finde siden" in response.content.decode()


def test_security_headers(db, client):
    response = client.get("/account/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


def test_logs_are_json_lines():
    record = logging.LogRecord("kapabel.x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.request_id = "abc"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello world" and line["request_id"] == "abc" and line["level"] == "INFO"


def run_kapabel(*args, env_extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-P", "-m", "kapabel", *args], capture_output=True, text=True, env=env
    )


def test_production_requires_a_secret_key(tmp_path):
    result = run_kapabel("check", env_extra={"KAPABEL_ENV": "production", "KAPABEL_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "database_url",
    ["", "postgresql://kapabel:secret@db.example.dk:5432/kapabel"],
    ids=["sqlite", "postgresql"],
)
def test_production_settings_pass_the_deploy_check(tmp_path, database_url):
    """`kapabel check --deploy` is clean with the production settings (issue 15 #11: keep it so)."""
    result = run_kapabel(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "KAPABEL_ENV": "production",
            "KAPABEL_VAR_DIR": str(tmp_path),
            "ALLOWED_HOSTS": "kapabel.example.dk",
            "CSRF_TRUSTED_ORIGINS": "https://kapabel.example.dk",
            "SECRET_KEY": "x" * 60 + "-unpredictable-Secret-9f8e7d6c5b4a",
            **({"DATABASE_URL": database_url} if database_url else {}),
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_development_secret_key_is_generated_once(tmp_path):
    env = {"KAPABEL_VAR_DIR": str(tmp_path)}
    assert run_kapabel("check", env_extra=env).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert run_kapabel("check", env_extra=env).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key and len(key) > 40
