"""The GDPR export (issue 15.6): everything Kapabel holds about a person, from every app, as JSON and
XLSX, from the page and the API — and nothing of anyone else."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from kapabel.core import personal_data
from kapabel.core.models import AuditEvent
from kapabel.privacy import services

OTHERS = ["Carl Colleague", "Mette Manager", "Oskar Outsider", "Bente Bby", "e2@example.dk", "e3@example.dk"]
OTHER_USERNAMES = ["manager", "hr", "coordinator", "admin", "platform_admin"]


def sections_by_key(document) -> dict[str, list[dict]]:
    return {section["key"]: section["records"] for part in document["parts"] for section in part["sections"]}


def assert_nothing_of_others(text: str) -> None:
    lowered = text.lower()
    for other in OTHERS:
        assert other.lower() not in lowered, other
    for username in OTHER_USERNAMES:
        assert f'"{username}"' not in lowered, username


def test_the_export_holds_the_persons_data_from_every_app(world, rich, login):
    response = login(world.user("admin")).get(f"/privacy/people/{world.employee.pk}/export/?format=json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "no-store" in response["Cache-Control"] and "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["format"] == "kapabel.person-export" and document["person"]["name"] == "Emma Employee"
    # Every registered app has its part, in the registry's order.
    assert [part["key"] for part in document["parts"]] == [h.key for h in personal_data.holders()]
    assert {"core", "organisation", "competences", "assessments", "gaps", "learning", "dialogues", "sso"} <= {
        p["key"] for p in document["parts"]
    }
    sections = sections_by_key(document)
    assert sections["login"][0]["username"] == "employee"
    assert sections["login"][0]["email"] == "emma.private@example.org"
    assert [t["name"] for t in sections["api_tokens"]] == ["Emmas script"]
    assert sections["employee"][0]["email"] == "e1@example.dk"
    assert sections["employee"][0]["unit"] == "Team Alfa"
    sources = {r["source"] for r in sections["ratings"]}
    assert {"Selvvurdering", "Ledervurdering"} <= sources
    assert any(r["comment"] == "Jeg vil gerne lære mere" for r in sections["ratings"])
    assert sections["current_levels"] and sections["gaps"]
    assert sections["needs_answers"][0]["answer"] == "Mere om digitalisering, Emma"
    assert sections["individual_targets"][0]["note"] == "Aftalt med Emma Employee til MUS"
    assert [c["comment"] for c in sections["consultation_comments"]] == ["Jeg foreslår et højere mål"]
    assert len(sections["consultations"]) == 1
    # The audit trail: who read her data, as a role only.
    reads = [e for e in sections["audit_about"] if e["kind"] == "Opslag"]
    assert reads and all(e["by"] == "En anden bruger" for e in reads)


def test_the_export_holds_nothing_of_other_people(world, rich, login):
    client = login(world.user("admin"))
    text = client.get(f"/privacy/people/{world.employee.pk}/export/?format=json").content.decode()
    assert "Emma Employee" in text
    assert_nothing_of_others(text)
    # The manager's comment on Emma's rating is about Emma and stays; the one on Carl's does not come along.
    assert "Emma Employee er stærk her" in text and "Kan lære af Emma Employee" not in text
    assert "Godt forslag fra Emma Employee" not in text  # HR's comment: HR's data, not hers


def test_the_spreadsheet_has_the_same_sections(world, rich, login):
    response = login(world.user("admin")).get(f"/privacy/people/{world.employee.pk}/export/?format=xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    titles = workbook.sheetnames
    assert titles[0] == "Udtræk" and "Bedømmelser af personen" in titles and "Mål, niveauer og gab" in titles
    cells = " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    assert "Emma Employee" in cells and "Jeg foreslår et højere mål" in cells
    assert_nothing_of_others(cells.replace("'", '"'))


def test_an_export_is_recorded_in_the_audit_log(world, rich, login):
    login(world.user("admin")).get(f"/privacy/people/{world.employee.pk}/export/?format=xlsx")
    event = AuditEvent.objects.filter(action="privacy.person.exported").get()
    assert event.person == world.employee.pk and event.kind == "read" and event.changes == {"format": "xlsx"}


@pytest.mark.parametrize(
    "persona, index, person",
    [
        ("employee", 403, 404),
        ("manager", 403, 404),
        ("hr", 403, 404),  # HR granted a subtree, not the whole municipality
        ("coordinator", 403, 404),
        ("admin", 200, 200),
        ("platform_admin", 200, 200),
        ("other_municipality_admin", 200, 404),  # their own municipality's page; not A's people
    ],
)
def test_who_may_see_and_export(world, login, persona, index, person):
    client = login(world.user(persona))
    assert client.get("/privacy/").status_code == index
    assert client.get(f"/privacy/people/{world.employee.pk}/").status_code == person
    assert client.get(f"/privacy/people/{world.employee.pk}/export/?format=json").status_code == person
    assert client.get(f"/api/v1/employees/{world.employee.pk}/personal-data").status_code == person


def test_hr_with_the_whole_municipality_may_export(world, login):
    from kapabel.core.models import Role
    from kapabel.organisation.models import RoleAssignment

    RoleAssignment.objects.create(user=world.user("coordinator"), role=Role.HR, municipality=world.a)
    client = login(world.user("coordinator"))
    assert client.get(f"/privacy/people/{world.employee.pk}/export/?format=json").status_code == 200
    # ... but may not anonymise.
    assert client.get(f"/privacy/people/{world.employee.pk}/anonymise/").status_code == 403


def test_the_api_gives_the_same_export(world, rich, login):
    client = login(world.user("admin"))
    response = client.get(f"/api/v1/employees/{world.employee.pk}/personal-data")
    assert response.status_code == 200
    document = response.json()
    assert sections_by_key(document)["employee"][0]["name"] == "Emma Employee"
    assert_nothing_of_others(response.content.decode())
    xlsx = client.get(f"/api/v1/employees/{world.employee.pk}/personal-data.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    other = login(world.user("other_municipality_admin"))
    assert other.get(f"/api/v1/employees/{world.employee.pk}/personal-data").status_code == 404


def test_the_person_page_lists_what_is_held(world, rich, login, django_assert_max_num_queries):
    client = login(world.user("admin"))
    with django_assert_max_num_queries(60):
        response = client.get(f"/privacy/people/{world.employee.pk}/")
    assert response.status_code == 200
    parts = response.context["parts"]
    assert {p.key for p in parts} == {h.key for h in personal_data.holders()}
    body = response.content.decode()
    assert "Bedømmelser af personen" in body and "Anonymiser" in body
    assert AuditEvent.objects.filter(action="privacy.person.viewed", person=world.employee.pk).exists()


def test_the_search_finds_people_who_left_too(world, login):
    from kapabel.organisation import services as org

    org.employee_update(employee=world.outsider, active=False, actor="tests")
    client = login(world.user("admin"))
    page = client.get("/privacy/?q=Oskar").context["page"]
    assert [e.name for e in page.object_list] == ["Oskar Outsider"]
    assert client.get("/privacy/?q=Bente").context["page"].paginator.count == 0  # another municipality


def test_the_export_registry_covers_an_app_that_registers_later(world, rich, settings):
    """An app added later is covered by registering its holder; nothing else changes."""
    from kapabel.core.personal_data import Field, Section

    class LaterData:
        key = "a-later-app"
        title = "A later app"
        models = ()

        def export(self, person):
            return [Section("grants", "Grants", [Field("offer", "Offer")], [["Excel for begyndere"]])]

        def anonymise(self, person, *, actor):
            return 0

    personal_data.register(LaterData())
    try:
        document = services.export_document(world.employee, actor=world.user("admin"))
        assert sections_by_key(document)["grants"] == [{"offer": "Excel for begyndere"}]
    finally:
        personal_data._holders[:] = [h for h in personal_data._holders if h.key != "a-later-app"]
