"""The access walk: every URL pattern and every API route, as every persona, against objects of
another unit and of another municipality. A new route that forgets scoping fails here; a new route
with a path parameter this walk does not know fails too, until the parameter is added below."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kapabel.api.api import api

# Path parameter name -> the kind of object it addresses.
KWARG_KINDS = {
    "employee_pk": "employee",
    "employee_id": "employee",
    "unit_pk": "unit",
    "unit_id": "unit",
    "parent_id": "unit",
    "job_role_pk": "job_role",
    "job_role_id": "job_role",
    "municipality_pk": "municipality",
    "municipality_id": "municipality",
    "framework_pk": "framework",
    "framework_id": "framework",
    "version_pk": "framework_version",
    "version_id": "framework_version",
    "competence_pk": "competence",
    "competence_id": "competence",
    "profile_pk": "profile",
    "profile_id": "profile",
    "consultation_pk": "consultation",
    "comment_pk": "comment",
    "import_pk": "hr_import",
    "import_id": "hr_import",
    "catalogue_import_pk": "catalogue_import",
    "campaign_pk": "campaign",
    "campaign_id": "campaign",
    "assessment_pk": "assessment",
    "assessment_id": "assessment",
    "rating_id": "rating",
    "provider_id": "provider",
    "offer_id": "offer",
    "cohort_id": "cohort",
    "session_id": "session",
    "enrolment_id": "enrolment",
    "evidence_id": "evidence",
    "cycle_id": "cycle",
    "dialogue_id": "dialogue",
    "group_id": "dialogue_group",
    "plan_id": "plan",
    "goal_id": "plan_goal",  # under a plan: the plan decides (a goal of another plan is 404)
    "follow_up_id": "plan_follow_up",
    "programme_id": "programme",
    "substitute_id": "substitute",  # under a programme: the programme decides
    "application_id": "application",  # likewise
    "phase_id": "phase",  # under a programme: the programme decides
    "partner_id": "partner",  # likewise
    "member_id": "steering_member",  # likewise
    "document_id": "application_document",  # under an application of a programme: likewise
    "scheme_id": "funding_scheme",  # national reference data: edited by platform administrators only
    "token": "calendar_feed",  # a secret in the URL: a guessed one is 404 (no objects to try)
    "user_pk": "account",
    "grant_pk": "role_assignment",
    # Single sign-on: configured by platform administrators only (none of the walked personas).
    "provider_pk": "sso_provider",
    "mapping_pk": "sso_provider",
    "protocol": "sso_provider",
    "slug": "sso_provider",
}
# Routes anyone may open, signed in or not.
PUBLIC = {
    "healthz",
    "readyz",
    "api/v1/",
    "account/login/",
    "tilgaengelighed/",
    "i18n/setlang/",
    "api/v1/openapi.json",
    "api/v1/docs",
    "learning/calendar/<str:token>.ics",  # the token is the key (404 when unknown)
    # The single sign-on exchange itself: reached before anyone is logged in.
    "sso/login/<slug:slug>/",
    "sso/saml/metadata/",
    "sso/saml/acs/",
    "sso/saml/sls/",
    "sso/saml/logout/",
    "sso/oidc/callback/",
}
PERSONAS = ["employee", "manager", "hr", "coordinator", "admin", "other_municipality_admin"]


@pytest.fixture(autouse=True)
def _assessment_objects(request):
    """Campaigns, assessments and ratings in both municipalities (attached to the world)."""
    if "world" not in request.fixturenames:
        return
    from tests.assessments.factories import build_assessment_world

    world = request.getfixturevalue("world")
    world.aw = build_assessment_world(world, competences=2)


def _assessment_out_of_scope(world, persona: str) -> dict[str, list[Any]]:
    aw = getattr(world, "aw", None)
    if aw is None:
        return {}
    from kapabel.assessments.services import RatingEntry, ratings_record

    competence = {
        aw.campaign_a.pk: aw.campaign_a.framework_version.competences.filter(parent__isnull=False).first(),
        aw.campaign_b.pk: aw.campaign_b.framework_version.competences.filter(parent__isnull=False).first(),
    }

    def rating(assessment):
        campaign = assessment.campaign
        return ratings_record(
            municipality_id=campaign.municipality_id,
            source="self",
            entries=[
                RatingEntry(
                    competence_id=competence[campaign.pk].pk, level=1, employee_id=assessment.employee_id
                )
            ],
            actor="walk",
            campaign=campaign,
            assessment=assessment,
        )[0]

    if persona == "other_municipality_admin":
        return {
            "campaign": [aw.campaign_a],
            "assessment": [aw.assessment, aw.outsider_assessment],
            "rating": [rating(aw.assessment)],
        }
    other = {
        "campaign": [aw.campaign_b],
        "assessment": [aw.b_assessment],
        "rating": [rating(aw.b_assessment)],
    }
    if persona in ("coordinator", "admin"):
        return other
    other["assessment"].append(aw.outsider_assessment)
    other["rating"].append(rating(aw.outsider_assessment))
    if persona == "employee":
        other["campaign"].append(aw.leader_a)
        other["assessment"] += [aw.colleague_assessment, aw.manager_assessment]
        other["rating"].append(rating(aw.colleague_assessment))
    return other


def out_of_scope(world, persona: str) -> dict[str, list[Any]]:
    """Objects the persona must not reach: another unit's and another municipality's."""
    objects = _organisation_out_of_scope(world, persona) | _assessment_out_of_scope(world, persona)
    objects["hr_import"] = hr_imports_out_of_scope(world, persona)
    objects["catalogue_import"] = catalogue_imports_out_of_scope(world, persona)
    from tests.learning.walk import learning_out_of_scope

    objects |= learning_out_of_scope(world, persona)
    objects |= accounts_out_of_scope(world, persona)
    objects["sso_provider"] = [sso_provider(world)]
    from tests.dialogues.walk import dialogues_out_of_scope

    objects |= dialogues_out_of_scope(world, persona)
    from tests.programmes.walk import programmes_out_of_scope

    objects |= programmes_out_of_scope(world, persona)
    return objects


def accounts_out_of_scope(world, persona: str) -> dict[str, list[Any]]:
    """Logins and role grants are for the administrators of their municipality: another
    municipality's for an administrator, everyone's for the other personas."""
    from kapabel.organisation.models import RoleAssignment

    a_login, b_login = world.user("coordinator"), world.user("other_municipality_admin")
    a_grant = RoleAssignment.objects.get(user=a_login)
    b_grant = RoleAssignment.objects.get(user=b_login)
    if persona == "admin":
        return {"account": [b_login], "role_assignment": [b_grant]}
    if persona == "other_municipality_admin":
        return {"account": [a_login], "role_assignment": [a_grant]}
    return {"account": [a_login, b_login], "role_assignment": [a_grant, b_grant]}


def sso_provider(world) -> Any:
    from kapabel.sso.models import IdentityProvider

    return IdentityProvider.objects.get_or_create(
        slug="walk-oidc",
        defaults={
            "municipality": world.a,
            "name": "Walk OIDC",
            "protocol": "oidc",
            "match_attribute": "email",
        },
    )[0]


def hr_imports_out_of_scope(world, persona: str) -> list[Any]:
    """HR imports are for municipality administrators and HR consultants with a whole-municipality
    grant: the hr persona (a subtree grant) may not reach its own municipality's imports either."""
    from kapabel.organisation.models import HRImport

    a, b = (
        HRImport.objects.get_or_create(municipality=m, defaults={"actor_label": "walk", "format": "kapabel"})[
            0
        ]
        for m in (world.a, world.b)
    )
    return {"admin": [b], "other_municipality_admin": [a]}.get(persona, [a, b])


def catalogue_imports_out_of_scope(world, persona: str) -> list[Any]:
    """Course imports are for a municipality's administrators, HR consultants and coordinators (any
    grant in the municipality): the other municipality's, and for employees and managers both."""
    from kapabel.learning.models import CatalogueImport

    a, b = (
        CatalogueImport.objects.get_or_create(
            municipality=m, defaults={"source": "web", "file_name": "walk.csv", "status": "ready"}
        )[0]
        for m in (world.a, world.b)
    )
    if persona in ("hr", "coordinator", "admin"):
        return [b]
    return {"other_municipality_admin": [a]}.get(persona, [a, b])


def _organisation_out_of_scope(world, persona: str) -> dict[str, list[Any]]:
    from tests.competences.factories import private_competence_objects

    other_municipality = {
        "employee": [world.b_employee],
        "unit": [world.b_team],
        "job_role": [world.role_b],
        "municipality": [world.b],
        **private_competence_objects(world, world.b),
    }
    if persona == "other_municipality_admin":
        return {
            "employee": [world.employee, world.outsider],
            "unit": [world.team1, world.team3],
            "job_role": [world.role_a],
            "municipality": [world.a],
            **private_competence_objects(world, world.a),
        }
    if persona in ("coordinator", "admin"):
        return other_municipality
    other_unit = {"employee": [world.outsider], "unit": [world.team3]}
    if persona == "employee":
        other_unit = {
            "employee": [world.outsider, world.colleague, world.manager_employee],
            "unit": [world.team3, world.team2, world.centre1],
        }
    return {kind: other_unit.get(kind, []) + other_municipality[kind] for kind in other_municipality}


def forbidden_names(objects: dict[str, list[Any]]) -> list[str]:
    # Assessments and ratings print as short ids, which would match unrelated text.
    skip = {
        "municipality",
        "assessment",
        "rating",
        "session",
        "enrolment",
        "evidence",
        "account",
        "role_assignment",
        "dialogue",
        "plan",
        "funding_scheme",  # national reference data: every signed-in user reads the schemes
    }
    return [str(obj) for kind, items in objects.items() for obj in items if kind not in skip]


def all_routes() -> list[str]:
    """Every URL pattern as a route string such as 'organisation/units/<int:unit_pk>/'."""
    routes: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            text = str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + text)
            elif isinstance(pattern, URLPattern):
                routes.append(prefix + text)

    walk(get_resolver().url_patterns, "")
    return sorted(set(routes))


PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def route_params(route: str) -> list[str]:
    return [m.group("name") for m in PARAM.finditer(route)]


def fill(route: str, obj: Any) -> str:
    return "/" + PARAM.sub(str(obj.pk), route)


def test_walk_knows_every_path_parameter():
    unknown = {p for route in all_routes() for p in route_params(route)} - set(KWARG_KINDS)
    assert not unknown, f"Add these path parameters to KWARG_KINDS in the access walk: {sorted(unknown)}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_pattern_is_scoped(world, client, persona):
    client.force_login(world.user(persona))
    objects = out_of_scope(world, persona)
    names = forbidden_names(objects)
    checked = 0
    for route in all_routes():
        params = route_params(route)
        if not params:
            response = client.get("/" + route)
            assert response.status_code < 500, route
            body = response.content.decode(errors="replace")
            leaked = [name for name in names if name in body]
            assert not leaked, f"{persona} sees {leaked} on /{route}"
            checked += 1
            continue
        kind = KWARG_KINDS[params[0]]
        for obj in objects.get(kind, []):
            url = fill(route, obj)
            response = client.get(url)
            assert response.status_code in (403, 404), f"{persona} GET {url} -> {response.status_code}"
            if not route.startswith("api/"):
                response = client.post(url, {"name": "x"})
                assert response.status_code in (403, 404, 405), (
                    f"{persona} POST {url} -> {response.status_code}"
                )
            checked += 1
    assert checked > 10


def test_anonymous_gets_login_or_401(world, client):
    for route in all_routes():
        if route in PUBLIC:
            continue
        url = fill(route, world.outsider) if route_params(route) else "/" + route
        response = client.get(url)
        if route.startswith("api/"):
            assert response.status_code == 401, f"anonymous GET {url} -> {response.status_code}"
        else:
            assert response.status_code in (302, 405), f"anonymous GET {url} -> {response.status_code}"
            if response.status_code == 302:
                assert "/account/login/" in response["Location"], url


# --- API walk -----------------------------------------------------------------------------------


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in spec:
        spec = schema["components"]["schemas"][spec["$ref"].split("/")[-1]]
    return spec


def _body_for(schema: dict, operation: dict, objects: dict[str, list[Any]]) -> dict[str, Any]:
    """A request body that is valid in form, with every reference pointing at a forbidden object."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return {}
    spec = _resolve(schema, content["schema"])
    body: dict[str, Any] = {}
    for name, prop in spec.get("properties", {}).items():
        prop = _resolve(schema, prop.get("anyOf", [prop])[0] if "anyOf" in prop else prop)
        if name in KWARG_KINDS and objects.get(KWARG_KINDS[name]):
            body[name] = objects[KWARG_KINDS[name]][0].pk
        elif name in spec.get("required", []):
            if "enum" in prop:
                body[name] = prop["enum"][0]
            else:
                body[name] = {"string": "Walk", "integer": 1, "number": 1, "boolean": True}.get(
                    prop.get("type"), "x"
                )
    return body


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_api_route_is_scoped(world, client, persona):
    client.force_login(world.user(persona))
    schema = api.get_openapi_schema()
    objects = out_of_scope(world, persona)
    names = forbidden_names(objects)
    for path, operations in schema["paths"].items():
        params = re.findall(r"{(\w+)}", path)
        for method, operation in operations.items():
            body = _body_for(schema, operation, objects)
            if params:
                for obj in objects.get(KWARG_KINDS[params[0]], []):
                    url = re.sub(r"{\w+}", str(obj.pk), path)
                    response = client.generic(
                        method.upper(), url, json.dumps(body), content_type="application/json"
                    )
                    assert response.status_code in (403, 404), (
                        f"{persona} {method} {url} -> {response.status_code}"
                    )
            elif method == "get":
                response = client.get(path)
                assert response.status_code == 200, path
                leaked = [name for name in names if name in response.content.decode()]
                assert not leaked, f"{persona} sees {leaked} in {path}"
            else:
                response = client.generic(
                    method.upper(), path, json.dumps(body), content_type="application/json"
                )
                assert response.status_code in (403, 404), (
                    f"{persona} {method} {path} {body} -> {response.status_code}"
                )
