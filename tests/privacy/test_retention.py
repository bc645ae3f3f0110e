"""Retention rules per municipality as data (issue 15.6): anonymise people N years after their
employment ended, run as a task; a dry run lists whom it would anonymise and changes nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from kapabel.core.audit import chain
from kapabel.core.models import AuditEvent
from kapabel.organisation import services as org
from kapabel.privacy import selectors, services
from kapabel.privacy.models import RetentionRule, RetentionRun
from kapabel.privacy.tasks import apply_retention

TODAY = timezone.localdate()


def years_ago(years: int, days: int = 0) -> datetime.date:
    return selectors.years_before(TODAY, years) - datetime.timedelta(days=days)


@pytest.fixture
def leavers(world):
    """Oskar left 6 years ago, Carl 2 years ago, Mette left without an end date; Emma is active."""
    org.employee_update(employee=world.outsider, active=False, employment_end=years_ago(6), actor="tests")
    org.employee_update(employee=world.colleague, active=False, employment_end=years_ago(2), actor="tests")
    org.employee_update(employee=world.manager_employee, active=False, actor="tests")
    services.retention_rule_create(
        municipality=world.a,
        years=5,
        valid_from=TODAY - datetime.timedelta(days=30),
        source="Byrådets beslutning 2026-03",
        actor=world.user("admin"),
    )


def fingerprint() -> dict[str, list]:
    """Every row of every table, to show a dry run changed nothing."""
    return {
        model._meta.label: sorted(map(repr, model._base_manager.values_list()))
        for model in apps.get_models()
        if model._meta.managed
    }


def test_a_dry_run_lists_who_is_due_and_changes_nothing(world, leavers):
    before = fingerprint()
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Oskar Outsider" in text and "would anonymise 1" in text
    assert "Carl Colleague" not in text and "Emma Employee" not in text
    assert "1 former employees have no end date" in text and "Bby Kommune (102): no retention rule" in text
    assert "Dry run: nothing was changed." in text
    assert fingerprint() == before


def test_the_run_anonymises_those_due_and_no_one_else(world, leavers):
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert "anonymised 1" in out.getvalue()
    for person, anonymised in [
        (world.outsider, True),
        (world.colleague, False),
        (world.manager_employee, False),
        (world.employee, False),
        (world.b_employee, False),
    ]:
        person.refresh_from_db()
        assert (person.anonymised_at is not None) is anonymised, person.pk
    run = RetentionRun.objects.get()
    assert (run.found, run.anonymised, run.cutoff) == (1, 1, years_ago(5))
    assert AuditEvent.objects.filter(action="privacy.retention.run").count() == 1
    assert chain.verify().ok
    # A second run finds no one.
    call_command("retention", stdout=io.StringIO())
    assert RetentionRun.objects.order_by("-id").first().found == 0


def test_the_task_applies_every_municipalitys_rule(world, leavers):
    result = apply_retention.call()
    assert result == {"municipalities": 2, "due": 1, "anonymised": 1}
    world.outsider.refresh_from_db()
    assert world.outsider.anonymised_at is not None


def test_the_rule_in_force_is_the_latest_that_applies(world, leavers):
    services.retention_rule_create(
        municipality=world.a,
        years=1,
        valid_from=TODAY + datetime.timedelta(days=10),
        source="Ny beslutning",
        actor="tests",
    )
    assert selectors.rule_in_force(world.a.pk, TODAY).years == 5
    later = TODAY + datetime.timedelta(days=10)
    assert selectors.rule_in_force(world.a.pk, later).years == 1
    out = io.StringIO()
    call_command("retention", "--dry-run", f"--date={later}", "--municipality=101", stdout=out)
    assert "Oskar Outsider" in out.getvalue() and "Carl Colleague" in out.getvalue()


def test_the_command_refuses_nonsense(world):
    with pytest.raises(CommandError):
        call_command("retention", "--municipality=999")
    with pytest.raises(CommandError):
        call_command("retention", "--date=2026-01-01")  # a past date for a real run
    with pytest.raises(CommandError):
        call_command("retention", "--enqueue", "--dry-run")


def test_leap_days_are_handled():
    assert selectors.years_before(datetime.date(2028, 2, 29), 5) == datetime.date(2023, 2, 28)


@pytest.mark.parametrize(
    "persona, status",
    [
        ("admin", 200),
        ("platform_admin", 200),
        ("hr", 403),
        ("manager", 403),
        ("other_municipality_admin", 200),
    ],
)
def test_who_manages_retention(world, login, persona, status):
    assert login(world.user(persona)).get("/privacy/retention/").status_code == status


def test_the_retention_page_sets_a_rule_and_shows_the_dry_run(world, leavers, login):
    client = login(world.user("admin"))
    response = client.get("/privacy/retention/")
    assert [e.name for e in response.context["plan"].due] == ["Oskar Outsider"]
    response = client.post(
        "/privacy/retention/", {"years": "3", "valid_from": str(TODAY), "source": "Beslutning 12"}
    )
    assert response.status_code == 302
    assert RetentionRule.objects.filter(municipality=world.a, years=3, valid_from=TODAY).exists()
    assert AuditEvent.objects.filter(action="privacy.retention_rule.created").exists()
    response = client.get("/privacy/retention/")
    assert [e.name for e in response.context["plan"].due] == ["Oskar Outsider"]
    # Invalid input is shown on the form; nothing is saved.
    response = client.post("/privacy/retention/", {"years": "0", "valid_from": "", "source": ""})
    assert response.status_code == 200 and set(response.context["form"].errors) == {
        "years",
        "valid_from",
        "source",
    }
    # The other municipality's administrator sees their own, empty, rule list.
    other = login(world.user("other_municipality_admin")).get("/privacy/retention/")
    assert other.context["plan"].rule is None and not other.context["rules"]


def test_the_api_dry_run(world, leavers, login):
    client = login(world.user("admin"))
    response = client.get(f"/api/v1/municipalities/{world.a.pk}/retention")
    assert response.status_code == 200
    body = response.json()
    assert body["rule_years"] == 5 and [p["name"] for p in body["due"]] == ["Oskar Outsider"]
    assert (
        login(world.user("other_municipality_admin"))
        .get(f"/api/v1/municipalities/{world.a.pk}/retention")
        .status_code
        == 404
    )
