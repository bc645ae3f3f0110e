"""POST /api/v1/municipalities and friends: the same service as the page, problem details for bad
input, 403 for anyone but a platform administrator."""

from __future__ import annotations

import json

import pytest

from kapabel.competences.starter import STARTERS, installed
from kapabel.core import tokens
from kapabel.core.models import Municipality, Role
from kapabel.organisation.models import RoleAssignment

URL = "/api/v1/municipalities"
GOOD_PASSWORD = "Kompetence-Aarhus-2026"


def post(client, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def write_token(world, persona):
    _token, raw = tokens.token_create(user=world.user(persona), name="t", scope="write", days=1, actor="t")
    return raw


def test_a_platform_administrator_creates_a_municipality(world, client):
    response = post(
        client,
        {
            "name": "Aarhus Kommune",
            "kommunekode": "751",
            "starters": ["jobcenter"],
            "administrator": {
                "username": "anna.aarhus",
                "password": GOOD_PASSWORD,
                "email": "anna@aarhus.dk",
            },
        },
        write_token(world, "platform_admin"),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["kommunekode"] == "751" and data["name"] == "Aarhus Kommune"
    assert installed(data["id"]) == {"jobcenter"}
    assert RoleAssignment.objects.filter(
        user__username="anna.aarhus", role=Role.MUNICIPALITY_ADMIN, municipality_id=data["id"]
    ).exists()
    # ... and then reads it, among the municipalities it acts in
    listed = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {write_token(world, 'platform_admin')}").json()
    assert "Aarhus Kommune" in {item["name"] for item in listed["items"]}


@pytest.mark.parametrize("persona", ["admin", "hr", "coordinator", "employee", "other_municipality_admin"])
def test_nobody_else_creates_municipalities(world, client, persona):
    response = post(client, {"name": "Aarhus Kommune", "kommunekode": "751"}, write_token(world, persona))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not Municipality.objects.filter(kommunekode="751").exists()


def test_a_read_token_cannot_create(world, client):
    _token, raw = tokens.token_create(
        user=world.user("platform_admin"), name="t", scope="read", days=1, actor="t"
    )
    assert post(client, {"name": "Aarhus Kommune", "kommunekode": "751"}, raw).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kommunekode": "75"}, "kommunekode"),
        ({"kommunekode": "101"}, "kommunekode"),
        ({"starters": ["nope"]}, "starters"),
        ({"administrator": {"username": "new.one"}}, "administrator.password"),
        ({"administrator": {"username": "admin", "password": GOOD_PASSWORD}}, "administrator.username"),
    ],
)
def test_bad_input_is_a_422_problem_naming_the_field(world, client, body, field):
    before = Municipality.objects.count()
    response = post(
        client, {"name": "Aarhus Kommune", "kommunekode": "751"} | body, write_token(world, "platform_admin")
    )
    assert response.status_code == 422, response.content
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert field in {error["field"] for error in problem["errors"]}
    assert Municipality.objects.count() == before


def test_malformed_bodies_are_problems_not_server_errors(world, client):
    token = write_token(world, "platform_admin")
    for body in (
        {},
        {"name": 5, "kommunekode": []},
        {"name": "x", "kommunekode": "751", "starters": "jobcenter"},
    ):
        response = post(client, body, token)
        assert response.status_code == 422, (body, response.status_code)


def test_list_and_read_are_scoped(world, client):
    token = write_token(world, "admin")
    listed = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [item["name"] for item in listed["items"]] == ["Aby Kommune"]
    assert client.get(f"{URL}/{world.b.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
    assert (
        client.get(f"{URL}/{world.a.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()["kommunekode"] == "101"
    )


def test_the_starter_frameworks_are_listed_with_their_keys(world, client):
    token = write_token(world, "admin")
    data = client.get("/api/v1/starter-frameworks", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [item["key"] for item in data] == STARTERS
    assert all(item["competences"] > 0 for item in data)
