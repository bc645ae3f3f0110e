"""The cycle page: counts by status computed in the database agree with the status per person, and
its query count does not grow with the people on it."""

from __future__ import annotations

from kapabel.dialogues import selectors, services
from kapabel.dialogues.models import Dialogue
from tests.conftest import make_employee
from tests.dialogues.factories import SYSTEM, at


def test_status_counts_agree_with_the_rows(world, dw):
    manager = world.user("manager")
    services.dialogue_book(dialogue=dw.dialogue, starts_at=at(3), ends_at=at(3, 11), actor=manager)
    services.dialogue_record(dialogue=dw.colleague_dialogue, actor=manager, notes="x")
    plan = services.plan_create(employee=world.colleague, dialogue=dw.colleague_dialogue, actor=manager)
    services.plan_confirm(plan=plan, actor=manager, version=plan.version)
    services.plan_confirm(plan=plan, actor=SYSTEM, version=plan.version, on_behalf_of="employee")
    Dialogue.objects.filter(pk=dw.manager_dialogue.pk).update(due_on=at(-3).date())
    for persona in ("manager", "hr", "admin"):
        rows = selectors.cycle_rows(world.user(persona), dw.cycle)
        expected: dict[str, int] = {}
        for row in rows:
            expected[row.status] = expected.get(row.status, 0) + 1
        assert selectors.cycle_status_counts(world.user(persona), dw.cycle) == expected, persona
    assert selectors.cycle_status_counts(manager, dw.cycle) == {"booked": 1, "plan_agreed": 1, "overdue": 1}


def test_cycle_page_query_count_does_not_grow(world, dw, client, django_assert_max_num_queries):
    client.force_login(world.user("manager"))
    url = f"/dialogues/cycles/{dw.cycle.pk}/"
    with django_assert_max_num_queries(20) as first:
        assert client.get(url).status_code == 200
    for i in range(15):
        person = make_employee(world.a, world.team1, f"X{i}", f"Xenia {i}", world.role_a)
        Dialogue.objects.create(
            municipality=world.a,
            cycle=dw.cycle,
            employee=person,
            unit=world.team1,
            window_opens=dw.dialogue.window_opens,
            due_on=dw.dialogue.due_on,
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    content = response.content.decode()
    assert all(f">Xenia {i}</a>" in content for i in range(15))
