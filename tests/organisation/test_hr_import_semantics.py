"""What an import does: upserts, moves, managers, deactivation, idempotence, validation, atomicity."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.utils import timezone
from openpyxl import Workbook

from kapabel.core.models import AuditEvent
from kapabel.organisation.hr_import import services as hr
from kapabel.organisation.hr_import.engine import applying
from kapabel.organisation.hr_import.inputs import files_from_upload
from kapabel.organisation.models import Employee, HRImport, JobRole, OrgUnit
from tests.organisation.hr_import_helpers import (
    CPRS,
    SHEET,
    new_municipality,
    p2l_files,
    problem_codes,
    replace,
    run,
    snapshot,
    zipped,
)

pytestmark = pytest.mark.django_db


def test_first_import_creates_the_organisation():
    municipality = new_municipality()
    hr_import = run(municipality, p2l_files())
    assert hr_import.status == HRImport.Status.SUCCEEDED
    assert hr_import.counts["units_created"] == 6
    assert hr_import.counts["employees_created"] == 4
    assert hr_import.counts["job_roles_created"] == 3
    assert hr_import.counts["managers_added"] == 1
    units = {u.external_id: u for u in OrgUnit.objects.filter(municipality=municipality)}
    root, lon = units["u-root"], units["u-lon"]
    assert root.parent is None and root.depth == 0 and root.path == f"/{root.pk}/"
    assert lon.path == f"/{root.pk}/{units['u-bu'].pk}/{units['u-fa'].pk}/{lon.pk}/" and lon.depth == 3
    people = {e.external_id: e for e in Employee.objects.filter(municipality=municipality)}
    assert people["p-2"].unit == units["u-fa"]  # primary engagement, not the first one
    assert people["p-2"].job_role.title == "Lønkonsulent"
    assert people["p-1"].email == "soren@testrup.dk" and people["p-1"].active
    assert not people["p-4"].active and people["p-4"].employment_start == datetime.date(2099, 3, 1)
    assert list(units["u-bu"].managers.all()) == [people["p-3"]]
    event = AuditEvent.objects.get(action="organisation.hr_import.applied")
    assert event.changes["counts"]["employees_created"] == 4
    assert hr_import.files[0]["name"] == "bruger.csv" and len(hr_import.files[0]["sha256"]) == 64


def test_no_cpr_is_stored_logged_or_echoed(caplog):
    municipality = new_municipality()
    files = p2l_files()
    replace(files, "bruger.csv", "soren@testrup.dk", "0101801234", encoding="cp1252")  # CPR in the e-mail
    hr_import = run(municipality, files)
    assert hr_import.status == HRImport.Status.REJECTED
    run(municipality, p2l_files())
    stored = json.dumps(
        [
            list(HRImport.objects.values("problems", "counts", "sample", "files")),
            list(Employee.objects.values()),
            list(AuditEvent.objects.values("changes", "object_repr")),
        ],
        default=str,
    )
    messages = " ".join(p["params"].get("value", "") for p in hr_import.problems)
    for cpr in CPRS:
        assert cpr not in stored and cpr not in caplog.text and cpr not in messages


def test_reimporting_identical_files_changes_nothing_and_says_so():
    municipality = new_municipality()
    run(municipality, p2l_files())
    before = snapshot(municipality)
    again = run(municipality, p2l_files())
    assert again.status == HRImport.Status.SUCCEEDED
    assert again.counts["changes"] == 0 and again.counts["employees_unchanged"] == 4
    assert snapshot(municipality) == before  # not even an audit event


def test_moves_renames_and_history_following_the_person():
    municipality = new_municipality()
    run(municipality, p2l_files())
    soren = Employee.objects.get(external_id="p-1")
    files = p2l_files()
    replace(files, "organisation.csv", "u-lon;Løn;u-fa", "u-lon;Løn og Personale;u-sun")
    replace(files, "engagement.csv", "e-1,p-1,u-lon", "e-1,p-1,u-pleje")
    hr_import = run(municipality, files)
    counts = hr_import.counts
    assert counts["units_moved"] == 1 and counts["units_updated"] == 1
    assert counts["employees_moved"] == 1 and counts["employees_updated"] == 1
    lon = OrgUnit.objects.get(external_id="u-lon")
    sun = OrgUnit.objects.get(external_id="u-sun")
    assert lon.name == "Løn og Personale" and lon.parent == sun
    assert lon.path == f"{sun.path}{lon.pk}/" and lon.depth == 2
    moved = Employee.objects.get(external_id="p-1")
    assert moved.pk == soren.pk and moved.unit.external_id == "u-pleje"  # same row: history follows
    assert any(row["action"] == "moved" for row in hr_import.sample)


def test_a_unit_move_in_an_import_without_job_codes_is_shown_as_a_move():
    # With no stillingskode rows the preview once failed naming a unit's change (a variable of the
    # job role loop was read in the unit loop).
    municipality = new_municipality()
    run(municipality, p2l_files())
    files = p2l_files()
    files["stillingskode.csv"] = b"StillingskodeID;AktivStatus;Stillingskode;Stillingskode#\r\n"
    replace(files, "organisation.csv", "u-lon;Løn;u-fa", "u-lon;Løn;u-sun")
    hr_import = run(municipality, files, full=False)
    assert hr_import.status == HRImport.Status.SUCCEEDED, hr_import.problems
    assert hr_import.counts["units_moved"] == 1
    assert [row["action"] for row in hr_import.sample if row["id"] == "u-lon"] == ["moved"]
    assert OrgUnit.objects.get(external_id="u-lon").parent == OrgUnit.objects.get(external_id="u-sun")


def test_a_move_carries_the_subtree_paths_along():
    municipality = new_municipality()
    run(municipality, p2l_files())
    files = p2l_files()
    replace(files, "organisation.csv", "u-fa;Fællesadministration;u-bu", "u-fa;Fællesadministration;u-sun")
    run(municipality, files)
    fa, lon = OrgUnit.objects.get(external_id="u-fa"), OrgUnit.objects.get(external_id="u-lon")
    assert lon.path == f"{fa.path}{lon.pk}/" and lon.path.startswith(
        OrgUnit.objects.get(external_id="u-sun").path
    )


def test_full_import_deactivates_the_missing_with_an_end_date_and_deletes_nothing():
    municipality = new_municipality()
    run(municipality, p2l_files())
    files = p2l_files()
    replace(files, "bruger.csv", "p-1;0101801234;Søren Østergård;soren@testrup.dk;12345678;Lønkonsulent\r\n", "",  # noqa: E501
            encoding="cp1252")  # fmt: skip
    replace(files, "engagement.csv", "e-1,p-1,u-lon,1,s-1,1,Månedsløn,\n", "")
    replace(files, "organisation.csv", "u-pleje;Hjemmeplejen Øst;u-sun;;;\r\n", "")
    replace(files, "engagement.csv", "u-pleje", "u-sun")
    hr_import = run(municipality, files)
    assert hr_import.counts["employees_deactivated"] == 1 and hr_import.counts["units_deactivated"] == 1
    gone = Employee.objects.get(external_id="p-1")
    assert not gone.active and gone.employment_end == timezone.localdate()
    assert not OrgUnit.objects.get(external_id="u-pleje").active
    # ... and back again: reactivated, end date cleared
    hr_import = run(municipality, p2l_files())
    back = Employee.objects.get(external_id="p-1")
    assert back.active and back.employment_end is None and back.pk == gone.pk


def test_partial_import_leaves_the_missing_alone():
    municipality = new_municipality()
    run(municipality, p2l_files())
    files = p2l_files()
    replace(files, "engagement.csv", "e-1,p-1,u-lon,1,s-1,1,Månedsløn,\n", "")
    replace(files, "bruger.csv", "p-1;0101801234;Søren Østergård;soren@testrup.dk;12345678;Lønkonsulent\r\n", "",  # noqa: E501
            encoding="cp1252")  # fmt: skip
    hr_import = run(municipality, files, full=False)
    assert hr_import.counts["employees_deactivated"] == 0
    assert Employee.objects.get(external_id="p-1").active


def test_managers_follow_leder_csv():
    municipality = new_municipality()
    run(municipality, p2l_files())
    files = p2l_files()
    replace(files, "leder.csv", "p-3;u-bu", "p-1;u-bu")
    hr_import = run(municipality, files)
    assert hr_import.counts["managers_added"] == 1 and hr_import.counts["managers_removed"] == 1
    assert [e.external_id for e in OrgUnit.objects.get(external_id="u-bu").managers.all()] == ["p-1"]


def test_a_zip_of_the_five_files_is_accepted():
    municipality = new_municipality()
    files = files_from_upload("export.zip", zipped(p2l_files()))
    assert sorted(files) == sorted(p2l_files())
    assert run(municipality, files).counts["employees_created"] == 4


# --- Validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "expected", "encoding"),
    [
        ("organisation.csv", "u-lon;Løn;u-fa", "u-lon;Løn;u-nowhere", ("unknown_parent", "organisation.csv", 6, "Parentid"), "utf-8-sig"),  # noqa: E501
        ("organisation.csv", "u-root;Testrup Kommune;;", "u-root;Testrup Kommune;u-lon;", ("cycle", "organisation.csv", 2, "Parentid"), "utf-8-sig"),  # noqa: E501
        ("organisation.csv", "u-sun;Sundhed", "u-fa;Sundhed", ("duplicate", "organisation.csv", 8, "AfdelingsID"), "utf-8-sig"),  # noqa: E501
        ("bruger.csv", "soren@testrup.dk", "soren(at)testrup", ("bad_email", "bruger.csv", 2, "E-mail"), "cp1252"),  # noqa: E501
        ("bruger.csv", "Frida Fremtid", "", ("required", "bruger.csv", 5, "Navn"), "cp1252"),
        ("engagement.csv", "01.03.2099", "31.02.2099", ("bad_date", "engagement.csv", 6, "StartdatoEngagement"), "utf-8-sig"),  # noqa: E501
        ("engagement.csv", "e-4,p-3", "e-4,p-9", ("unknown_person", "engagement.csv", 5, "BrugerId"), "utf-8-sig"),  # noqa: E501
        ("engagement.csv", "e-1,p-1,u-lon", "e-1,p-1,u-nowhere", ("unknown_unit", "engagement.csv", 2, "AfdelingsId"), "utf-8-sig"),  # noqa: E501
        ("engagement.csv", "s-3,1", "s-9,1", ("unknown_job_code", "engagement.csv", 5, "StillingskodeId"), "utf-8-sig"),  # noqa: E501
        ("leder.csv", "p-3;u-bu", "p-9;u-bu", ("unknown_person", "leder.csv", 2, "BrugerId"), "utf-8-sig"),
    ],
)  # fmt: skip
def test_each_problem_names_file_line_and_column_and_nothing_is_written(file, old, new, expected, encoding):
    municipality = new_municipality()
    run(municipality, p2l_files())
    before = snapshot(municipality)
    files = p2l_files()
    replace(files, file, old, new, encoding=encoding)
    replace(files, "organisation.csv", "Hjemmeplejen Øst", "Hjemmeplejen Vest")  # a change that must not land
    hr_import = run(municipality, files)
    assert hr_import.status == HRImport.Status.REJECTED
    assert expected in problem_codes(hr_import)
    assert snapshot(municipality) == before
    problem = next(p for p in hr_import.problems if p["code"] == expected[0])
    from kapabel.organisation.hr_import.reading import Problem

    assert Problem.from_dict(problem).message  # a whole sentence in the active language


def test_wrong_columns_say_what_was_expected():
    municipality = new_municipality()
    files = p2l_files()
    replace(files, "organisation.csv", "AfdelingsID;Afdelingsnavn", "Id;Navn")
    hr_import = run(municipality, files)
    assert hr_import.status == HRImport.Status.REJECTED
    [problem] = hr_import.problems
    assert problem["code"] == "missing_columns" and problem["file"] == "organisation.csv"
    assert "AfdelingsID, Afdelingsnavn" in problem["params"]["missing"]
    assert "Gade" in problem["params"]["expected"] and "Id" in problem["params"]["found"]
    assert not OrgUnit.objects.filter(municipality=municipality).exists()


def test_a_missing_file_is_reported():
    files = p2l_files()
    del files["leder.csv"]
    hr_import = run(new_municipality(), files, format="plan2learn")
    assert [p["code"] for p in hr_import.problems] == ["missing_file"]


def test_skip_invalid_imports_the_rest_and_lists_the_skipped_rows():
    municipality = new_municipality()
    files = p2l_files()
    replace(files, "organisation.csv", "u-lon;Løn;u-fa", "u-lon;Løn;u-nowhere")  # p-1 works in u-lon
    replace(files, "bruger.csv", "ase@testrup.dk", "ase@", encoding="cp1252")
    hr_import = run(municipality, files, skip_invalid=True)
    assert hr_import.status == HRImport.Status.SUCCEEDED
    codes = [p[0] for p in problem_codes(hr_import)]
    assert codes.count("unknown_parent") == 1 and "bad_email" in codes and "unknown_unit" in codes
    assert sorted(
        Employee.objects.filter(municipality=municipality).values_list("external_id", flat=True)
    ) == [
        "p-3",
        "p-4",
    ]
    assert not OrgUnit.objects.filter(external_id="u-lon").exists()


def test_a_crash_while_writing_leaves_the_database_as_it_was(monkeypatch):
    municipality = new_municipality()
    run(municipality, p2l_files())
    before = snapshot(municipality)
    files = p2l_files()
    replace(files, "organisation.csv", "u-lon;Løn;u-fa", "u-lon;Løn;u-sun")
    hr_import, dataset = hr.hrimport_receive(municipality=municipality, files=files, actor="t", source="api")

    def boom(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(applying, "_apply_units", boom)
    hr.hrimport_process(import_id=hr_import.pk, stage="run")
    hr_import.refresh_from_db()
    assert hr_import.status == HRImport.Status.FAILED and hr_import.payload is None
    assert snapshot(municipality) == before


def test_dry_run_writes_nothing_but_the_record():
    municipality = new_municipality()
    hr_import = run(municipality, p2l_files(), dry_run=True)
    assert hr_import.status == HRImport.Status.PREVIEWED and hr_import.counts["employees_created"] == 4
    assert hr_import.sample and not Employee.objects.filter(municipality=municipality).exists()


# --- Kapabel's sheet ----------------------------------------------------------------------------


def test_the_sheet_in_windows_1252_creates_units_along_paths(world):
    hr_import = run(world.a, {"medarbejdere.csv": SHEET.read_bytes()})
    assert hr_import.status == HRImport.Status.SUCCEEDED, hr_import.problems
    soren = Employee.objects.get(municipality=world.a, external_id="1001")
    assert soren.unit.name == "Løn" and soren.unit.parent.name == "Fællesadministration"
    assert soren.unit.parent.parent.name == "Børn og Unge" and soren.unit.parent.parent.parent == world.a_root
    assert soren.employment_start == datetime.date(2015, 2, 1) and soren.weekly_hours == 37
    ase = Employee.objects.get(municipality=world.a, external_id="1002")
    assert ase.name == "Åse Ærø" and str(ase.weekly_hours) == "32.50"
    assert ase.job_role.title == "Konsulent,\r\nløn og personale".replace("\r\n", "\n") or ase.job_role
    assert ase in ase.unit.managers.all()
    jens = Employee.objects.get(municipality=world.a, external_id="1003")
    assert not jens.active and jens.employment_end == datetime.date(2020, 12, 31)
    # a sheet import is partial by default: the world's people stay active
    assert Employee.objects.get(pk=world.employee.pk).active


def test_the_sheet_as_xlsx_with_an_existing_unit_id(world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Medarbejdernummer", "Navn", "E-mail", "Enhed", "Timer pr. uge", "Ansat fra", "Leder"])
    # A spreadsheet cell holds a date-time without a time zone, as Excel writes it.
    sheet.append([2001, "Xenia Xlsx", "x@aby.dk", "A111", 30.5, datetime.datetime(2021, 5, 1), "ja"])  # noqa: DTZ001
    sheet.append([2002, "Yrsa", "y@aby.dk", "Forvaltning Et/Center Et", None, "03.04.2022", "nej"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    hr_import = run(world.a, {"ark.xlsx": buffer.getvalue()})
    assert hr_import.status == HRImport.Status.SUCCEEDED, hr_import.problems
    xenia = Employee.objects.get(external_id="2001")
    assert xenia.unit == world.team1 and xenia.employment_start == datetime.date(2021, 5, 1)
    assert str(xenia.weekly_hours) == "30.50" and xenia in world.team1.managers.all()
    assert Employee.objects.get(external_id="2002").unit == world.centre1
    assert (
        hr_import.counts["units_created"] == 0 and JobRole.objects.filter(municipality=world.a).count() == 1
    )


def test_the_sheet_reports_bad_values_with_line_and_column(world):
    data = "Medarbejdernummer;Navn;Enhed;Timer pr. uge;Ansat fra;Ansat til\n1;A;X;lots;01-01-2020;01-01-2019\n2;;X;;;\n"  # noqa: E501
    hr_import = run(world.a, {"ark.csv": data.encode()})
    assert hr_import.status == HRImport.Status.REJECTED
    assert set(problem_codes(hr_import)) == {
        ("bad_decimal", "ark.csv", 2, "Timer pr. uge"),
        ("end_before_start", "ark.csv", 2, "Ansat til"),
        ("required", "ark.csv", 3, "Navn"),
    }
