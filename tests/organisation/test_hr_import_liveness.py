"""Issue 10 #7: imports whose process died are marked failed instead of "being imported" for ever; an
unconfirmed upload can be discarded; an old preview cannot be confirmed once another import changed
the data. The real thing (SIGKILL of `kapabel import-hr` while it writes) is in test_hr_import_kill."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from kapabel.core import tokens
from kapabel.core.models import AuditEvent
from kapabel.organisation.hr_import import services as hr
from kapabel.organisation.models import Employee, HRImport
from tests.organisation.hr_import_helpers import (
    TASKS_IMMEDIATE,
    new_municipality,
    p2l_files,
    replace,
    run,
    snapshot,
)

pytestmark = pytest.mark.django_db
URL = "/organisation/hr-import/"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = TASKS_IMMEDIATE
    settings.KAPABEL_IMPORT_LEASE_MINUTES = 10


def _import(municipality, *, minutes_ago: float | None, **fields) -> HRImport:
    fields = {"status": "applying", "progress_label": "write", "payload": b"rows", **fields}
    hr_import = HRImport.objects.create(
        municipality=municipality, actor_label="x", format="plan2learn", source="cli", **fields
    )
    beat = None if minutes_ago is None else timezone.now() - datetime.timedelta(minutes=minutes_ago)
    old = timezone.now() - datetime.timedelta(hours=1)
    HRImport.objects.filter(pk=hr_import.pk).update(heartbeat_at=beat, created_at=old)
    hr_import.refresh_from_db()
    return hr_import


# --- Dead runs ---------------------------------------------------------------------------------------


def test_viewing_a_stuck_import_marks_it_failed_and_stops_the_polling(world, login):
    stuck = _import(world.a, minutes_ago=11)
    client = login(world.user("admin"))
    fragment = client.get(f"{URL}{stuck.pk}/", headers={"HX-Request": "true", "Accept-Language": "en"})
    fragment = fragment.content.decode()
    stuck.refresh_from_db()
    assert stuck.status == HRImport.Status.FAILED and stuck.payload is None and stuck.finished_at
    assert [p["code"] for p in stuck.problems] == ["stopped"]
    assert "hx-trigger" not in fragment and "nothing was written" in fragment


def test_a_live_import_is_left_alone(world, login):
    live = _import(world.a, minutes_ago=2)
    checking = _import(world.a, minutes_ago=3, status="checking", progress_label="check")
    response = login(world.user("admin")).get(f"{URL}{live.pk}/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in response.content.decode()
    assert hr.hrimport_fail_dead() == []
    assert set(HRImport.objects.values_list("status", flat=True)) == {"applying", "checking"}
    assert checking.pk


def test_the_list_page_and_the_api_mark_dead_runs_of_their_municipalities(world, login, client):
    dead_a = _import(world.a, minutes_ago=30, status="checking")
    never_beat = _import(world.a, minutes_ago=None)  # created an hour ago, no heartbeat at all
    dead_b = _import(world.b, minutes_ago=30)
    login(world.user("admin")).get(URL)
    statuses = dict(HRImport.objects.values_list("pk", "status"))
    assert statuses[dead_a.pk] == statuses[never_beat.pk] == "failed"
    assert statuses[dead_b.pk] == "applying"  # another municipality's: not this page's to judge
    token = tokens.token_create(
        user=world.user("other_municipality_admin"), name="t", scope="read", actor="t"
    )[1]
    detail = client.get(
        f"/api/v1/hr-imports/{dead_b.pk}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert detail["status"] == "failed" and detail["problems"][0]["message"]


def test_the_watchdog_command_marks_every_dead_run(world):
    dead = [_import(world.a, minutes_ago=60), _import(world.b, minutes_ago=11, status="checking")]
    live = _import(world.a, minutes_ago=1)
    out = io.StringIO()
    with translation.override("en"):
        call_command("import-hr-watchdog", stdout=out)
    assert {i.pk for i in dead} == set(HRImport.objects.filter(status="failed").values_list("pk", flat=True))
    assert HRImport.objects.get(pk=live.pk).status == "applying"
    assert f"Import #{dead[0].pk} marked failed" in out.getvalue()


def test_an_import_given_up_on_stops_and_writes_nothing():
    """A process taken for dead that was only slow (or paused) must not write after the verdict."""
    municipality = new_municipality()
    run(municipality, p2l_files())
    before = snapshot(municipality)
    files = p2l_files()
    replace(files, "organisation.csv", "Hjemmeplejen Øst", "Hjemmeplejen Vest")
    hr_import, dataset = hr.hrimport_receive(
        municipality=municipality, files=files, actor="t", source="cli", keep=False
    )
    HRImport.objects.filter(pk=hr_import.pk).update(status="failed")  # the watchdog's verdict
    with pytest.raises(hr.Abandoned):
        hr.hrimport_apply(hr_import=hr_import, actor="t", dataset=dataset)
    assert snapshot(municipality) == before
    assert HRImport.objects.get(pk=hr_import.pk).status == "failed"


def test_progress_and_steps_keep_the_heartbeat(world, django_capture_on_commit_callbacks):
    hr_import = hr.hrimport_upload(
        municipality=world.a,
        uploads=[(name, [data]) for name, data in p2l_files().items()],
        actor="t",
        source="api",
    )
    assert hr_import.heartbeat_at is None
    hr.hrimport_process(import_id=hr_import.pk, stage="run")
    hr_import.refresh_from_db()
    assert hr_import.status == "succeeded" and hr_import.heartbeat_at is not None


# --- Discarding an upload -------------------------------------------------------------------------


def _ready(world) -> HRImport:
    return HRImport.objects.create(
        municipality=world.a,
        actor_label="x",
        format="kapabel",
        source="web",
        status="ready",
        payload=b"rows",
        files=[{"name": "ark.csv", "sha256": "ab" * 32, "bytes": 10}],
        finished_at=timezone.now(),
    )


def test_the_page_discards_an_unconfirmed_upload(world, login):
    hr_import = _ready(world)
    client = login(world.user("admin"))
    page = client.get(f"{URL}{hr_import.pk}/").content.decode()
    assert f"{URL}{hr_import.pk}/discard/" in page
    response = client.post(f"{URL}{hr_import.pk}/discard/")
    assert response.status_code == 302
    hr_import.refresh_from_db()
    assert hr_import.status == HRImport.Status.DISCARDED and hr_import.payload is None
    event = AuditEvent.objects.get(action="organisation.hr_import.discarded")
    assert event.actor == world.user("admin") and event.changes["files"] == ["ab" * 32]
    page = client.get(f"{URL}{hr_import.pk}/").content.decode()
    assert f"{URL}{hr_import.pk}/discard/" not in page and f"{URL}{hr_import.pk}/confirm/" not in page


@pytest.mark.parametrize("status", ["applying", "checking", "succeeded", "failed", "discarded"])
def test_only_an_upload_that_waits_may_be_discarded(world, status):
    hr_import = HRImport.objects.create(
        municipality=world.a, actor_label="x", format="kapabel", source="web", status=status, payload=b"rows"
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        hr.hrimport_discard(hr_import=hr_import, actor=world.user("admin"))
    assert "can be discarded" in refused.value.messages[0]
    assert HRImport.objects.get(pk=hr_import.pk).status == status
    assert not AuditEvent.objects.filter(action="organisation.hr_import.discarded").exists()


def test_an_upload_waiting_to_be_checked_may_be_discarded_and_is_then_never_read(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        hr_import = hr.hrimport_upload(
            municipality=world.a,
            uploads=[("ark.csv", [b"Medarbejdernummer;Navn;Enhed\n1;A;B\n"])],
            actor="t",
            source="web",
        )
    hr.hrimport_discard(hr_import=hr_import, actor=world.user("admin"))
    stored = HRImport.objects.get(pk=hr_import.pk)
    assert stored.status == "discarded" and stored.upload is None and stored.payload is None
    queued[0]()  # the background task comes too late
    assert HRImport.objects.get(pk=hr_import.pk).status == "discarded"


def test_the_api_discards_with_the_same_rule(world, client):
    hr_import = _ready(world)
    url = f"/api/v1/hr-imports/{hr_import.pk}/discard"
    other = tokens.token_create(
        user=world.user("other_municipality_admin"), name="o", scope="write", actor="t"
    )[1]
    assert client.post(url, headers={"Authorization": f"Bearer {other}"}).status_code == 404
    read = tokens.token_create(user=world.user("admin"), name="r", scope="read", actor="t")[1]
    assert client.post(url, headers={"Authorization": f"Bearer {read}"}).status_code == 403
    write = tokens.token_create(user=world.user("admin"), name="w", scope="write", actor="t")[1]
    assert client.get(url, headers={"Authorization": f"Bearer {write}"}).json() == {
        "may_discard": True,
        "reason": "",
    }
    response = client.post(url, headers={"Authorization": f"Bearer {write}"})
    assert response.status_code == 200 and response.json()["status"] == "discarded"
    again = client.post(url, headers={"Authorization": f"Bearer {write}"})
    assert again.status_code == 422
    assert client.get(url, headers={"Authorization": f"Bearer {write}"}).json()["may_discard"] is False


# --- An old preview after another import -----------------------------------------------------------


def test_an_older_preview_cannot_be_confirmed_after_another_import_changed_the_data(
    world, client, django_capture_on_commit_callbacks
):
    older = _ready(world)
    assert hr.hrimport_may_confirm(older)
    newer = _import(world.a, minutes_ago=0, status="succeeded", counts={"changes": 3})
    HRImport.objects.filter(pk=newer.pk).update(finished_at=timezone.now() + datetime.timedelta(seconds=1))
    with translation.override("en"):
        refusal = hr.hrimport_confirm_refusal(older, skip_invalid=True)
    assert refusal and "Upload the files again" in refusal
    with django_capture_on_commit_callbacks() as queued, pytest.raises(ValidationError):
        hr.hrimport_confirm(hr_import=older, skip_invalid=True, actor=world.user("admin"))
    assert queued == [] and HRImport.objects.get(pk=older.pk).status == "ready"
    token = tokens.token_create(user=world.user("admin"), name="w", scope="write", actor="t")[1]
    asked = client.get(f"/api/v1/hr-imports/{older.pk}/confirm", headers={"Authorization": f"Bearer {token}"})
    assert asked.json()["may_confirm"] is False
    # ... but it may still be discarded
    hr.hrimport_discard(hr_import=older, actor=world.user("admin"))


def test_an_import_that_changed_nothing_or_ran_before_the_check_does_not_block(world):
    _import(world.a, minutes_ago=0, status="succeeded", counts={"changes": 0}, finished_at=timezone.now())
    earlier = _import(world.a, minutes_ago=0, status="succeeded", counts={"changes": 5})
    HRImport.objects.filter(pk=earlier.pk).update(finished_at=timezone.now() - datetime.timedelta(minutes=5))
    assert hr.hrimport_may_confirm(_ready(world))


def test_no_preview_is_confirmed_while_another_import_is_being_imported(world):
    ready = _ready(world)
    _import(world.a, minutes_ago=0, status="applying")
    with translation.override("en"):
        assert "being imported" in hr.hrimport_confirm_refusal(ready, skip_invalid=True)
    _import(world.b, minutes_ago=0, status="applying")  # another municipality's does not matter
    HRImport.objects.filter(municipality=world.a, status="applying").update(status="failed")
    assert hr.hrimport_may_confirm(ready)


def test_the_web_flow_refuses_a_stale_preview(world, login, django_capture_on_commit_callbacks):
    """The whole story from the issue: two uploads, the newer one imported, the older one confirmed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.user("admin"))
    older_files = p2l_files()
    newer_files = p2l_files()
    replace(newer_files, "organisation.csv", "Hjemmeplejen Øst", "Hjemmeplejen Vest")
    for files in (older_files, newer_files):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                URL,
                {"municipality": world.a.pk, "files": [SimpleUploadedFile(n, d) for n, d in files.items()]},
            )
    older, newer = HRImport.objects.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{URL}{newer.pk}/confirm/")
    assert HRImport.objects.get(pk=newer.pk).status == "succeeded"
    before = Employee.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{older.pk}/confirm/", follow=True)
    assert HRImport.objects.get(pk=older.pk).status == "ready" and Employee.objects.count() == before
    assert "alert" in response.content.decode()
