"""The dialogues API, and the contract the acceptance check uses: GET /api/v1/dialogues (id and
employee_id of what the caller may see), GET /api/v1/dialogues/{id}, PUT …/preparation, and GET
/api/v1/dialogues/coverage?unit_id=N with employees, held_last_12_months and current_plans."""

from __future__ import annotations

from kapabel.assessments.models import CurrentLevel, Rating, Source
from kapabel.dialogues import services
from kapabel.dialogues.models import Dialogue
from tests.dialogues.factories import SYSTEM, at
from tests.dialogues.helpers import call, token


def ids(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"items", "count"}
    return {(item["id"], item["employee_id"]) for item in body["items"]}


def test_list_is_what_each_persona_may_see(world, dw, client):
    dialogues = {d.employee_id: d.pk for d in Dialogue.objects.filter(cycle=dw.cycle)}
    employee = ids(client.get("/api/v1/dialogues", **token(world, "employee", "read")))
    assert employee == {(dw.dialogue.pk, world.employee.pk)}
    manager = ids(client.get("/api/v1/dialogues", **token(world, "manager", "read")))
    centre = {world.employee.pk, world.colleague.pk, world.manager_employee.pk}
    assert manager == {(dialogues[pk], pk) for pk in centre}
    hr = ids(client.get("/api/v1/dialogues", **token(world, "hr", "read")))
    assert hr == {(dialogues[pk], pk) for pk in centre}
    admin = ids(client.get("/api/v1/dialogues", **token(world, "admin", "read")))
    assert admin == {(pk, e) for e, pk in dialogues.items()}
    other = ids(client.get("/api/v1/dialogues", **token(world, "other_municipality_admin", "read")))
    assert other == {(dw.b_dialogue.pk, world.b_employee.pk)}


def test_detail_answers_one_and_404_outside_scope(world, dw, client):
    response = client.get(f"/api/v1/dialogues/{dw.dialogue.pk}", **token(world, "manager", "read"))
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["employee_id"], body["status"]) == (
        dw.dialogue.pk,
        world.employee.pk,
        "not_booked",
    )
    for persona, dialogue in [
        ("employee", dw.colleague_dialogue),
        ("manager", dw.outsider_dialogue),
        ("hr", dw.outsider_dialogue),
        ("other_municipality_admin", dw.dialogue),
        ("admin", dw.b_dialogue),
    ]:
        assert client.get(f"/api/v1/dialogues/{dialogue.pk}", **token(world, persona)).status_code == 404


def test_coverage_route_is_not_taken_for_an_id(world, dw, client):
    response = client.get(
        f"/api/v1/dialogues/coverage?unit_id={world.a_root.pk}", **token(world, "admin", "read")
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["employees"], body["held_last_12_months"], body["current_plans"]) == (4, 0, 0)


def test_coverage_counts_held_and_current_plans_in_the_subtree(world, dw, client):
    manager = world.user("manager")
    services.dialogue_book(dialogue=dw.dialogue, starts_at=at(-2, 9), ends_at=at(-2, 10), actor=SYSTEM)
    services.dialogue_record(dialogue=dw.dialogue, actor=manager, notes="Godt år")
    plan = services.plan_create(employee=world.employee, dialogue=dw.dialogue, actor=manager)
    services.plan_confirm(plan=plan, actor=manager, version=plan.version)
    services.plan_confirm(plan=plan, actor=world.user("employee"), version=plan.version)
    services.dialogue_record(dialogue=dw.outsider_dialogue, actor=SYSTEM, notes="")

    def figures(unit, persona="admin"):
        body = client.get(
            f"/api/v1/dialogues/coverage?unit_id={unit.pk}", **token(world, persona, "read")
        ).json()
        return body["employees"], body["held_last_12_months"], body["current_plans"]

    assert figures(world.a_root) == (4, 2, 1)
    assert figures(world.centre1, "hr") == (3, 1, 1)
    assert figures(world.forvaltning2) == (1, 1, 0)
    assert figures(world.team2) == (1, 0, 0)
    # Another municipality's unit is not found.
    response = client.get(
        f"/api/v1/dialogues/coverage?unit_id={world.a_root.pk}", **token(world, "other_municipality_admin")
    )
    assert response.status_code == 404
    response = client.get(f"/api/v1/dialogues/coverage?unit_id={world.team3.pk}", **token(world, "manager"))
    assert response.status_code == 404


def test_preparation_put_returns_own_and_booking_record_flow(world, dw, client):
    auth = token(world, "employee")
    url = f"/api/v1/dialogues/{dw.dialogue.pk}/preparation"
    response = call(
        client, "PUT", url, auth, {"notes": "Mine tanker", "shared": False, "answers": {"q1": "Svar"}}
    )
    assert response.status_code == 200, response.content
    assert response.json()["notes"] == "Mine tanker"
    assert response.json()["answers"] == {"q1": "Svar"}
    # The manager books and records with agreed levels (source "dialogue").
    m = token(world, "manager")
    booked = call(
        client,
        "POST",
        f"/api/v1/dialogues/{dw.dialogue.pk}/booking",
        m,
        {"starts_at": at(-1, 9).isoformat(), "ends_at": at(-1, 10).isoformat(), "place": "Mødelokale 2"},
    )
    assert booked.status_code == 200, booked.content
    assert booked.json()["state"] == "booked"
    competence = dw.competences[0]
    recorded = call(
        client,
        "POST",
        f"/api/v1/dialogues/{dw.dialogue.pk}/record",
        m,
        {
            "notes": "Aftalt",
            "levels": [{"competence_id": competence.pk, "level": 3}],
            "version": booked.json()["version"],
        },
    )
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["agreed_levels"][0]["level"] == 3
    rating = Rating.objects.get(employee=world.employee, competence=competence)
    assert rating.source == Source.DIALOGUE
    current = CurrentLevel.objects.get(employee=world.employee, competence=competence)
    assert (current.level, current.source) == (3, Source.DIALOGUE)


def test_plan_confirm_twice_from_stale_forms_is_refused(world, dw, client):
    plan = services.plan_create(employee=world.employee, dialogue=dw.dialogue, actor=world.user("manager"))
    m = token(world, "manager")
    url = f"/api/v1/plans/{plan.pk}/confirm"
    first = call(client, "POST", url, m, {"version": plan.version})
    assert first.status_code == 200, first.content
    second = call(client, "POST", url, m, {"version": plan.version})
    assert second.status_code == 422
    assert "Someone changed this" in second.json()["detail"]
    again = call(client, "POST", url, m, {"version": first.json()["version"]})
    assert again.status_code == 422
    assert "already confirmed" in again.json()["detail"]
    employee = call(client, "POST", url, token(world, "employee"), {"version": first.json()["version"]})
    assert employee.status_code == 200
    assert employee.json()["is_agreed"] is True


def test_hr_cannot_read_plans_or_write_preparations(world, dw, client):
    plan = services.plan_create(employee=world.employee, actor=world.user("manager"))
    assert client.get(f"/api/v1/plans/{plan.pk}", **token(world, "hr")).status_code == 404
    response = call(
        client, "PUT", f"/api/v1/dialogues/{dw.dialogue.pk}/preparation", token(world, "hr"), {"notes": "x"}
    )
    assert response.status_code == 404
    assert client.get("/api/v1/plans", **token(world, "hr")).json()["count"] == 0


def test_cycle_create_via_api(world, dw, client):
    body = {
        "unit_id": world.centre1.pk,
        "name": "TUS Center Et",
        "kind": "group",
        "starts_on": "2030-01-01",
        "ends_on": "2030-03-31",
        "questions": [{"da": "Hvad lykkes vi med?", "en": "What do we do well?"}],
    }
    response = call(client, "POST", "/api/v1/dialogue-cycles", token(world, "hr"), body)
    assert response.status_code == 201, response.content
    assert response.json()["dialogue_count"] == 3
    assert response.json()["questions"][0]["key"] == "q1"
    response = call(client, "POST", "/api/v1/dialogue-cycles", token(world, "manager"), body)
    assert response.status_code == 403
    body["unit_id"] = world.team3.pk
    assert call(client, "POST", "/api/v1/dialogue-cycles", token(world, "hr"), body).status_code == 404


def test_read_only_token_cannot_write(world, dw, client):
    response = call(
        client,
        "PUT",
        f"/api/v1/dialogues/{dw.dialogue.pk}/preparation",
        token(world, "employee", "read"),
        {"notes": "x"},
    )
    assert response.status_code == 403
