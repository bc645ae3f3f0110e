"""The three ways in: the web page (upload → check → preview → confirm → progress), the API and
`kapabel import-hr`. Each checks who may import, and that other municipalities' imports stay hidden."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from kapabel.core import tokens
from kapabel.core.models import Role
from kapabel.organisation.models import Employee, HRImport, RoleAssignment
from tests.organisation.hr_import_helpers import P2L, SHEET, TASKS_IMMEDIATE, p2l_files, replace, zipped

pytestmark = pytest.mark.django_db
URL = "/organisation/hr-import/"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = TASKS_IMMEDIATE


def upload(client, world, files, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            URL,
            {"municipality": world.a.pk, "files": files, **data},
        )


def test_admin_uploads_previews_confirms_and_sees_the_outcome(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.user("admin"))
    archive = SimpleUploadedFile("export.zip", zipped(p2l_files()), content_type="application/zip")
    response = upload(client, world, [archive], django_capture_on_commit_callbacks)
    hr_import = HRImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}{hr_import.pk}/"
    assert hr_import.status == HRImport.Status.READY and hr_import.source == "web"
    assert hr_import.counts["employees_created"] == 4 and hr_import.counts["employees_deactivated"] == 4
    assert not Employee.objects.filter(external_id="p-1").exists()  # nothing written before confirming
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Medarbejdere oprettet" in page.content.decode() or "Employees created" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"{URL}{hr_import.pk}/confirm/")
    assert confirmed.status_code == 302
    hr_import.refresh_from_db()
    assert hr_import.status == HRImport.Status.SUCCEEDED and hr_import.payload is None
    assert Employee.objects.get(external_id="p-1").municipality == world.a
    fragment = client.get(f"{URL}{hr_import.pk}/", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b'id="import-status"' in fragment.content
    assert b"hx-trigger" not in fragment.content  # finished: polling stops


def test_errors_need_an_explicit_choice_to_skip(world, login, django_capture_on_commit_callbacks):
    client = login(world.user("admin"))
    files = p2l_files()
    replace(files, "bruger.csv", "ase@testrup.dk", "ase@", encoding="cp1252")
    uploads = [SimpleUploadedFile(name, data) for name, data in files.items()]
    response = upload(client, world, uploads, django_capture_on_commit_callbacks)
    hr_import = HRImport.objects.get()
    assert hr_import.status == HRImport.Status.READY and hr_import.error_count == 1
    page = client.get(response["Location"]).content.decode()
    assert "bruger.csv" in page and 'name="skip_invalid"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{URL}{hr_import.pk}/confirm/")
    hr_import.refresh_from_db()
    assert hr_import.status == HRImport.Status.READY  # refused: nothing written
    assert not Employee.objects.filter(external_id="p-1").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{URL}{hr_import.pk}/confirm/", {"skip_invalid": "on"})
    hr_import.refresh_from_db()
    assert hr_import.status == HRImport.Status.SUCCEEDED and hr_import.skip_invalid
    assert Employee.objects.filter(external_id="p-1").exists()
    assert not Employee.objects.filter(external_id="p-2").exists()


def test_progress_fragment_polls_while_running(world, login):
    hr_import = HRImport.objects.create(
        municipality=world.a, actor_label="x", format="kapabel", source="web", status="applying",
        progress_done=3, progress_total=4,
    )  # fmt: skip
    response = login(world.user("admin")).get(f"{URL}{hr_import.pk}/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="75"' in body


@pytest.mark.parametrize("persona", ["employee", "manager", "hr", "coordinator"])
def test_only_administrators_and_whole_municipality_hr_may_import(world, login, persona):
    client = login(world.user(persona))
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"municipality": world.a.pk, "files": [SimpleUploadedFile("a.csv", b"x")]})
    assert response.status_code == 403
    assert not HRImport.objects.exists()


def test_hr_with_a_whole_municipality_grant_may_import(world, login, django_capture_on_commit_callbacks):
    RoleAssignment.objects.create(user=world.user("hr"), role=Role.HR, municipality=world.a)
    client = login(world.user("hr"))
    assert client.get(URL).status_code == 200
    response = upload(client, world, [SimpleUploadedFile("ark.csv", SHEET.read_bytes())],
                      django_capture_on_commit_callbacks)  # fmt: skip
    assert response.status_code == 302 and HRImport.objects.get().status == HRImport.Status.READY


def test_other_municipality_cannot_see_or_upload(world, login):
    hr_import = HRImport.objects.create(municipality=world.a, actor_label="x", format="kapabel", source="web")
    client = login(world.user("other_municipality_admin"))
    assert client.get(f"{URL}{hr_import.pk}/").status_code == 404
    assert client.post(f"{URL}{hr_import.pk}/confirm/").status_code == 404
    page = client.get(URL)
    assert page.status_code == 200 and f"{URL}{hr_import.pk}/" not in page.content.decode()
    response = client.post(URL, {"municipality": world.a.pk, "files": [SimpleUploadedFile("a.csv", b"x")]})
    assert response.status_code == 200 and not HRImport.objects.filter(municipality=world.b).exists()


def test_list_page_query_count_does_not_grow(world, login, django_assert_max_num_queries):
    for _ in range(30):
        HRImport.objects.create(municipality=world.a, actor_label="x", format="plan2learn", source="cli")
    client = login(world.user("admin"))
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200


def test_templates_download(world, login):
    client = login(world.user("admin"))
    xlsx = client.get(f"{URL}template.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    csv_file = client.get(f"{URL}template.csv")
    assert csv_file.content.decode("utf-8-sig").startswith("Medarbejdernummer;Navn;E-mail;Enhed;Stilling")


# --- API ------------------------------------------------------------------------------------------


def test_api_upload_runs_in_the_background_and_reports(world, client, django_capture_on_commit_callbacks):
    token = tokens.token_create(user=world.user("admin"), name="sync", scope="write", actor="tests")[1]
    auth = {"Authorization": f"Bearer {token}"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/municipalities/{world.a.pk}/hr-imports",
            {"files": [SimpleUploadedFile(n, d) for n, d in p2l_files().items()], "full": "false"},
            headers=auth,
        )
    assert response.status_code == 202, response.content
    import_id = response.json()["id"]
    detail = client.get(f"/api/v1/hr-imports/{import_id}", headers=auth).json()
    assert detail["status"] == "succeeded" and detail["counts"]["employees_created"] == 4
    assert detail["counts"]["employees_deactivated"] == 0  # full=false
    listing = client.get("/api/v1/hr-imports", headers=auth).json()
    assert [item["id"] for item in listing["items"]] == [import_id]


def test_api_reports_problems_and_read_only_tokens_cannot_import(
    world, client, django_capture_on_commit_callbacks
):
    read = tokens.token_create(user=world.user("admin"), name="r", scope="read", actor="tests")[1]
    response = client.post(
        f"/api/v1/municipalities/{world.a.pk}/hr-imports",
        {"files": [SimpleUploadedFile("ark.csv", b"Navn;Enhed\nx;y\n")]},
        headers={"Authorization": f"Bearer {read}"},
    )
    assert response.status_code == 403
    client.force_login(world.user("admin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/municipalities/{world.a.pk}/hr-imports",
            {"files": [SimpleUploadedFile("ark.csv", b"Navn;Enhed\nx;y\n")]},
        )
    assert response.status_code == 202
    assert response.json()["status"] == "queued"  # the files are read in the background, not here
    body = client.get(f"/api/v1/hr-imports/{response.json()['id']}").json()
    assert body["status"] == "rejected" and body["problems"][0]["file"] == "ark.csv"
    assert "Medarbejdernummer" in body["problems"][0]["message"]
    other = client.get(f"/api/v1/municipalities/{world.b.pk}/hr-imports")
    assert other.status_code == 404


# --- Command line ---------------------------------------------------------------------------------


def test_command_dry_run_then_import_then_nothing_changed(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("import-hr", str(P2L), "--municipality", "101", "--dry-run", stdout=out, stderr=err)
    assert "4" in out.getvalue() and not Employee.objects.filter(external_id="p-1").exists()
    call_command("import-hr", str(P2L), "--municipality", "101", stdout=out, stderr=err)
    assert Employee.objects.get(external_id="p-1").active
    assert not Employee.objects.get(pk=world.employee.pk).active  # full import: not in the files
    out = io.StringIO()
    call_command("import-hr", str(P2L), "--municipality", "101", stdout=out, stderr=err)
    text = out.getvalue()
    assert "Intet blev ændret" in text or "Nothing changed" in text
    assert HRImport.objects.filter(source="cli").count() == 3


def test_command_refuses_files_with_errors(world, tmp_path):
    bad = tmp_path / "ark.csv"
    bad.write_bytes("Medarbejdernummer;Navn;Enhed;E-mail\n1;A;Løn;nope\n".encode("cp1252"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-hr", str(bad), "--municipality", "101", stdout=out, stderr=io.StringIO())
    assert "ark.csv" in out.getvalue() and not Employee.objects.filter(external_id="1").exists()
    call_command("import-hr", str(bad), "--municipality", "101", "--skip-invalid", stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    with pytest.raises(CommandError):
        call_command("import-hr", str(bad), stdout=out, stderr=io.StringIO())  # two municipalities


def test_upload_without_files_is_a_form_error(world, login):
    response = login(world.user("admin")).post(URL, {"municipality": world.a.pk})
    assert response.status_code == 200 and b"form-error-message" in response.content
    assert not HRImport.objects.exists()


def test_the_preview_names_job_roles_and_says_yes_or_no(world, login, django_capture_on_commit_callbacks):
    # The preview once showed database ids ("stilling: 6 → 5") and Python values ("True → False").
    client = login(world.user("admin"))
    archive = SimpleUploadedFile("export.zip", zipped(p2l_files()), content_type="application/zip")
    upload(client, world, [archive], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{URL}{HRImport.objects.get().pk}/confirm/")
    files = p2l_files()
    replace(files, "engagement.csv", "e-1,p-1,u-lon,1,s-1", "e-1,p-1,u-lon,1,s-3")
    archive = SimpleUploadedFile("export.zip", zipped(files), content_type="application/zip")
    response = upload(client, world, [archive], django_capture_on_commit_callbacks)
    hr_import = HRImport.objects.latest("pk")
    row = next(r for r in hr_import.sample if r["id"] == "p-1")
    assert row["changes"]["job_role"] == ["Lønkonsulent", "Afdelingsleder"]
    page = client.get(response["Location"]).content.decode()
    assert "Lønkonsulent → Afdelingsleder" in page
    first = client.get(f"{URL}{HRImport.objects.earliest('pk').pk}/").content.decode()
    assert "True" not in first and "False" not in first
    assert ": ja → nej" in first or ": yes → no" in first
