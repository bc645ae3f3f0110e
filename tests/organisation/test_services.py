import pytest
from django.core.exceptions import ValidationError

from kapabel.core.access import subtree_q
from kapabel.core.models import AuditEvent
from kapabel.organisation import services
from kapabel.organisation.models import Employee, OrgUnit


def test_unit_paths_follow_the_tree(world):
    assert (
        world.team1.path == f"{world.a_root.path}{world.forvaltning1.pk}/{world.centre1.pk}/{world.team1.pk}/"
    )
    assert world.team1.depth == 3
    assert world.team1.ancestor_ids() == [world.a_root.pk, world.forvaltning1.pk, world.centre1.pk]
    subtree = set(OrgUnit.objects.filter(subtree_q(world.centre1.path)).values_list("name", flat=True))
    assert subtree == {"Center Et", "Team Alfa", "Team Beta"}


def test_moving_a_unit_moves_its_subtree_and_people(world):
    services.orgunit_update(unit=world.centre1, parent=world.forvaltning2, actor="t")
    team1 = OrgUnit.objects.get(pk=world.team1.pk)
    assert team1.path.startswith(world.forvaltning2.path)
    assert team1.depth == 3
    people_in_f2 = Employee.objects.filter(subtree_q(world.forvaltning2.path, "unit__path"))
    assert set(people_in_f2.values_list("name", flat=True)) == {
        "Emma Employee",
        "Carl Colleague",
        "Mette Manager",
        "Oskar Outsider",
    }
    event = AuditEvent.objects.filter(action="organisation.unit.updated").latest("id")
    assert event.changes["parent"] == [world.forvaltning1.pk, world.forvaltning2.pk]


def test_a_unit_cannot_move_below_itself(world):
    with pytest.raises(ValidationError):
        services.orgunit_update(unit=world.forvaltning1, parent=world.team1, actor="t")
    assert OrgUnit.objects.get(pk=world.forvaltning1.pk).parent_id == world.a_root.pk


def test_a_unit_cannot_move_to_another_municipality(world):
    with pytest.raises(ValidationError):
        services.orgunit_update(unit=world.team3, parent=world.b_root, actor="t")


def test_employee_update_is_audited_with_before_and_after(world):
    services.employee_update(
        employee=world.employee, unit=world.team2, name="Emma Nyt", actor=world.user("admin")
    )
    event = AuditEvent.objects.filter(action="organisation.employee.updated").latest("id")
    assert event.actor == world.user("admin")
    assert event.changes == {"name": ["Emma Employee", "Emma Nyt"], "unit": [world.team1.pk, world.team2.pk]}
    assert event.municipality_id == world.a.pk


def test_an_unchanged_update_writes_no_audit_event(world):
    before = AuditEvent.objects.count()
    services.employee_update(employee=world.employee, name="Emma Employee", actor="t")
    assert AuditEvent.objects.count() == before


def test_employee_must_belong_to_the_units_municipality(world):
    with pytest.raises(ValidationError) as info:
        services.employee_create(
            municipality=world.a, external_id="X1", name="X", unit=world.b_team, actor="t"
        )
    assert "unit" in info.value.message_dict
    assert not Employee.objects.filter(external_id="X1").exists()


def test_external_ids_are_unique_per_municipality(world):
    with pytest.raises(ValidationError):
        services.employee_create(
            municipality=world.a, external_id="E1", name="Dup", unit=world.team1, actor="t"
        )
    # The same id in another municipality is a different person.
    services.employee_create(
        municipality=world.b, external_id="E1", name="Other", unit=world.b_team, actor="t"
    )


def test_bulk_create_of_units_and_employees(world):
    units = services.orgunits_bulk_create(
        municipality=world.a,
        actor="t",
        units=[
            {"name": "Ny Forvaltning", "external_id": "N1", "parent": world.a_root},
            {"name": "Nyt Team", "external_id": "N11", "parent": "N1"},
        ],
    )
    new_team = next(u for u in units if u.external_id == "N11")
    assert new_team.path.startswith(world.a_root.path) and new_team.depth == 2
    count = services.employees_bulk_create(
        municipality=world.a,
        actor="t",
        employees=[Employee(external_id=f"B{i}", name=f"Bulk {i}", unit=new_team) for i in range(30)],
    )
    assert count == 30
    assert Employee.objects.filter(subtree_q(units[0].path, "unit__path")).count() == 30


def test_bulk_units_with_unknown_parent_are_refused(world):
    with pytest.raises(ValidationError):
        services.orgunits_bulk_create(
            municipality=world.a,
            actor="t",
            units=[{"name": "Orphan", "external_id": "O1", "parent": "missing"}],
        )
    assert not OrgUnit.objects.filter(external_id="O1").exists()
