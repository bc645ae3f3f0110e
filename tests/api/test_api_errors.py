"""Requests that used to end in a server error (issue 10 #8) answer 4xx with a message instead, and
bodies that are not JSON objects are refused (issue 10 #10)."""

from __future__ import annotations

import json

import pytest

from kapabel.competences.models import Framework
from kapabel.core import tokens
from kapabel.organisation.models import Employee, JobRole, OrgUnit

HUGE = "99999999999999999999999"


@pytest.fixture
def admin(world, client):
    """The test client with a write token of municipality A's administrator."""
    _token, raw = tokens.token_create(user=world.user("admin"), name="t", scope="write", actor="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def fields_of(response) -> set[str]:
    assert response["Content-Type"] == "application/problem+json", response.content
    return {error["field"] for error in response.json().get("errors", [])}


@pytest.mark.parametrize(
    ("kind", "field", "model", "attribute"),
    [
        ("employees", "email", Employee, "email"),
        ("employees", "employee_number", Employee, "employee_number"),
        ("employees", "name", Employee, "name"),
        ("employees", "unit_id", Employee, "unit_id"),
        ("employees", "active", Employee, "active"),
        ("units", "external_id", OrgUnit, "external_id"),
        ("units", "name", OrgUnit, "name"),
        ("units", "kind", OrgUnit, "kind"),
        ("job-roles", "code", JobRole, "code"),
        ("job-roles", "job_family", JobRole, "job_family"),
        ("job-roles", "external_id", JobRole, "external_id"),
        ("job-roles", "title", JobRole, "title"),
    ],
)
def test_patch_with_null_on_a_required_field_is_422_naming_the_field(
    world, admin, kind, field, model, attribute
):
    obj = {"employees": world.employee, "units": world.team1, "job-roles": world.role_a}[kind]
    before = getattr(obj, attribute)
    response = admin.patch(f"/api/v1/{kind}/{obj.pk}", {field: None}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert fields_of(response) == {f"body.payload.{field}"}
    assert getattr(model.objects.get(pk=obj.pk), attribute) == before


def test_null_stays_allowed_where_the_field_may_be_empty(world, admin):
    response = admin.patch(
        f"/api/v1/employees/{world.employee.pk}",
        {"job_role_id": None, "weekly_hours": None, "employment_end": None},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["job_role_id"] is None


@pytest.mark.parametrize("body", ['"Ny titel"', "[]", "5", "null", "true"])
def test_a_body_that_is_not_an_object_changes_nothing(world, admin, body):
    response = admin.patch(
        f"/api/v1/job-roles/{world.role_a.pk}",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422, response.content
    assert fields_of(response) == {"body.payload"}
    assert response.json()["errors"][0]["message"] == "Send a JSON object."
    assert JobRole.objects.get(pk=world.role_a.pk).title == "Sagsbehandler Aby"


def test_every_json_body_must_be_an_object(world, admin):
    """Each operation that takes a JSON body refuses a bare string, list, number or null (422),
    before it looks anything up."""
    schema = admin.get("/api/v1/openapi.json").json()
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "application/json" not in operation.get("requestBody", {}).get("content", {}):
                continue
            url = path.replace("{", "").replace("}", "")  # every path parameter is an id: any will do
            for name in [p["name"] for p in operation["parameters"] if p["in"] == "path"]:
                url = url.replace(name, "1")
            for body in ('"text"', "[]", "7", "null"):
                response = getattr(admin, method)(url, body, content_type="application/json")
                assert response.status_code == 422, (method, url, body, response.content)
                assert "body.payload" in fields_of(response), (method, url, body)
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/employees?page={HUGE}",
        f"/api/v1/employees?page_size={HUGE}",
        f"/api/v1/campaigns?page={HUGE}",
        f"/api/v1/hr-imports?page={HUGE}",
        f"/api/v1/ratings?campaign_id={HUGE}",
        f"/api/v1/ratings?competence_id={HUGE}",
        f"/api/v1/ratings?employee_id=-{HUGE}",
        f"/api/v1/employees?unit_id={HUGE}",
        f"/api/v1/units?parent_id={HUGE}",
        f"/api/v1/hr-imports?municipality_id={HUGE}",
        f"/api/v1/assessments?campaign_id={HUGE}",
        f"/api/v1/profiles?version_id={HUGE}",
        f"/api/v1/individual-targets?employee_id={HUGE}",
    ],
)
def test_huge_numbers_in_parameters_are_422(admin, url):
    response = admin.get(url)
    assert response.status_code == 422, response.content
    assert fields_of(response)


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/employees/{HUGE}",
        f"/api/v1/units/{HUGE}",
        f"/api/v1/job-roles/{HUGE}",
        f"/api/v1/frameworks/{HUGE}",
        f"/api/v1/framework-versions/{HUGE}/competences",
        f"/api/v1/campaigns/{HUGE}",
        f"/api/v1/assessments/{HUGE}",
        f"/api/v1/ratings/{HUGE}/corrections",
        f"/api/v1/hr-imports/{HUGE}",
        f"/api/v1/municipalities/{HUGE}/hr-imports",
        f"/api/v1/gaps/units/{HUGE}/trend",
        f"/api/v1/gaps/people/{HUGE}/profile",
        f"/api/v1/employees/{HUGE}/current-levels",
    ],
)
def test_huge_ids_in_the_path_are_404(admin, url):
    response = admin.get(url)
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_huge_ids_in_a_body_are_422(world, admin):
    response = admin.post(
        "/api/v1/employees",
        {"external_id": "X1", "name": "X", "unit_id": int(HUGE)},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert fields_of(response) == {"body.payload.unit_id"}


@pytest.mark.parametrize(
    "query",
    ["from=0001-01-01&to=9999-12-31", "from=9999-12-31&to=9999-12-31", "from=0001-01-01&to=0001-01-01"],
)
def test_gap_trend_at_the_ends_of_the_calendar_is_no_server_error(world, admin, query):
    response = admin.get(f"/api/v1/gaps/units/{world.a_root.pk}/trend?{query}")
    assert response.status_code in (200, 422), response.content
    if response.status_code == 200:
        assert response.json()["competences"] == []


def _import(admin, world, content):
    return admin.post(
        "/api/v1/framework-imports",
        {"municipality_id": world.a.pk, "format": "case-json", "content": content},
        content_type="application/json",
    )


def test_a_deeply_nested_framework_file_is_refused(world, admin):
    response = _import(admin, world, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 422, response.content
    assert response.json()["detail"]
    assert not Framework.objects.filter(municipality=world.a).exists()


@pytest.mark.parametrize(
    "extensions",
    [
        {"kapabel": {"scales": 5}},
        {"kapabel": {"scales": "1-4"}},
        {"kapabel": {"scales": [{"levels": [{"value": 1, "name_da": {"x": 1}, "proficient": True}] * 2}]}},
        {"kapabel": {"default_scale": {"a": 1}}},
        {"kapabel": 5},
        [1, 2],
    ],
)
def test_a_framework_file_with_wrong_types_is_refused(world, admin, extensions):
    package = {
        "CFDocument": {"identifier": "D", "title": "Ramme", "extensions": extensions},
        "CFItems": [{"identifier": "a", "fullStatement": "Kompetence A"}],
        "CFAssociations": [],
    }
    response = _import(admin, world, json.dumps(package))
    assert response.status_code in (201, 422), response.content
    if response.status_code == 422:
        assert response.json()["detail"]


def test_a_body_over_the_size_limit_is_413(world, admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _import(admin, world, "x" * 2000)
    assert response.status_code == 413, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"]
