"""The catalogue import page: upload → preview (nothing written, the file kept on the record) →
confirm (written, one audit event) or discard; broken files are rejected with their problems; only HR,
coordinators and administrators of the municipality, and nobody from another municipality."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kapabel.core.models import AuditEvent
from kapabel.learning.catalogue_import import services as import_services
from kapabel.learning.models import CatalogueImport, Offer
from tests.learning.test_catalogue_import import FIXTURES, setup_catalogue

URL = "/learning/catalogue/import/"


@pytest.fixture(autouse=True)
def _catalogue(world):
    setup_catalogue(world)


def upload(client, name="kursusliste_cp1252.csv"):
    data = (FIXTURES / name).read_bytes()
    return client.post(URL, {"file": SimpleUploadedFile(name, data)})


def test_upload_preview_then_confirm(world, login):
    client = login(world.user("hr"))
    assert client.get(URL).status_code == 200
    response = upload(client)
    record = CatalogueImport.objects.get()
    assert response.status_code == 302
    assert response.url == f"{URL}{record.pk}/"
    assert record.status == "ready"
    assert bytes(record.payload) == (FIXTURES / "kursusliste_cp1252.csv").read_bytes()
    assert not Offer.objects.exists()  # the preview writes nothing
    page = client.get(response.url).content.decode()
    assert "Økonomistyring for ledere" in page  # an example of the changes
    assert f'action="{URL}{record.pk}/confirm/"' in page
    assert record.counts["offers_created"] == 5
    assert client.get(f"{URL}{record.pk}/confirm/").status_code == 405
    response = client.post(f"{URL}{record.pk}/confirm/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.payload) == ("succeeded", None)
    assert Offer.objects.filter(municipality=world.a).count() == 5
    assert (
        AuditEvent.objects.filter(action="learning.catalogue_import.applied", actor=world.user("hr")).count()
        == 1
    )
    # Confirming twice does nothing more.
    client.post(f"{URL}{record.pk}/confirm/")
    assert Offer.objects.count() == 5
    assert AuditEvent.objects.filter(action="learning.catalogue_import.applied").count() == 1


def test_discard_writes_nothing_and_drops_the_file(world, login):
    client = login(world.user("admin"))
    upload(client, "kursusliste.xlsx")
    record = CatalogueImport.objects.get()
    assert client.post(f"{URL}{record.pk}/discard/").status_code == 302
    record.refresh_from_db()
    assert (record.status, record.payload) == ("discarded", None)
    client.post(f"{URL}{record.pk}/confirm/")
    assert not Offer.objects.exists()


def test_broken_file_is_rejected_with_its_problems(world, login):
    client = login(world.user("coordinator"))
    upload(client, "kursusliste_fejl.csv")
    record = CatalogueImport.objects.get()
    assert (record.status, record.error_count, record.payload) == ("rejected", 8, None)
    page = client.get(f"{URL}{record.pk}/").content.decode()
    assert "Workshop er ikke en type af tilbud" in page
    assert "/confirm/" not in page
    client.post(f"{URL}{record.pk}/confirm/")
    assert not Offer.objects.exists()


def test_the_check_runs_again_on_confirm(world, login):
    client = login(world.user("hr"))
    upload(client)
    record = CatalogueImport.objects.get()
    # Meanwhile an offer with the external id of the file's first row is imported.
    import_services.catalogue_import_receive(
        municipality=world.a,
        file_name="x.csv",
        data=b"Udbyder;Titel;Ekstern id\nVIA University College;Andet;VIA-2031\n",
        actor="tests",
    )
    later = CatalogueImport.objects.latest("pk")
    import_services.catalogue_import_apply(catalogue_import=later, actor="tests")
    client.post(f"{URL}{record.pk}/confirm/")
    record.refresh_from_db()
    assert record.status == "succeeded"
    # Matched by Ekstern id: the offer written meanwhile was updated, not duplicated.
    assert Offer.objects.get(external_id="VIA-2031").title == "Økonomistyring for ledere"


def test_who_may_import(world, lw, login, client):
    for persona in ("employee", "manager"):
        assert login(world.user(persona)).get(URL).status_code == 403
        assert upload(client).status_code == 403
    assert not CatalogueImport.objects.exists()
    upload(login(world.user("hr")))
    record = CatalogueImport.objects.get()
    other = login(world.user("other_municipality_admin"))
    assert other.get(f"{URL}{record.pk}/").status_code == 404
    assert other.post(f"{URL}{record.pk}/confirm/").status_code == 404
    assert other.post(f"{URL}{record.pk}/discard/").status_code == 404
    assert "kursusliste_cp1252.csv" not in other.get(URL).content.decode()
    assert login(world.user("employee")).get(f"{URL}{record.pk}/").status_code == 404
    record.refresh_from_db()
    assert record.status == "ready"


def test_templates_download_and_import(world, login, tmp_path):
    client = login(world.user("hr"))
    csv_response = client.get(f"{URL}template.csv")
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Udbyder;Titel;Type;Kategori;Niveau;ECTS;Pris")
    xlsx = client.get(f"{URL}template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["Udbyder", "Titel", "Type"]
    client.post(URL, {"file": SimpleUploadedFile("skabelon.csv", csv_response.content)})
    record = CatalogueImport.objects.get()
    assert (record.status, record.counts["offers_created"]) == ("ready", 1)
    assert login(world.user("employee")).get(f"{URL}template.csv").status_code == 403


def catalogue_imports_out_of_scope(world, persona: str) -> list:
    """For the access walk (tests/core/test_access_walk.py, path parameter `catalogue_import_pk`,
    kind "catalogue_import"): the imports a persona must not reach. HR (a subtree grant), coordinators
    and administrators administer learning in their municipality; employees and managers nowhere."""
    a, b = (
        import_services.catalogue_import_receive(
            municipality=m, file_name="walk.csv", data=b"Udbyder;Titel\nVIA;Walk\n", actor="walk"
        )
        for m in (world.a, world.b)
    )
    return {"other_municipality_admin": [a], "hr": [b], "coordinator": [b], "admin": [b]}.get(persona, [a, b])


def test_out_of_scope_imports_answer_404(world, login):
    for persona in ("employee", "manager", "hr", "coordinator", "admin", "other_municipality_admin"):
        client = login(world.user(persona))
        for record in catalogue_imports_out_of_scope(world, persona):
            for suffix in ("", "confirm/", "discard/"):
                response = (
                    client.post(f"{URL}{record.pk}/{suffix}") if suffix else client.get(f"{URL}{record.pk}/")
                )
                assert response.status_code == 404, (persona, suffix)
