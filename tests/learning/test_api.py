"""The learning API, and the contract the acceptance check uses: GET /api/v1/cohorts; POST
/api/v1/cohorts/{id}/enrolments with {"employee_id": N} answers 201 with the enrolment's status — booked
for an HR consultant, waitlisted once the cohort is full, never a booking over capacity."""

from __future__ import annotations

from kapabel.core import tokens
from kapabel.learning import selectors
from kapabel.learning.models import Enrolment
from kapabel.organisation import services as org_services
from tests.learning.factories import SYSTEM, make_cohort, move_to_past


def token(world, persona, scope="write"):
    _token, raw = tokens.token_create(user=world.user(persona), name="t", scope=scope, days=30, actor="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, url, data, auth):
    return client.post(url, data=data, content_type="application/json", **auth)


def enrol_url(cohort):
    return f"/api/v1/cohorts/{cohort.pk}/enrolments"


def test_cohorts_list_shows_id_capacity_status_of_own_municipality(world, lw, client):
    response = client.get("/api/v1/cohorts", **token(world, "hr", "read"))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(c["id"], c["capacity"], c["status"]) for c in items] == [(lw.cohort.pk, 2, "open")]
    other = client.get("/api/v1/cohorts", **token(world, "other_municipality_admin", "read")).json()["items"]
    assert [c["id"] for c in other] == [lw.b_cohort.pk]


def test_hr_booking_is_booked_then_waitlisted_never_over_capacity(world, lw, client):
    auth = token(world, "hr")
    answers = []
    for person in (world.employee, world.colleague, world.manager_employee):
        response = post(client, enrol_url(lw.cohort), {"employee_id": person.pk}, auth)
        assert response.status_code == 201, response.content
        answers.append(response.json()["status"])
    assert answers == ["booked", "booked", "waitlisted"]
    assert selectors.places_taken(lw.cohort) == 2
    listed = client.get("/api/v1/cohorts", **auth).json()["items"]
    assert listed[0]["status"] == "full"
    detail = client.get(f"/api/v1/cohorts/{lw.cohort.pk}", **auth).json()
    assert (detail["booked"], detail["waitlisted"]) == (2, 1)


def test_employee_enrolling_themselves_makes_a_request(world, lw, client):
    response = post(
        client, enrol_url(lw.cohort), {"employee_id": world.employee.pk}, token(world, "employee")
    )
    assert response.status_code == 201
    assert response.json()["status"] == "awaiting_manager"
    enrolment_id = response.json()["id"]
    approved = post(
        client,
        f"/api/v1/enrolments/{enrolment_id}/transitions",
        {"action": "approve"},
        token(world, "manager"),
    )
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "booked"
    assert [h["to_status"] for h in body["history"]] == ["requested", "awaiting_manager", "booked"]


def test_cross_unit_and_cross_municipality_are_refused(world, lw, client):
    # The manager cannot see the outsider (another unit): 404, nothing written.
    response = post(client, enrol_url(lw.cohort), {"employee_id": world.outsider.pk}, token(world, "manager"))
    assert response.status_code == 404
    # HR's grant covers Forvaltning Et only.
    assert (
        post(client, enrol_url(lw.cohort), {"employee_id": world.outsider.pk}, token(world, "hr")).status_code
        == 404
    )
    # Another municipality's cohort and people are invisible.
    assert (
        post(
            client, enrol_url(lw.b_cohort), {"employee_id": world.employee.pk}, token(world, "hr")
        ).status_code
        == 404
    )
    response = post(
        client,
        enrol_url(lw.cohort),
        {"employee_id": world.employee.pk},
        token(world, "other_municipality_admin"),
    )
    assert response.status_code == 404
    # An employee cannot enrol a colleague they cannot see.
    response = post(
        client, enrol_url(lw.cohort), {"employee_id": world.colleague.pk}, token(world, "employee")
    )
    assert response.status_code == 404
    # The coordinator sees everyone in A but books nobody: 403 with a problem body.
    response = post(
        client, enrol_url(lw.cohort), {"employee_id": world.employee.pk}, token(world, "coordinator")
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not Enrolment.objects.exists()


def test_read_only_token_cannot_enrol(world, lw, client):
    response = post(
        client, enrol_url(lw.cohort), {"employee_id": world.employee.pk}, token(world, "hr", "read")
    )
    assert response.status_code == 403


def test_refusal_is_problem_json_with_the_reason(world, lw, client):
    org_services.employee_update(employee=world.colleague, active=False, actor=SYSTEM)
    response = post(
        client,
        enrol_url(lw.cohort),
        {"employee_id": world.colleague.pk},
        {**token(world, "hr"), "HTTP_ACCEPT_LANGUAGE": "en"},
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "no longer active" in response.json()["detail"]
    danish = client.post(
        enrol_url(lw.cohort),
        data={"employee_id": world.colleague.pk},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="da",
        **token(world, "hr"),
    )
    assert "ikke længere aktiv" in danish.json()["detail"]


def test_offers_search_filters_titles(world, lw, client):
    auth = token(world, "employee", "read")
    titles = [
        o["title"] for o in client.get("/api/v1/offers", {"search": "kommunikation"}, **auth).json()["items"]
    ]
    assert titles == ["Kommunikation med borgere"]
    detail = client.get(f"/api/v1/offers/{lw.offer.pk}", **auth).json()
    assert detail["provider_name"] == "Komponent"
    assert client.get(f"/api/v1/offers/{lw.b_offer.pk}", **auth).status_code == 404


def test_hr_creates_a_cohort_with_sessions_and_records_results(world, lw, client):
    auth = token(world, "hr")
    response = post(
        client,
        "/api/v1/cohorts",
        {
            "offer_id": lw.offer.pk,
            "capacity": 3,
            "status": "open",
            "sessions": [{"starts_at": "2030-03-04T09:00:00+01:00", "ends_at": "2030-03-04T15:00:00+01:00"}],
        },
        auth,
    )
    assert response.status_code == 201, response.content
    cohort_id = response.json()["id"]
    assert len(response.json()["sessions"]) == 1
    enrolled = post(
        client, f"/api/v1/cohorts/{cohort_id}/enrolments", {"employee_id": world.employee.pk}, auth
    )
    enrolment_id = enrolled.json()["id"]
    from kapabel.learning.models import Cohort

    cohort = Cohort.objects.get(pk=cohort_id)
    move_to_past(cohort, days=3000)
    session_id = cohort.sessions.get().pk
    marks = post(
        client, f"/api/v1/sessions/{session_id}/attendance", {"marks": {str(enrolment_id): "present"}}, auth
    )
    assert marks.status_code == 200, marks.content
    done = post(client, f"/api/v1/enrolments/{enrolment_id}/transitions", {"action": "complete"}, auth)
    assert done.json()["status"] == "completed"
    assert done.json()["ects_earned"] == "5.0"


def patch(client, url, data, auth):
    return client.patch(url, data=data, content_type="application/json", **auth)


def test_cancel_cohort_and_manager_cannot_administer(world, lw, client):
    url = f"/api/v1/cohorts/{lw.cohort.pk}"
    assert patch(client, url, {"status": "cancelled"}, token(world, "manager")).status_code == 403
    response = patch(client, url, {"status": "cancelled", "cancel_reason": "Aflyst"}, token(world, "hr"))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_bulk_and_evidence_and_history_routes(world, lw, client, django_assert_max_num_queries):
    from kapabel.learning.models import Evidence

    auth = token(world, "hr")
    response = post(
        client,
        "/api/v1/enrolments/bulk",
        {
            "cohort_id": lw.cohort.pk,
            "employee_ids": [world.employee.pk, world.colleague.pk, world.manager_employee.pk],
        },
        auth,
    )
    assert response.status_code == 201, response.content
    assert (len(response.json()["booked"]), len(response.json()["waitlisted"])) == (2, 1)
    # The outsider is not in HR's grant: 404, nothing written.
    response = post(
        client,
        "/api/v1/enrolments/bulk",
        {"cohort_id": lw.cohort.pk, "employee_ids": [world.outsider.pk]},
        auth,
    )
    assert response.status_code == 404
    enrolment = Enrolment.objects.filter(cohort=lw.cohort).first()
    history = client.get(f"/api/v1/enrolments/{enrolment.pk}/transitions", **auth).json()
    assert [h["to_status"] for h in history] == ["booked"]
    refused = post(client, f"/api/v1/enrolments/{enrolment.pk}/transitions", {"action": "approve"}, auth)
    assert refused.status_code == 422
    from kapabel.competences.models import Competence
    from tests.gaps.data import make_framework

    _version, [competence] = make_framework(world.a, "Ramme", ["Kommunikation"])
    evidence = Evidence.objects.create(
        employee=world.employee, competence=competence, level=2, enrolment=enrolment
    )
    assert Competence.objects.filter(pk=competence.pk).exists()
    url = f"/api/v1/evidence/{evidence.pk}"
    assert patch(client, url, {}, token(world, "employee")).status_code == 403
    confirmed = patch(client, url, {"level": 3}, token(world, "manager"))
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["rating_id"] is not None
    assert client.get(url, **token(world, "other_municipality_admin")).status_code == 404


def test_list_pages_do_not_grow_in_queries(world, lw, client, django_assert_max_num_queries):
    for days in range(40, 52):
        make_cohort(lw.offer, days=days, capacity=3)
    auth = token(world, "hr", "read")
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/cohorts", **auth).json()["items"]) == 13
    with django_assert_max_num_queries(12):
        client.get("/api/v1/offers", **auth)
