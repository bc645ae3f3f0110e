"""The programmes API: the same rules as the pages (names only for those who run the programme, 404
across municipalities), the report, and refusals as 422 problems."""

from __future__ import annotations

import pytest

from kapabel.programmes.models import Application, SchemeKind, Substitute
from tests.dialogues.helpers import call, token

from .factories import scheme
from .test_views import prog  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_report_through_the_api(world, prog, client):  # noqa: F811
    body = client.get(f"/api/v1/programmes/{prog.pk}/report", **token(world, "coordinator", "read")).json()
    assert body["programme"] == "KAMBU"
    assert body["placements"][0]["ydelse"] == 6617.08
    steering = client.get(f"/api/v1/programmes/{prog.pk}/report", **token(world, "manager", "read")).json()
    assert steering["names_shown"] is False and "Vikar Vibeke" not in str(steering)
    other = client.get(
        f"/api/v1/programmes/{prog.pk}/report", **token(world, "other_municipality_admin", "read")
    )
    assert other.status_code == 404


def test_substitutes_only_for_those_who_run_the_programme(world, prog, client):  # noqa: F811
    ok = client.get(f"/api/v1/programmes/{prog.pk}/substitutes", **token(world, "hr", "read"))
    assert [s["name"] for s in ok.json()] == ["Vikar Vibeke"]
    assert (
        client.get(f"/api/v1/programmes/{prog.pk}/substitutes", **token(world, "manager", "read")).status_code
        == 403
    )


def test_create_placement_outside_employment_is_a_422(world, prog, client):  # noqa: F811
    sub = Substitute.objects.get()
    emma = prog.participants.get(employee=world.employee)
    response = call(
        client,
        "POST",
        f"/api/v1/programmes/{prog.pk}/placements",
        token(world, "coordinator"),
        {
            "substitute_id": sub.pk,
            "participant_ids": [emma.pk],
            "starts_on": "2015-06-01",
            "ends_on": "2015-06-30",
            "hours_per_week": "20",
        },
    )
    assert response.status_code == 422, response.content
    assert "outside the substitute's employment" in response.content.decode()


def test_application_lifecycle(world, prog, client):  # noqa: F811
    auth = token(world, "coordinator")
    created = call(
        client,
        "POST",
        f"/api/v1/programmes/{prog.pk}/applications",
        auth,
        {
            "scheme_id": scheme(SchemeKind.KOMPETENCEFOND).pk,
            "title": "Akademi",
            "education_starts_on": "2027-03-01",
            "eligible_costs": "10000",
        },
    )
    assert created.status_code == 201, created.content
    app_id = created.json()["id"]
    late = call(
        client,
        "PATCH",
        f"/api/v1/programmes/{prog.pk}/applications/{app_id}",
        auth,
        {"status": "submitted", "on": "2027-03-01"},
    )
    assert late.status_code == 422
    ok = call(
        client,
        "PATCH",
        f"/api/v1/programmes/{prog.pk}/applications/{app_id}",
        auth,
        {"status": "submitted", "on": "2026-06-01"},
    )
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    assert Application.objects.get().submitted_on.isoformat() == "2026-06-01"


def test_schemes_listed_and_edited_by_platform_admin_only(world, client):
    schemes = client.get("/api/v1/funding-schemes", **token(world, "hr", "read")).json()
    jr = next(s for s in schemes if s["kind"] == "jobrotation")
    assert any(p["key"] == "hourly_rate" and float(p["value"]) == 203.17 for p in jr["parameters"])
    body = {
        "key": "hourly_rate",
        "value": "207.50",
        "valid_from": "2025-01-01",
        "valid_to": "2025-12-31",
        "source": "STAR",
    }
    assert (
        call(
            client, "POST", f"/api/v1/funding-schemes/{jr['id']}/parameters", token(world, "admin"), body
        ).status_code
        == 403
    )
    response = call(
        client, "POST", f"/api/v1/funding-schemes/{jr['id']}/parameters", token(world, "platform_admin"), body
    )
    assert response.status_code == 201, response.content
