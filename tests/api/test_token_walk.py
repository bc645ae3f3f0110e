"""Every operation of the API (as the OpenAPI document lists it, the new apps' included), with every
kind of bad credential: none, an unknown token, an expired one, a revoked one — each 401, and nothing
is read or written; a read-only token on every operation that writes — 403 before the body is read."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kapabel.core import tokens
from kapabel.core.models import AuditEvent, PersonalAccessToken

WRITES = {"post", "put", "patch", "delete"}


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def operations(client) -> list[tuple[str, str]]:
    schema = client.get("/api/v1/openapi.json").json()
    found = []
    for path, methods in schema["paths"].items():
        url = path
        for name in [p for part in path.split("{")[1:] for p in [part.split("}")[0]]]:
            url = url.replace("{" + name + "}", "1")
        found += [(method, url) for method in methods if method in WRITES | {"get"}]
    return found


@pytest.fixture
def bad_tokens(world) -> dict[str, dict[str, str]]:
    admin = world.user("admin")
    _expired, expired_raw = tokens.token_create(user=admin, name="expired", scope="write", actor="t")
    PersonalAccessToken.objects.filter(pk=_expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    revoked, revoked_raw = tokens.token_create(user=admin, name="revoked", scope="write", actor="t")
    tokens.token_revoke(token=revoked, actor="t")
    return {
        "none": {},
        "unknown": bearer("kap_" + "x" * 43),
        "expired": bearer(expired_raw),
        "revoked": bearer(revoked_raw),
    }


def test_every_operation_refuses_missing_unknown_expired_and_revoked_tokens(world, client, bad_tokens):
    ops = operations(client)
    assert len(ops) >= 60  # every app's operations are in the document
    events = AuditEvent.objects.count()
    refused = []
    for method, url in ops:
        for kind, headers in bad_tokens.items():
            if method == "get":
                response = client.get(url, **headers)
            else:
                response = getattr(client, method)(url, "{}", content_type="application/json", **headers)
            if response.status_code != 401:
                refused.append(f"{method.upper()} {url} with {kind} token -> {response.status_code}")
    assert not refused, "\n".join(refused)
    assert AuditEvent.objects.count() == events  # nothing was written


def test_every_writing_operation_refuses_a_read_only_token(world, client):
    _token, raw = tokens.token_create(user=world.user("admin"), name="read", scope="read", actor="t")
    events = AuditEvent.objects.count()
    wrong = []
    for method, url in operations(client):
        if method not in WRITES:
            continue
        response = getattr(client, method)(url, "{}", content_type="application/json", **bearer(raw))
        if response.status_code != 403:
            wrong.append(f"{method.upper()} {url} -> {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert AuditEvent.objects.count() == events
