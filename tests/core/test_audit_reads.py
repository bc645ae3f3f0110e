"""Reads of sensitive pages are audited (issue 15.5): a named person's profile, competence profile,
rating history and review page, on the web and through the API — but not a person reading their own."""

from __future__ import annotations

import pytest

from kapabel.core import audit
from kapabel.core.audit import chain
from kapabel.core.models import AuditEvent

READ = AuditEvent.Kind.READ


def reads(**filters):
    return AuditEvent.objects.filter(kind=READ, **filters)


@pytest.mark.parametrize(
    "url, action",
    [
        ("/organisation/employees/{pk}/", "organisation.employee.viewed"),
        ("/gaps/people/{pk}/", "gaps.person.viewed"),
        ("/clarification/people/{pk}/history/", "assessments.history.viewed"),
    ],
)
def test_reading_a_person_page_writes_a_read_record(world, login, url, action):
    manager = world.user("manager")
    assert not reads().exists()
    response = login(manager).get(url.format(pk=world.employee.pk))
    assert response.status_code == 200
    event = reads().get()
    assert (event.action, event.person, event.actor, event.municipality) == (
        action,
        world.employee.pk,
        manager,
        world.a,
    )
    assert event.object_repr == "Emma Employee"
    assert chain.verify([world.a.pk]).ok


def test_a_refused_read_writes_nothing(world, login):
    """No record for a page the user was not allowed to see (it was not read)."""
    response = login(world.user("manager")).get(f"/gaps/people/{world.outsider.pk}/")
    assert response.status_code == 404
    assert not reads().exists()


def test_reading_your_own_pages_is_not_recorded(world, login):
    client = login(world.user("employee"))
    assert client.get(f"/gaps/people/{world.employee.pk}/").status_code == 200
    assert client.get(f"/clarification/people/{world.employee.pk}/history/").status_code == 200
    assert client.get("/gaps/me/").status_code == 200
    assert not reads().exists()


def test_the_review_page_records_a_read_on_get_only(world, login):
    from tests.assessments.factories import build_assessment_world

    aw = build_assessment_world(world, competences=2)
    client = login(world.user("manager"))
    assert client.get(f"/clarification/answers/{aw.colleague_assessment.pk}/review/").status_code == 200
    event = reads().get()
    assert (event.action, event.person) == ("assessments.review.viewed", world.colleague.pk)
    assert event.object_repr == "Carl Colleague"


@pytest.mark.parametrize(
    "path, action",
    [
        ("/api/v1/employees/{pk}", "organisation.employee.viewed"),
        ("/api/v1/gaps/people/{pk}/profile", "gaps.person.viewed"),
        ("/api/v1/employees/{pk}/current-levels", "assessments.levels.viewed"),
        ("/api/v1/ratings?employee_id={pk}", "assessments.history.viewed"),
    ],
)
def test_api_reads_of_a_person_are_recorded(world, login, path, action):
    response = login(world.user("hr")).get(path.format(pk=world.colleague.pk))
    assert response.status_code == 200
    event = reads().get()
    assert (event.action, event.person, event.actor) == (action, world.colleague.pk, world.user("hr"))


def test_audit_read_is_a_helper_other_apps_call(world):
    """The helper later apps (dialogues, programmes) call after their permission-checked fetch."""
    event = audit.audit_read(world.user("hr"), world.colleague, action="dialogues.note.viewed")
    assert event is not None and event.kind == READ and event.person == world.colleague.pk
    assert audit.audit_read(world.user("employee"), world.employee, action="dialogues.note.viewed") is None
