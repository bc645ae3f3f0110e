"""Documents on applications: uploaded through the page into the file storage under the var directory,
checked for size and type (by the first bytes, not only the name), listed and downloaded only by those
who manage the programme, never cached; part of the person's data export and erased with them."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kapabel.core.personal_data import Person
from kapabel.programmes import privacy, services
from kapabel.programmes.models import ApplicationDocument, SchemeKind

from .factories import SYSTEM, programme, scheme

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def app(world):
    prog = programme(world)
    (emma,) = services.participants_add(programme=prog, employees=[world.employee], actor=SYSTEM)
    return services.application_create(
        programme=prog,
        scheme=scheme(SchemeKind.KOMPETENCEFOND),
        title="Diplommodul",
        participant=emma,
        education_starts_on=datetime.date(2027, 3, 1),
        eligible_costs=D(20000),
        actor=SYSTEM,
    )


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(client, app, name: str, content: bytes):
    url = reverse("programmes:documents", args=[app.programme_id, app.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def test_upload_list_and_download(world, app, login, media):
    client = login(world.user("coordinator"))
    assert upload(client, app, "tilbud.pdf", PDF).status_code == 302
    assert upload(client, app, "ansøgning.docx", docx()).status_code == 302
    pdf, word = ApplicationDocument.objects.order_by("pk")
    assert (pdf.name, pdf.content_type, pdf.size) == ("tilbud.pdf", "application/pdf", len(PDF))
    stored = Path(media) / pdf.file.name
    assert stored.read_bytes() == PDF and "tilbud" not in pdf.file.name  # a random name on disk
    page = client.get(reverse("programmes:documents", args=[app.programme_id, app.pk])).content.decode()
    assert "tilbud.pdf" in page and "ansøgning.docx" in page
    assert (
        reverse("programmes:documents", args=[app.programme_id, app.pk])
        in client.get(reverse("programmes:applications", args=[app.programme_id])).content.decode()
    )
    response = client.get(reverse("programmes:document_download", args=[app.programme_id, app.pk, pdf.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert word.content_type.endswith("wordprocessingml.document")


def test_too_big_and_wrong_type_are_refused_on_the_field(world, app, login, settings, media):
    client = login(world.user("coordinator"))
    settings.KAPABEL_DOCUMENT_MAX_BYTES = 20
    response = upload(client, app, "stor.pdf", PDF)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_file_error"' in body and ("too big" in body or "for stor" in body)
    settings.KAPABEL_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    for name, content in [
        ("program.exe", b"MZ\x90\x00"),
        ("forklædt.pdf", b"MZ\x90\x00 not a pdf"),  # the right name, the wrong content
        ("zip.docx", b"PK\x03\x04 broken"),
        ("notes.txt", b"hello"),
    ]:
        response = upload(client, app, name, content)
        assert response.status_code == 400, name
        assert 'id="id_file_error"' in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    assert not any(Path(media).rglob("*")) or not any(p.is_file() for p in Path(media).rglob("*"))


def test_only_managers_list_and_download(world, app, login, client):
    login(world.user("coordinator"))
    upload(client, app, "tilbud.pdf", PDF)
    doc = ApplicationDocument.objects.get()
    services.steering_member_add(programme=app.programme, name="S", user=world.user("manager"), actor=SYSTEM)
    list_url = reverse("programmes:documents", args=[app.programme_id, app.pk])
    get_url = reverse("programmes:document_download", args=[app.programme_id, app.pk, doc.pk])
    for persona, status in [("employee", 404), ("other_municipality_admin", 404), ("manager", 403)]:
        login(world.user(persona))
        assert client.get(list_url).status_code == status, persona
        assert client.get(get_url).status_code == status, persona
        assert client.post(list_url, {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == status
    assert ApplicationDocument.objects.count() == 1
    login(world.user("coordinator"))
    other = reverse("programmes:document_download", args=[app.programme_id, app.pk + 1, doc.pk])
    assert client.get(other).status_code == 404


def test_documents_in_the_person_export_and_erased_with_them(world, app, login, media):
    upload(login(world.user("coordinator")), app, "tilbud.pdf", PDF)
    doc = ApplicationDocument.objects.get()
    path = Path(media) / doc.file.name
    person = Person(municipality_id=world.a.pk, employee_id=world.employee.pk, name="Emma Employee")
    sections = {s.key: s for s in privacy.export_for(person)}
    assert [row[1] for row in sections["programme_application_documents"].rows] == ["tilbud.pdf"]
    assert privacy.ProgrammesData().anonymise(person, actor=SYSTEM) == 1
    assert not ApplicationDocument.objects.exists() and not path.exists()
