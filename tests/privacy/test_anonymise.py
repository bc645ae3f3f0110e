"""Anonymising a person (issue 15.6): their name, e-mail and identifiers are gone from every table,
the audit log included, while the gap statistics stay exactly the same and the audit chain verifies."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from kapabel.core.audit import chain
from kapabel.core.models import AuditEvent, FailedLogin, PersonalAccessToken
from kapabel.gaps import selectors as gap_selectors
from kapabel.gaps.models import GapAggregate, GapFact, GapPriorityGroup, GapTrendAggregate
from kapabel.organisation.models import Employee, RoleAssignment
from kapabel.privacy import services

EMMA = ["Emma Employee", "e1@example.dk", "emma.private@example.org"]


def texts_everywhere() -> list[tuple[str, str, str]]:
    """(table, column, value) for every text and JSON value in the database, of every model."""
    found = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for column, value in zip(fields, row, strict=True):
                if value not in (None, "", {}, []):
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    found.append((model._meta.db_table, column, text))
    return found


def mentions(needles: list[str]) -> list[tuple[str, str, str]]:
    return [
        (table, column, text)
        for table, column, text in texts_everywhere()
        if any(needle.lower() in text.lower() for needle in needles)
    ]


def gap_statistics(world) -> dict:
    """Every stored gap figure, and what the heatmap and priorities show."""
    admin = world.user("admin")
    stored = {
        model.__name__: sorted(
            tuple(row) for row in model.objects.values_list(*[f.attname for f in model._meta.concrete_fields])
        )
        for model in (GapFact, GapAggregate, GapPriorityGroup, GapTrendAggregate)
    }
    heatmap = gap_selectors.heatmap(admin)
    return {
        "stored": stored,
        "heatmap": repr(heatmap),
        "priorities": repr(gap_selectors.priorities(admin, world.a_root)),
    }


def test_anonymising_removes_the_person_everywhere_and_keeps_the_statistics(world, rich):
    emma = world.employee
    assert len(mentions(EMMA)) > 10  # she is in many places before
    before = gap_statistics(world)
    services.person_anonymise(employee=emma, actor=world.user("admin"))
    assert mentions(EMMA) == []
    # Her username, as a whole value, in Kapabel's tables (Django's own name the model "employee").
    assert not [
        (table, column)
        for table, column, text in texts_everywhere()
        if text == "employee" and not table.startswith(("django_", "auth_"))
    ]
    assert gap_statistics(world) == before
    report = chain.verify()
    assert report.ok, report.first_break
    assert sum(c.redacted for c in report.chains) > 0


def test_what_stays_and_what_goes(world, rich):
    emma = world.employee
    services.person_anonymise(employee=emma, actor=world.user("admin"))
    emma.refresh_from_db()
    assert emma.name == f"Anonymiseret person {emma.pk}" and emma.email == "" and emma.anonymised_at
    assert (emma.unit, emma.job_role, emma.active) == (world.team1, world.role_a, True)
    user = emma.user
    assert user.username == f"anonymised-{user.pk}" and not user.is_active and not user.has_usable_password()
    assert not PersonalAccessToken.objects.filter(user=user).exists()
    assert not FailedLogin.objects.filter(username="employee").exists()
    assert not RoleAssignment.objects.filter(user=user).exists()
    # Ratings and levels stay, without free text; others' text about her is scrubbed.
    assert emma.ratings.count() > 0 and not emma.ratings.exclude(comment="").exists()
    assert rich.target.__class__.objects.get(pk=rich.target.pk).note == ""
    carl_comments = set(world.colleague.ratings.exclude(comment="").values_list("comment", flat=True))
    assert carl_comments == {"Kan lære af […]"}
    # Her audit events keep their place in the chain, with the personal part blanked.
    about = AuditEvent.objects.filter(person=emma.pk).exclude(action="core.person.anonymised")
    assert about.exists() and not about.filter(redacted_at__isnull=True).exists()
    anonymised = AuditEvent.objects.get(action="core.person.anonymised")
    assert set(anonymised.changes["redacted_events"]) >= set(about.values_list("pk", flat=True))


def test_a_person_is_anonymised_once(world, rich):
    services.person_anonymise(employee=world.employee, actor="tests")
    with pytest.raises(ValidationError):
        services.person_anonymise(employee=Employee.objects.get(pk=world.employee.pk), actor="tests")
    assert chain.verify().ok


def test_other_people_are_untouched(world, rich):
    carl = {
        "name": world.colleague.name,
        "ratings": sorted(world.colleague.ratings.values_list("level", flat=True)),
        "events": AuditEvent.objects.filter(person=world.colleague.pk, redacted_at__isnull=True).count(),
    }
    services.person_anonymise(employee=world.employee, actor="tests")
    world.colleague.refresh_from_db()
    assert world.colleague.name == carl["name"]
    assert sorted(world.colleague.ratings.values_list("level", flat=True)) == carl["ratings"]
    # Carl's events stay readable, except where they mention Emma by name.
    assert (
        AuditEvent.objects.filter(person=world.colleague.pk, redacted_at__isnull=True).count()
        >= carl["events"] - 1
    )


@pytest.mark.parametrize(
    "persona, status",
    [("admin", 302), ("platform_admin", 302), ("hr", 404), ("other_municipality_admin", 404)],
)
def test_only_administrators_anonymise(world, login, persona, status):
    client = login(world.user(persona))
    response = client.post(f"/privacy/people/{world.outsider.pk}/anonymise/", {"confirm": "on"})
    assert response.status_code == status
    world.outsider.refresh_from_db()
    assert (world.outsider.anonymised_at is not None) == (status == 302)


def test_the_page_asks_for_confirmation(world, login):
    client = login(world.user("admin"))
    response = client.post(f"/privacy/people/{world.outsider.pk}/anonymise/", {})
    assert response.status_code == 200 and response.context["form"].errors
    world.outsider.refresh_from_db()
    assert world.outsider.anonymised_at is None


def test_the_api_anonymises_with_a_write_token(world):
    from django.test import Client

    from kapabel.core import tokens

    _token, read = tokens.token_create(user=world.user("admin"), name="r", scope="read", actor="tests")
    _token, write = tokens.token_create(user=world.user("admin"), name="w", scope="write", actor="tests")
    url = f"/api/v1/employees/{world.outsider.pk}/anonymise"
    state = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {read}").json()
    assert state == {
        "employee_id": world.outsider.pk,
        "active": True,
        "anonymised_at": None,
        "may_anonymise": True,
    }
    assert Client().post(url, HTTP_AUTHORIZATION=f"Bearer {read}").status_code == 403
    response = Client().post(url, HTTP_AUTHORIZATION=f"Bearer {write}")
    assert response.status_code == 200 and response.json()["employee_id"] == world.outsider.pk
    assert AuditEvent.objects.filter(
        pk=response.json()["audit_event_id"], action="core.person.anonymised"
    ).exists()
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {read}").json()["may_anonymise"] is False
    assert Client().post(url, HTTP_AUTHORIZATION=f"Bearer {write}").status_code == 422  # once only
