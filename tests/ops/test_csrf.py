"""Issue 15 #11: session and CSRF behaviour, for every form and HTMX request there is and will be.

The walk sends every URL pattern and every API operation an unsafe request without a CSRF token, as a
signed-in person (as a browser tricked by another site would), and checks that Django's CSRF check
refused it — not the view, not a permission check: the `django.security.csrf` log says so for that
very request. A new route that is exempted from the check, or a new API operation that accepts a
session without the token, fails here. The templates are checked for the token in every form."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.test import Client

import kapabel
from kapabel.api.api import api
from tests.core.test_access_walk import PARAM, all_routes

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
TEMPLATES = Path(kapabel.__file__).resolve().parent


def _csrf_refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "django.security.csrf"]


@pytest.fixture
def browser(world):
    """A signed-in browser that enforces CSRF as a real one meets it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("admin"))
    return client


def test_every_page_refuses_an_unsafe_request_without_the_csrf_token(browser, caplog):
    caplog.set_level(logging.WARNING, logger="django.security.csrf")
    checked = 0
    for route in all_routes():
        if route.startswith("api/"):
            continue  # the API answers for itself (below)
        url = "/" + PARAM.sub("1", route)
        for method in UNSAFE:
            for htmx in (False, True):
                caplog.clear()
                headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
                response = browser.generic(
                    method, url, "name=x", content_type="application/x-www-form-urlencoded", **headers
                )
                assert response.status_code == 403, f"{method} {url} (htmx={htmx}) -> {response.status_code}"
                assert any(url in message for message in _csrf_refusals(caplog)), (
                    f"{method} {url}: refused, but not by the CSRF check"
                )
                checked += 1
    assert checked > 100


def test_every_api_operation_refuses_a_session_without_the_csrf_token(browser):
    schema = api.get_openapi_schema()
    checked = 0
    for path, operations in schema["paths"].items():
        url = re.sub(r"{\w+}", "1", path)
        for method in operations:
            if method.upper() not in UNSAFE:
                continue
            response = browser.generic(method.upper(), url, "{}", content_type="application/json")
            assert response.status_code == 403, f"{method} {url} -> {response.status_code}"
            assert "CSRF" in response.json()["title"], f"{method} {url}: {response.json()}"
            checked += 1
    assert checked > 10


def test_the_token_the_pages_give_htmx_is_accepted(world, browser, caplog):
    """The control: the same kind of request with the token the page carries (the body's hx-headers,
    as HTMX sends it) passes the CSRF check."""
    caplog.set_level(logging.WARNING, logger="django.security.csrf")
    page = browser.get("/").content.decode()
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page)
    assert token, "the page shell must hand HTMX the CSRF token"
    response = browser.post(
        "/municipality/", {"municipality": world.a.pk}, HTTP_X_CSRFTOKEN=token[1], HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 302
    assert not _csrf_refusals(caplog)


def test_every_form_that_posts_carries_the_csrf_token():
    form = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
    missing = []
    for path in sorted(TEMPLATES.glob("**/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for match in form.finditer(text):
            opening = match.group(0).split(">", 1)[0]
            posts = re.search(r'method="post"', opening, re.I) or re.search(
                r"hx-(post|put|patch|delete)=", opening
            )
            if posts and "{% csrf_token %}" not in match.group(0):
                missing.append(f"{path.relative_to(TEMPLATES)}: {opening[:80]}")
    assert not missing, missing


def test_htmx_requests_carry_the_token_from_the_page_shell():
    """Every HTMX request that changes something is sent from a page built on base.html, whose body
    hands HTMX the token; elements that post outside a form are not used."""
    base = (TEMPLATES / "core" / "templates" / "base.html").read_text(encoding="utf-8")
    assert 'hx-headers=\'{"X-CSRFToken": "{{ csrf_token }}"}\'' in base
    outside_forms = []
    for path in sorted(TEMPLATES.glob("**/templates/**/*.html")):
        text = re.sub(r"<form\b.*?</form>", "", path.read_text(encoding="utf-8"), flags=re.S | re.I)
        if re.search(r"hx-(post|put|patch|delete)=", text):
            outside_forms.append(str(path.relative_to(TEMPLATES)))
    assert not outside_forms, outside_forms


# --- The session ----------------------------------------------------------------------------------


def test_the_session_is_renewed_at_login_and_ended_at_logout(world):
    from tests.conftest import PASSWORD

    client = Client(enforce_csrf_checks=True)
    page = client.get("/account/login/")
    token = client.cookies["csrftoken"].value
    assert page.status_code == 200
    client.cookies["sessionid"] = "fixated-by-an-attacker"
    response = client.post(
        "/account/login/", {"username": "hr", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    session = client.cookies["sessionid"].value
    assert session and session != "fixated-by-an-attacker"
    assert client.cookies["csrftoken"].value != token  # rotated at login
    assert client.get("/").status_code == 200

    token = client.cookies["csrftoken"].value
    assert client.post("/account/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    stale = Client()
    stale.cookies["sessionid"] = session
    assert stale.get("/").status_code == 302  # the old session is gone on the server too


def test_session_and_csrf_cookies_in_production(settings):
    """What the production settings give the cookies (kapabel.settings, KAPABEL_ENV=production)."""
    import subprocess
    import sys

    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.SESSION_COOKIE_AGE, s.SESSION_ENGINE)"
    )
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(KAPABEL_ENV="production", SECRET_KEY="x" * 60, ALLOWED_HOSTS="kapabel.example.dk")
    done = subprocess.run(
        [sys.executable, "-c", f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kapabel.settings'; "
         f"django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    assert done.stdout.split() == [
        "True",
        "True",
        "True",
        "Lax",
        "Lax",
        str(8 * 3600),
        "django.contrib.sessions.backends.db",
    ]
