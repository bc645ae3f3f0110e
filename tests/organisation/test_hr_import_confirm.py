"""Confirming an import: one precondition in the service, used by the web page and the API alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kapabel.core import tokens
from kapabel.organisation.hr_import import services as hr
from kapabel.organisation.models import Employee, HRImport
from tests.organisation.hr_import_helpers import TASKS_IMMEDIATE, p2l_files, replace

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = TASKS_IMMEDIATE


def _stored(hr_import: HRImport) -> dict:
    return HRImport.objects.filter(pk=hr_import.pk).values().get()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status": "previewed", "dry_run": True}, "dry run"),
        ({"status": "succeeded"}, "already been started"),
        ({"status": "applying"}, "already been started"),
        ({"status": "rejected"}, "not waiting for confirmation"),
        ({"status": "checking"}, "not waiting for confirmation"),
        ({"status": "ready", "error_count": 2}, "skip the invalid rows"),
    ],
)
def test_the_service_refuses_an_import_that_may_not_be_confirmed(
    world, django_capture_on_commit_callbacks, fields, reason
):
    hr_import = HRImport.objects.create(
        municipality=world.a, actor_label="x", format="kapabel", source="web", payload=b"rows", **fields
    )
    before = _stored(hr_import)
    with (
        translation.override("en"),
        django_capture_on_commit_callbacks() as queued,
        pytest.raises(ValidationError) as refused,
    ):
        hr.hrimport_confirm(hr_import=hr_import, skip_invalid=False, actor=world.user("admin"))
    assert reason in refused.value.messages[0]
    assert queued == []  # nothing queued
    assert _stored(hr_import) == before  # nothing changed


def test_the_service_refuses_a_user_who_may_not_import_there(world, django_capture_on_commit_callbacks):
    hr_import = HRImport.objects.create(
        municipality=world.a, actor_label="x", format="kapabel", source="web", status="ready", payload=b"rows"
    )
    before = _stored(hr_import)
    for persona in ("other_municipality_admin", "hr"):  # another municipality; HR of a subtree only
        with django_capture_on_commit_callbacks() as queued, pytest.raises(PermissionDenied):
            hr.hrimport_confirm(hr_import=hr_import, skip_invalid=False, actor=world.user(persona))
        assert queued == [] and _stored(hr_import) == before


def test_the_service_queues_a_confirmable_import_once_it_commits(world, django_capture_on_commit_callbacks):
    hr_import = HRImport.objects.create(
        municipality=world.a, actor_label="x", format="kapabel", source="web", status="ready", error_count=1,
        payload=b"rows",
    )  # fmt: skip
    with django_capture_on_commit_callbacks() as queued:
        hr.hrimport_confirm(hr_import=hr_import, skip_invalid=True, actor=world.user("admin"))
    assert len(queued) == 1
    stored = _stored(hr_import)
    assert stored["status"] == "queued" and stored["skip_invalid"] and stored["progress_label"] == "apply"


def test_the_api_confirms_a_web_upload_with_the_same_precondition(
    world, client, login, django_capture_on_commit_callbacks
):
    files = p2l_files()
    replace(files, "bruger.csv", "ase@testrup.dk", "ase@", encoding="cp1252")
    web = login(world.user("admin"))
    with django_capture_on_commit_callbacks(execute=True):
        web.post(
            "/organisation/hr-import/",
            {"municipality": world.a.pk, "files": [SimpleUploadedFile(n, d) for n, d in files.items()]},
        )
    hr_import = HRImport.objects.get()
    assert hr_import.status == HRImport.Status.READY and hr_import.error_count == 1
    web.logout()

    token = tokens.token_create(user=world.user("admin"), name="sync", scope="write", actor="tests")[1]
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/hr-imports/{hr_import.pk}/confirm"
    asked = client.get(url, headers=auth).json()
    assert asked["may_confirm"] and asked["needs_skip_invalid"] and asked["reason"]
    refused = client.post(url, {}, content_type="application/json", headers=auth)
    assert refused.status_code == 422  # errors, and no choice to skip them
    hr_import.refresh_from_db()
    assert (
        hr_import.status == HRImport.Status.READY and not Employee.objects.filter(external_id="p-1").exists()
    )
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"skip_invalid": True}, content_type="application/json", headers=auth)
    assert started.status_code == 202, started.content
    hr_import.refresh_from_db()
    assert hr_import.status == HRImport.Status.SUCCEEDED and hr_import.skip_invalid
    assert Employee.objects.filter(external_id="p-1").exists()
    again = client.post(url, {"skip_invalid": True}, content_type="application/json", headers=auth)
    assert again.status_code == 422
    assert client.get(url, headers=auth).json()["may_confirm"] is False


def test_the_api_confirm_hides_other_municipalities_and_needs_a_write_token(world, client):
    hr_import = HRImport.objects.create(
        municipality=world.a, actor_label="x", format="kapabel", source="web", status="ready", payload=b"rows"
    )
    url = f"/api/v1/hr-imports/{hr_import.pk}/confirm"
    other = tokens.token_create(
        user=world.user("other_municipality_admin"), name="o", scope="write", actor="tests"
    )[1]
    response = client.post(
        url, {}, content_type="application/json", headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 404
    read = tokens.token_create(user=world.user("admin"), name="r", scope="read", actor="tests")[1]
    response = client.post(
        url, {}, content_type="application/json", headers={"Authorization": f"Bearer {read}"}
    )
    assert response.status_code == 403
    assert HRImport.objects.get().status == HRImport.Status.READY


def test_the_page_offers_confirmation_only_when_the_service_would_accept_it(world, login):
    client = login(world.user("admin"))
    for status, dry_run, offered in (
        ("ready", False, True),
        ("previewed", True, False),
        ("succeeded", False, False),
    ):
        hr_import = HRImport.objects.create(
            municipality=world.a,
            actor_label="x",
            format="kapabel",
            source="web",
            status=status,
            dry_run=dry_run,
        )
        body = client.get(f"/organisation/hr-import/{hr_import.pk}/").content.decode()
        assert (f"/organisation/hr-import/{hr_import.pk}/confirm/" in body) is offered
