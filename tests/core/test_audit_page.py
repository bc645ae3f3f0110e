"""The audit log page in words people read (issue 11.7): who did what to which object, before → after
by field label, codes and checksums behind a details toggle; search by person, object type, object,
action and date; paginated; only administrators of the municipality."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from kapabel.core import audit
from kapabel.core.models import AuditEvent
from kapabel.organisation import services

ADMIN_ONLY = [
    ("employee", 403),
    ("manager", 403),
    ("hr", 403),
    ("coordinator", 403),
    ("admin", 200),
    ("platform_admin", 200),
    ("other_municipality_admin", 200),
]


def text_of(html: str) -> str:
    """The page's text as a sighted reader sees it (screen-reader-only words left out)."""
    html = re.sub(r'<span class="sr-only">[^<]*</span>', "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("persona, status", ADMIN_ONLY)
def test_only_administrators_read_the_log(world, login, persona, status):
    assert login(world.user(persona)).get("/audit/").status_code == status


def test_a_municipality_administrator_sees_only_their_municipality(world, login):
    body = login(world.user("other_municipality_admin")).get("/audit/").content.decode()
    assert "Bente Bby" in body and "Emma Employee" not in body
    # Asking for another municipality's person or object finds nothing.
    body = login(world.user("other_municipality_admin")).get(f"/audit/?person_id={world.employee.pk}").content
    assert b"Emma Employee" not in body


def test_changes_are_shown_in_words_with_field_labels_and_names(world, login, settings):
    settings.LANGUAGE_CODE = "en"
    services.employee_update(
        employee=world.employee,
        name="Emma Hansen",
        unit=world.team2,
        active=False,
        actor=world.user("admin"),
    )
    client = login(world.user("admin"))
    response = client.get("/audit/?action=organisation.employee.updated", HTTP_ACCEPT_LANGUAGE="en")
    body = text_of(response.content.decode())
    assert "Changed an employee" in body
    assert "Employee: Emma Hansen" in body
    # Field labels (verbose_name), names for foreign keys, words for booleans — not ids or Python values.
    assert "Name: Emma Employee → Emma Hansen" in body
    assert "Unit: Team Alfa → Team Beta" in body
    assert "Active: Yes → No" in body
    assert f"unit: {world.team1.pk}" not in body.lower()
    # The codes behind the details toggle.
    details = response.content.decode()
    assert "<details" in details and "organisation.employee.updated" in details
    event = AuditEvent.objects.filter(action="organisation.employee.updated").latest("id")
    assert event.hash in details


def test_the_log_is_in_danish_by_default(world, login):
    services.employee_update(employee=world.employee, name="Emma Hansen", actor=world.user("admin"))
    body = text_of(
        login(world.user("admin")).get("/audit/?action=organisation.employee.updated").content.decode()
    )
    assert "Ændrede en medarbejder" in body and "Navn: Emma Employee → Emma Hansen" in body


def test_search_by_person_finds_what_they_did_and_what_concerns_them(world, login):
    admin = world.user("admin")
    services.employee_update(employee=world.colleague, weekly_hours=30, actor=admin)
    audit.audit_read(world.user("manager"), world.employee, action="gaps.person.viewed")
    client = login(admin)
    # About Emma (by name): her creation, her login link and the read of her page; nothing about Carl.
    page = client.get("/audit/?person=Emma").context["page"]
    events = list(page.object_list)
    assert events and all(e.person == world.employee.pk or "Emma" in e.actor_label for e in events)
    assert any(e.action == "gaps.person.viewed" for e in events)
    # By the user who did it.
    page = client.get("/audit/?person=admin").context["page"]
    assert {e.actor_id for e in page.object_list} == {admin.pk}
    page = client.get(f"/audit/?actor_id={admin.pk}").context["page"]
    assert [e.object_repr for e in page.object_list] == ["Carl Colleague"]


def test_search_by_object_type_object_action_kind_and_date(world, login):
    client = login(world.user("admin"))
    audit.audit_read(world.user("manager"), world.employee, action="gaps.person.viewed")
    page = client.get("/audit/?object_type=organisation.orgunit").context["page"]
    assert page.paginator.count and {e.object_type for e in page.object_list} == {"organisation.orgunit"}
    page = client.get("/audit/?object=Team Alfa").context["page"]
    assert {e.object_repr for e in page.object_list} == {"Team Alfa"}
    page = client.get("/audit/?kind=read").context["page"]
    assert [e.action for e in page.object_list] == ["gaps.person.viewed"]
    page = client.get("/audit/?action=organisation.unit").context["page"]
    assert all(e.action.startswith("organisation.unit") for e in page.object_list)
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert client.get(f"/audit/?date_from={tomorrow}").context["page"].paginator.count == 0
    assert client.get(f"/audit/?date_to={today}&date_from={today}").context["page"].paginator.count > 0
    # An impossible range is an error on the form, not a crash.
    response = client.get(f"/audit/?date_from={tomorrow}&date_to={today}")
    assert response.status_code == 200 and response.context["form"].errors["date_to"]


def test_the_object_type_filter_offers_the_types_in_the_log_by_name(world, login, settings):
    form = login(world.user("admin")).get("/audit/", HTTP_ACCEPT_LANGUAGE="da").context["form"]
    choices = dict(form.fields["object_type"].choices)
    assert choices["organisation.employee"] == "Medarbejder"
    assert choices["organisation.orgunit"] == "Organisatorisk enhed"


def test_the_log_is_paginated_with_the_search_kept(world, login, django_assert_max_num_queries):
    for n in range(60):
        audit.record(
            "tests.bulk",
            actor="tests",
            municipality_id=world.a.pk,
            object_type="organisation.employee",
            object_id=str(world.employee.pk),
            object_repr=f"Thing {n}",
            changes={"unit": [world.team1.pk, world.team2.pk]},
        )
    client = login(world.user("admin"))
    with django_assert_max_num_queries(20):
        response = client.get("/audit/?action=tests.bulk")
    page = response.context["page"]
    assert page.paginator.count == 60 and len(page.object_list) == 50
    assert "?action=tests.bulk&amp;page=2" in response.content.decode()
    assert len(client.get("/audit/?action=tests.bulk&page=2").context["page"].object_list) == 10


def test_anonymised_entries_are_marked(world, login):
    from kapabel.privacy import services as privacy

    privacy.person_anonymise(employee=world.outsider, actor=world.user("admin"))
    body = login(world.user("admin")).get(f"/audit/?person_id={world.outsider.pk}").content.decode()
    assert "Oskar Outsider" not in body and "Anonymiseret" in body
