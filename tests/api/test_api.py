import datetime

from django.utils import timezone

from kapabel.core import tokens
from kapabel.core.models import AuditEvent, PersonalAccessToken


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def make_token(world, persona, scope="read", days=30):
    _token, raw = tokens.token_create(user=world.user(persona), name="t", scope=scope, days=days, actor="t")
    return raw


def test_openapi_schema_is_published(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Kapabel API"
    assert "/api/v1/employees" in schema["paths"]


def test_api_docs_are_served_locally_not_from_a_cdn(client):
    body = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body and "cdn" not in body


def test_token_lists_only_what_the_user_may_see(world, client):
    raw = make_token(world, "manager")
    data = client.get("/api/v1/employees", **bearer(raw)).json()
    assert data["count"] == 3
    assert {item["name"] for item in data["items"]} == {"Emma Employee", "Carl Colleague", "Mette Manager"}


def test_tokens_are_stored_hashed(world):
    raw = make_token(world, "hr")
    assert not PersonalAccessToken.objects.filter(token_hash=raw).exists()
    assert raw not in str(list(PersonalAccessToken.objects.values()))


def test_expired_revoked_and_unknown_tokens_get_401_problem(world, client):
    raw = make_token(world, "hr")
    token = PersonalAccessToken.objects.get()
    token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    token.save()
    response = client.get("/api/v1/employees", **bearer(raw))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert client.get("/api/v1/units", **bearer("kap_nonsense")).status_code == 401
    raw2 = make_token(world, "hr")
    tokens.token_revoke(token=PersonalAccessToken.objects.latest("id"), actor="t")
    assert client.get("/api/v1/units", **bearer(raw2)).status_code == 401


def test_read_only_token_cannot_write(world, client):
    raw = make_token(world, "admin", scope="read")
    response = client.patch(
        f"/api/v1/employees/{world.employee.pk}",
        {"name": "X"},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 403
    assert response.json()["title"]


def test_admin_creates_and_updates_through_services(world, client):
    raw = make_token(world, "admin", scope="write")
    response = client.post(
        "/api/v1/employees",
        {"external_id": "API1", "name": "Api Person", "unit_id": world.team3.pk, "weekly_hours": "37.5"},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["unit_id"] == world.team3.pk and float(created["weekly_hours"]) == 37.5
    response = client.patch(
        f"/api/v1/employees/{created['id']}",
        {"unit_id": world.team1.pk},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.json()["unit_id"] == world.team1.pk
    actions = list(
        AuditEvent.objects.filter(
            object_type="organisation.employee", object_id=str(created["id"])
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == ["organisation.employee.created", "organisation.employee.updated"]


def test_validation_errors_are_problem_details_with_fields(world, client):
    raw = make_token(world, "admin", scope="write")
    response = client.post(
        "/api/v1/employees",
        {"external_id": "E1", "name": "Dup", "unit_id": world.team1.pk},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 422
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["errors"] and body["errors"][0]["message"]
    response = client.post("/api/v1/employees", {"name": ""}, content_type="application/json", **bearer(raw))
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} >= {
        "body.payload.external_id",
        "body.payload.unit_id",
    }


def test_moving_a_unit_below_itself_is_refused(world, client):
    raw = make_token(world, "admin", scope="write")
    response = client.patch(
        f"/api/v1/units/{world.forvaltning1.pk}",
        {"parent_id": world.team1.pk},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "parent"


def test_pagination_and_filters(world, client):
    raw = make_token(world, "admin")
    page = client.get("/api/v1/employees", {"page_size": 2, "page": 2}, **bearer(raw)).json()
    assert page["count"] == 4 and len(page["items"]) == 2
    subtree = client.get("/api/v1/employees", {"unit_id": world.centre1.pk}, **bearer(raw)).json()
    assert subtree["count"] == 3
    units = client.get("/api/v1/units", {"parent_id": world.centre1.pk}, **bearer(raw)).json()
    assert {u["name"] for u in units["items"]} == {"Team Alfa", "Team Beta"}


def test_session_writes_need_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("admin"))
    response = client.patch(
        f"/api/v1/employees/{world.employee.pk}", {"name": "X"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    world.employee.refresh_from_db()
    assert world.employee.name == "Emma Employee"


def test_me_reports_roles(world, client):
    raw = make_token(world, "manager")
    assert client.get("/api/v1/me", **bearer(raw)).json()["roles"] == ["employee", "manager"]


def test_api_errors_are_in_the_language_asked_for(world, client):
    raw = make_token(world, "admin", scope="read")
    patch = {"path": f"/api/v1/employees/{world.employee.pk}", "data": {"name": "X"}}
    danish = client.patch(**patch, content_type="application/json", HTTP_ACCEPT_LANGUAGE="da", **bearer(raw))
    assert danish.status_code == 403
    assert danish.json()["title"] == "Du har ikke tilladelse til at gøre dette."
    assert danish.json()["detail"] == "Dette token giver kun læseadgang."
    english = client.patch(**patch, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **bearer(raw))
    assert english.json()["detail"] == "This token is read-only."
    missing = client.get("/api/v1/units/999999", HTTP_ACCEPT_LANGUAGE="da", **bearer(raw))
    assert missing.status_code == 404
    assert missing.json()["title"] == "Blev ikke fundet."
    unauthenticated = client.get("/api/v1/units", HTTP_ACCEPT_LANGUAGE="da", **bearer("kap_nonsense"))
    assert unauthenticated.json()["title"] == "Autentificering er påkrævet."


def test_ninjas_own_error_messages_are_translated(world, client):
    raw = make_token(world, "admin", scope="write")
    response = client.patch(
        f"/api/v1/employees/{world.employee.pk}",
        "{not json",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="da",
        **bearer(raw),
    )
    assert response.status_code == 400
    assert response.json()["title"] == "Forespørgslens indhold kunne ikke læses."


def test_field_errors_are_in_the_language_asked_for(world, client):
    raw = make_token(world, "admin", scope="write")
    response = client.post(
        "/api/v1/employees",
        {"name": "Uden id", "unit_id": "abc"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="da",
        **bearer(raw),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["title"] == "Forespørgslen er ikke gyldig."
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["body.payload.external_id"] == "Dette felt er påkrævet."
    assert messages["body.payload.unit_id"] == "Angiv et heltal."
