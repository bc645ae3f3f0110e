"""The privacy rule: a preparation's text reaches nobody but its author while it is not shared —
not in the dialogue (page or API), the plan, the lists, the exports, the coverage or the audit log —
and the dialogue's content and plans reach only the person and their manager (a new manager after a
move only with the person's consent). Reads by others are written to the audit log."""

from __future__ import annotations

import pytest

from kapabel.core.models import AuditEvent
from kapabel.dialogues import services
from kapabel.organisation import services as org_services
from tests.conftest import make_employee, make_user
from tests.dialogues.factories import SYSTEM, at
from tests.dialogues.helpers import call, token

SECRET = "Hemmelig-forberedelse-7731"
MANAGER_SECRET = "Lederens-private-noter-4410"
NOTES = "Referat-fra-samtalen-5521"


def _urls(world, dw, plan):
    d = dw.dialogue
    return [
        "/dialogues/",
        f"/dialogues/{d.pk}/",
        f"/dialogues/{d.pk}/record/",
        f"/dialogues/{d.pk}/invitation.ics",
        "/dialogues/team/",
        f"/dialogues/cycles/{dw.cycle.pk}/",
        f"/dialogues/cycles/{dw.cycle.pk}/?format=xlsx",
        f"/dialogues/cycles/{dw.cycle.pk}/?format=csv",
        "/dialogues/coverage/",
        f"/dialogues/coverage/?unit={world.a_root.pk}&format=csv",
        f"/dialogues/coverage/?unit={world.a_root.pk}&format=xlsx",
        f"/dialogues/plans/{plan.pk}/",
        "/api/v1/dialogues",
        f"/api/v1/dialogues/{d.pk}",
        f"/api/v1/dialogues/coverage?unit_id={world.a_root.pk}",
        f"/api/v1/dialogue-cycles/{dw.cycle.pk}",
        "/api/v1/plans",
        f"/api/v1/plans/{plan.pk}",
        "/audit/",
    ]


def _bodies(client, urls):
    for url in urls:
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        yield url, response.status_code, content


@pytest.fixture
def prepared(world, dw, client):
    """Both parties have written a private preparation; the dialogue is held; a plan exists."""
    services.preparation_save(
        dialogue=dw.dialogue, actor=world.user("employee"), notes=SECRET, answers={"q1": SECRET}
    )
    services.preparation_save(dialogue=dw.dialogue, actor=world.user("manager"), notes=MANAGER_SECRET)
    services.dialogue_book(dialogue=dw.dialogue, starts_at=at(-1, 9), ends_at=at(-1, 10), actor=SYSTEM)
    services.dialogue_record(dialogue=dw.dialogue, actor=world.user("manager"), notes=NOTES)
    plan = services.plan_create(employee=world.employee, dialogue=dw.dialogue, actor=world.user("manager"))
    services.goal_add(plan=plan, title="Mål om borgerkontakt", actor=world.user("manager"))
    return plan


@pytest.mark.parametrize(
    "persona",
    ["employee", "manager", "hr", "coordinator", "admin", "platform_admin", "other_municipality_admin"],
)
def test_private_preparation_reaches_only_its_author(world, dw, prepared, client, persona):
    client.force_login(world.user(persona))
    # The pages that show the reader's own preparation.
    own = {f"/dialogues/{dw.dialogue.pk}/", f"/api/v1/dialogues/{dw.dialogue.pk}"}
    for url, status, body in _bodies(client, _urls(world, dw, prepared)):
        assert status < 500, url
        assert (SECRET.encode() in body) == (persona == "employee" and url in own), (persona, url)
        assert (MANAGER_SECRET.encode() in body) == (persona == "manager" and url in own), (persona, url)


def test_shared_preparation_reaches_the_other_party_but_not_hr(world, dw, prepared, client):
    services.preparation_save(dialogue=dw.dialogue, actor=world.user("employee"), notes=SECRET, shared=True)
    url = f"/api/v1/dialogues/{dw.dialogue.pk}"
    assert SECRET in client.get(url, **token(world, "manager")).content.decode()
    assert SECRET not in client.get(url, **token(world, "hr")).content.decode()
    assert SECRET not in client.get(url, **token(world, "admin")).content.decode()
    # The manager's own stays private.
    assert MANAGER_SECRET not in client.get(url, **token(world, "employee")).content.decode()


def test_api_put_private_then_detail_for_others(world, dw, client):
    response = call(
        client,
        "PUT",
        f"/api/v1/dialogues/{dw.dialogue.pk}/preparation",
        token(world, "employee"),
        {"notes": SECRET, "shared": False},
    )
    assert response.status_code == 200
    for persona in ("manager", "hr", "admin", "coordinator"):
        body = client.get(f"/api/v1/dialogues/{dw.dialogue.pk}", **token(world, persona)).content.decode()
        assert SECRET not in body, persona
    mine = client.get(f"/api/v1/dialogues/{dw.dialogue.pk}", **token(world, "employee")).json()
    assert [p["notes"] for p in mine["preparations"]] == [SECRET]


def test_notes_and_plans_only_for_person_and_manager(world, dw, prepared, client):
    for persona, sees in [
        ("employee", True),
        ("manager", True),
        ("hr", False),
        ("admin", False),
        ("coordinator", False),
    ]:
        body = client.get(f"/api/v1/dialogues/{dw.dialogue.pk}", **token(world, persona)).json()
        assert body["content_visible"] is sees, persona
        assert (body["notes"] == NOTES) is sees, persona
        status = client.get(f"/api/v1/plans/{prepared.pk}", **token(world, persona)).status_code
        assert status == (200 if sees else 404), persona


def test_new_manager_after_a_move_reads_earlier_dialogues_only_with_consent(world, dw, prepared, client):
    new_manager = make_employee(world.a, world.forvaltning2, "E9", "Nina Nyleder", world.role_a)
    org_services.orgunit_set_managers(unit=world.forvaltning2, managers=[new_manager], actor=SYSTEM)
    user = make_user("nyleder")
    org_services.employee_link_user(employee=new_manager, user=user, actor=SYSTEM)
    org_services.employee_update(employee=world.employee, unit=world.team3, actor=SYSTEM)
    auth = token(world, "manager")
    # The old manager no longer manages the person: not even the dialogue is found.
    assert client.get(f"/api/v1/dialogues/{dw.dialogue.pk}", **auth).status_code == 404
    client.force_login(user)
    body = client.get(f"/api/v1/dialogues/{dw.dialogue.pk}").json()
    assert body["content_visible"] is False and body["notes"] is None
    assert client.get(f"/api/v1/plans/{prepared.pk}").status_code == 404
    services.consent_set(employee=world.employee, actor=world.user("employee"), allow=True)
    body = client.get(f"/api/v1/dialogues/{dw.dialogue.pk}").json()
    assert body["content_visible"] is True and body["notes"] == NOTES
    assert client.get(f"/api/v1/plans/{prepared.pk}").status_code == 200
    # Still never the private preparation.
    assert SECRET not in client.get(f"/api/v1/dialogues/{dw.dialogue.pk}").content.decode()


def test_reads_by_others_are_audited_own_reads_are_not(world, dw, prepared, client):
    before = AuditEvent.objects.filter(action__in=["dialogues.dialogue.read", "dialogues.plan.read"]).count()
    client.get(f"/api/v1/dialogues/{dw.dialogue.pk}", **token(world, "employee"))
    client.get(f"/api/v1/plans/{prepared.pk}", **token(world, "employee"))
    assert (
        AuditEvent.objects.filter(action__in=["dialogues.dialogue.read", "dialogues.plan.read"]).count()
        == before
    )
    client.get(f"/api/v1/dialogues/{dw.dialogue.pk}", **token(world, "manager"))
    client.get(f"/api/v1/plans/{prepared.pk}", **token(world, "manager"))
    client.get(f"/api/v1/dialogues/{dw.dialogue.pk}", **token(world, "hr"))
    reads = AuditEvent.objects.filter(action__in=["dialogues.dialogue.read", "dialogues.plan.read"]).order_by(
        "pk"
    )
    assert [(e.action, e.actor.username) for e in reads[before:]] == [
        ("dialogues.dialogue.read", "manager"),
        ("dialogues.plan.read", "manager"),
        ("dialogues.dialogue.read", "hr"),
    ]
