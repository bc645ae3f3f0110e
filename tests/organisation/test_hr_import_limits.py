"""Issue 10 #4 and #8: uploads are kept as they came and read in the background (page and API), within
limits on what they unpack to, on rows and on the request; broken or hostile workbooks are refused
with a message, never a server error."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from openpyxl import Workbook

from kapabel.core import tokens
from kapabel.organisation.hr_import.formats import parse
from kapabel.organisation.hr_import.reading import MB, Budget, InputFile, Limits, Problem
from kapabel.organisation.models import Employee, HRImport
from tests.organisation.hr_import_helpers import SHEET, TASKS_IMMEDIATE, new_municipality, p2l_files, run

pytestmark = pytest.mark.django_db
URL = "/organisation/hr-import/"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = TASKS_IMMEDIATE


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _sheet_rows(count: int) -> bytes:
    lines = ["Medarbejdernummer;Navn;Enhed"] + [f"{i};Person {i};Løn" for i in range(1, count + 1)]
    return ("\n".join(lines) + "\n").encode()


def _bomb_zip(megabytes: int) -> bytes:
    """A small zip whose sheet unpacks to `megabytes` MB (blank lines after a valid header)."""
    return _zip({"ark.csv": b"Medarbejdernummer;Navn;Enhed\n" + b"\n" * (megabytes * MB)})


# --- Read in the background, not in the request -------------------------------------------------


def test_the_page_keeps_the_upload_and_reads_it_in_the_background(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.user("admin"))
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            URL, {"municipality": world.a.pk, "files": [SimpleUploadedFile("ark.csv", SHEET.read_bytes())]}
        )
    assert response.status_code == 302
    hr_import = HRImport.objects.get()
    # Nothing was parsed in the request: the files are kept as they came, with their checksums.
    assert hr_import.status == HRImport.Status.QUEUED and hr_import.rows == 0 and hr_import.payload is None
    assert hr_import.upload is not None and hr_import.files[0]["name"] == "ark.csv"
    assert len(hr_import.files[0]["sha256"]) == 64 and hr_import.files[0]["bytes"] == len(SHEET.read_bytes())
    assert len(queued) == 1
    queued[0]()  # the background task
    hr_import.refresh_from_db()
    assert hr_import.status == HRImport.Status.READY and hr_import.rows == 3
    assert hr_import.upload is None and hr_import.payload is not None  # parsed rows (no CPR) instead


def test_the_api_keeps_the_upload_and_reads_it_in_the_background(
    world, client, django_capture_on_commit_callbacks
):
    token = tokens.token_create(user=world.user("admin"), name="sync", scope="write", actor="tests")[1]
    auth = {"Authorization": f"Bearer {token}"}
    archive = SimpleUploadedFile("export.zip", _zip(p2l_files()))
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            f"/api/v1/municipalities/{world.a.pk}/hr-imports", {"files": [archive]}, headers=auth
        )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["rows"] == 0 and body["format"] == "plan2learn"
    assert [f["name"] for f in body["files"]] == ["export.zip"]
    queued[0]()
    detail = client.get(f"/api/v1/hr-imports/{body['id']}", headers=auth).json()
    assert detail["status"] == "succeeded" and detail["counts"]["employees_created"] == 4
    assert HRImport.objects.get().upload is None


# --- Limits on what the files unpack to and on rows ----------------------------------------------


def test_a_zip_that_unpacks_past_the_limit_is_refused_in_the_background(
    world, login, settings, django_capture_on_commit_callbacks
):
    settings.KAPABEL_IMPORT_MAX_UNPACKED_MB = 2
    bomb = _bomb_zip(5)
    assert len(bomb) < 50_000  # small as uploaded
    client = login(world.user("admin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"municipality": world.a.pk, "files": [SimpleUploadedFile("export.zip", bomb)]}
        )
    assert response.status_code == 302
    hr_import = HRImport.objects.get()
    assert hr_import.status == HRImport.Status.REJECTED and hr_import.upload is None
    [problem] = hr_import.problems
    assert problem["code"] == "too_large" and problem["file"] == "ark.csv" and problem["params"]["limit"] == 2
    page = client.get(f"{URL}{hr_import.pk}/").content.decode()
    assert "ark.csv" in page and ("2 MB" in page)


def test_a_file_is_read_as_a_stream_and_reading_stops_at_the_limit():
    served = [0]

    class Endless(io.RawIOBase):
        """A CSV that never ends: a header, then rows for ever."""

        pending = b"Medarbejdernummer;Navn;Enhed\n"

        def readable(self):
            return True

        def readinto(self, buffer):
            while len(self.pending) < len(buffer):
                self.pending += b"1;A;B\n" * 1000
            chunk, self.pending = self.pending[: len(buffer)], self.pending[len(buffer) :]
            buffer[: len(chunk)] = chunk
            served[0] += len(chunk)
            return len(chunk)

    endless = InputFile("ark.csv", lambda: io.BufferedReader(Endless()), size=None)
    dataset = parse({"ark.csv": endless}, budget=Budget(Limits(max_unpacked=1 * MB, max_rows=10**9)))
    assert dataset.fatal and [p.code for p in dataset.problems] == ["too_large"]
    assert served[0] < 2 * MB  # stopped at the limit, not read to the end (or into memory whole)


def test_declared_sizes_past_the_limit_are_refused_before_reading():
    from kapabel.organisation.hr_import.inputs import files_from_upload

    files = files_from_upload("export.zip", _bomb_zip(3))
    opened = []
    lying = {
        name: InputFile(f.name, lambda f=f: opened.append(1) or f.opener(), f.size)
        for name, f in files.items()
    }
    dataset = parse(lying, budget=Budget(Limits(max_unpacked=1 * MB, max_rows=100)))
    assert [(p.code, p.file) for p in dataset.problems] == [("too_large", "ark.csv")] and not opened


def test_rows_past_the_limit_refuse_the_file_with_its_name_and_the_limit(settings):
    settings.KAPABEL_IMPORT_MAX_ROWS = 10
    municipality = new_municipality()
    within = run(municipality, {"ark.csv": _sheet_rows(10)}, format="kapabel")
    assert within.status == HRImport.Status.SUCCEEDED, within.problems
    hr_import = run(municipality, {"ark.csv": _sheet_rows(11)}, format="kapabel")
    assert hr_import.status == HRImport.Status.REJECTED
    [problem] = hr_import.problems
    assert (problem["code"], problem["file"], problem["line"]) == ("too_many_rows", "ark.csv", 12)
    assert "10" in Problem.from_dict(problem).message
    settings.KAPABEL_IMPORT_MAX_ROWS = 3  # plan2learn: bruger.csv has four people
    hr_import = run(municipality, p2l_files())
    assert [(p["code"], p["file"]) for p in hr_import.problems] == [("too_many_rows", "organisation.csv")]


def test_limit_messages_are_translated():
    from django.utils import translation

    with translation.override("da"):
        message = Problem("too_large", file="ark.csv", params={"limit": 200}).message
        rows = Problem("too_many_rows", file="ark.csv", params={"limit": 10}).message
    assert "200 MB" in message and "filerne" in message.lower()
    assert "10" in rows and "rækker" in rows


# --- The request itself ---------------------------------------------------------------------------


def test_an_api_upload_larger_than_the_limit_is_refused_before_it_is_read(world, client, settings):
    settings.KAPABEL_IMPORT_MAX_UPLOAD_MB = 1
    token = tokens.token_create(user=world.user("admin"), name="sync", scope="write", actor="tests")[1]
    big = SimpleUploadedFile("ark.csv", _sheet_rows(10) + b"\n" * (3 * MB))
    response = client.post(
        f"/api/v1/municipalities/{world.a.pk}/hr-imports",
        {"files": [big]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert "1 MB" in response.json()["title"] and not HRImport.objects.exists()


def test_an_api_body_over_the_data_limit_is_a_413_problem(world, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    hr_import = HRImport.objects.create(
        municipality=world.a, actor_label="x", format="kapabel", source="web", status="ready", payload=b"rows"
    )
    token = tokens.token_create(user=world.user("admin"), name="sync", scope="write", actor="tests")[1]
    response = client.post(
        f"/api/v1/hr-imports/{hr_import.pk}/confirm",
        '{"skip_invalid": false, "padding": "' + "x" * 5000 + '"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"]
    assert HRImport.objects.get().status == HRImport.Status.READY


def test_a_page_upload_larger_than_the_limit_is_refused_with_a_message(world, login, settings):
    settings.KAPABEL_IMPORT_MAX_UPLOAD_MB = 1
    client = login(world.user("admin"))
    big = SimpleUploadedFile("ark.csv", _sheet_rows(10) + b"\n" * (3 * MB))
    response = client.post(URL, {"municipality": world.a.pk, "files": [big]})
    assert response.status_code == 413
    body = response.content.decode()
    assert "form-error-message" in body and ("1 MB" in body)
    assert not HRImport.objects.exists()


# --- Hostile and broken workbooks ------------------------------------------------------------------


def _workbook(patch: str | None = None, transform=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Medarbejdernummer", "Navn", "Enhed"])
    sheet.append(["1", "Anne", "Løn"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == patch:
                data = transform(data)
            archive.writestr(name, data)
    return out.getvalue()


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
)


def _billion_laughs(data: bytes) -> bytes:
    return (LAUGHS + data.decode().replace("<t>Anne</t>", "<t>&lol9;</t>", 1)).encode()


def test_the_dependency_that_refuses_xml_entities_is_installed():
    assert openpyxl.DEFUSEDXML is True


def test_a_billion_laughs_workbook_is_refused_with_a_message():
    bomb = _workbook("xl/worksheets/sheet1.xml", _billion_laughs)
    hr_import = run(new_municipality(), {"ark.xlsx": bomb}, format="kapabel")
    assert hr_import.status == HRImport.Status.REJECTED
    assert [(p["code"], p["file"]) for p in hr_import.problems] == [("xlsx_entities", "ark.xlsx")]
    assert not Employee.objects.filter(external_id="1").exists()


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_broken_xml_in_a_workbook_is_an_unreadable_file_not_a_crash(part):
    broken = _workbook(part, lambda data: data[: len(data) // 2])
    hr_import = run(new_municipality(), {"ark.xlsx": broken}, format="kapabel")
    assert hr_import.status == HRImport.Status.REJECTED
    assert [(p["code"], p["file"]) for p in hr_import.problems] == [("unreadable_xlsx", "ark.xlsx")]


def test_a_broken_workbook_through_the_api_is_a_problem_not_a_500(
    world, client, django_capture_on_commit_callbacks
):
    token = tokens.token_create(user=world.user("admin"), name="sync", scope="write", actor="tests")[1]
    auth = {"Authorization": f"Bearer {token}"}
    broken = _workbook("xl/worksheets/sheet1.xml", lambda data: data[:-40])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/municipalities/{world.a.pk}/hr-imports",
            {"files": [SimpleUploadedFile("ark.xlsx", broken)]},
            headers=auth,
        )
    assert response.status_code == 202
    detail = client.get(f"/api/v1/hr-imports/{response.json()['id']}", headers=auth).json()
    assert detail["status"] == "rejected" and detail["problems"][0]["file"] == "ark.xlsx"
    assert "XLSX" in detail["problems"][0]["message"]


def test_a_workbook_that_unpacks_past_the_limit_is_refused(settings):
    settings.KAPABEL_IMPORT_MAX_UNPACKED_MB = 1
    padded = _workbook("xl/styles.xml", lambda data: data + b" " * (2 * MB))
    hr_import = run(new_municipality(), {"ark.xlsx": padded}, format="kapabel")
    assert [(p["code"], p["file"]) for p in hr_import.problems] == [("too_large", "ark.xlsx")]


SEEN_FILES: list[str] = []


class RecordingHandler(FileUploadHandler):
    """Stands for the handlers that store files: records each file it is given."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        SEEN_FILES.append(file_name)

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def test_a_too_large_page_upload_is_not_stored_even_while_the_csrf_check_reads_the_form(world, settings):
    """The CSRF check reads a form before the view runs: the upload handler keeps it from storing the
    files, and the view still answers with the message."""
    from django.test import Client

    from tests.conftest import PASSWORD

    settings.KAPABEL_IMPORT_MAX_UPLOAD_MB = 1
    settings.FILE_UPLOAD_HANDLERS = [
        "kapabel.organisation.hr_import.uploads.UploadLimitHandler",
        f"{__name__}.RecordingHandler",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
    ]
    SEEN_FILES.clear()
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=world.user("admin").username, password=PASSWORD)
    client.get(URL)
    token = client.cookies["csrftoken"].value
    big = SimpleUploadedFile("ark.csv", _sheet_rows(10) + b"\n" * (3 * MB))
    response = client.post(URL, {"csrfmiddlewaretoken": token, "municipality": world.a.pk, "files": [big]})
    assert response.status_code == 413 and b"form-error-message" in response.content
    assert not HRImport.objects.exists() and SEEN_FILES == []  # never handed on to be stored
    small = SimpleUploadedFile("ark.csv", _sheet_rows(10))
    response = client.post(URL, {"csrfmiddlewaretoken": token, "municipality": world.a.pk, "files": [small]})
    assert response.status_code == 302 and SEEN_FILES == ["ark.csv"]
