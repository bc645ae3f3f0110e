"""The gap selectors and permission helpers on their own: the one-cell selector gives the heatmap's
numbers, the default trend comparison is chosen in one place, and who sees figures in full."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404

from kapabel.gaps import permissions, selectors
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation import services as org_services
from tests.conftest import SYSTEM, make_employee, make_user
from tests.gaps import writers

PERSONAS = ["employee", "manager", "hr", "coordinator", "admin", "other_municipality_admin"]


def _team_lead(world):
    """Works in Centre 1 and leads Team Alfa only: sees Centre 1 (own unit) without seeing everyone
    in it, and Team Alfa in full — so Centre 1's row is suppressed against its one visible child."""
    lead = make_employee(world.a, world.centre1, "TL", "Tina Teamleder", world.role_a)
    user = make_user("team_lead")
    org_services.employee_link_user(employee=lead, user=user, actor=SYSTEM)
    org_services.orgunit_set_managers(unit=world.team1, managers=[lead], actor=SYSTEM)
    return user


@pytest.mark.parametrize("persona", [*PERSONAS, "team_lead"])
def test_heatmap_cell_equals_the_heatmaps_own_cell(world, gaps, persona):
    # More people in Team Alfa and Centre 1, so some figures are shown and some suppressed.
    for i in range(5):
        person = make_employee(world.a, world.team1, f"C{i}", f"Celle {i}", world.role_a)
        writers.record_rating(employee=person, competence=gaps.competences[i % 2], source="agreed", level=1)
    for i in range(2):
        person = make_employee(world.a, world.centre1, f"D{i}", f"Direkte {i}", world.role_a)
        writers.record_rating(employee=person, competence=gaps.competences[0], source="agreed", level=2)
    user = _team_lead(world) if persona == "team_lead" else world.user(persona)
    compared, suppressed = 0, 0
    for unit in org_selectors.units_for_user(user):
        data = selectors.heatmap(user, unit)
        for index, competence in enumerate(data.competences):
            expected = data.rows[0].cells[index]
            assert selectors.heatmap_cell(user, unit, competence) == expected, (unit.name, competence.name)
            compared += 1
            suppressed += expected.suppressed
    assert compared > 0
    if persona in ("employee", "team_lead"):  # the comparison covers suppressed figures too
        assert suppressed > 0


def test_heatmap_cell_reads_fewer_queries_than_the_heatmap(world, gaps, django_assert_max_num_queries):
    user = world.user("employee")
    with django_assert_max_num_queries(8):
        cell = selectors.heatmap_cell(user, world.team1, gaps.competences[0])
    assert cell.suppressed  # one person in Team Alfa: below the minimum of 5


def test_default_trend_compares_the_last_two_campaigns(world, gaps):
    user = world.user("coordinator")
    first, second = gaps.campaigns
    choice = selectors.trend_choice(user, world.a_root)
    assert (choice.a, choice.b, choice.ready) == (first, second, True)
    assert [c.pk for c in choice.campaigns] == [first.pk, second.pk]
    chosen = selectors.trend_choice(user, world.a_root, a=second.pk, b=first.pk)
    assert (chosen.a, chosen.b) == (second, first)
    dates = selectors.trend_choice(
        user, world.a_root, date_a=datetime.date(2026, 1, 1), date_b=datetime.date(2026, 12, 31)
    )
    assert dates.a is None and dates.b is None and dates.ready


def test_trend_choice_ignores_campaigns_of_another_municipality(world, gaps):
    user = world.user("other_municipality_admin")
    first, second = gaps.campaigns
    choice = selectors.trend_choice(user, world.b_root, a=first.pk, b=second.pk)
    assert choice.a is None and choice.b is None and not choice.ready


def test_who_sees_a_units_figures_in_full(world):
    assert permissions.can_view_everyone_in(world.user("manager"), world.team1)
    assert not permissions.can_view_everyone_in(world.user("manager"), world.forvaltning1)
    assert permissions.can_view_everyone_in(world.user("hr"), world.centre1)
    assert not permissions.can_view_everyone_in(world.user("hr"), world.team3)
    assert permissions.can_view_everyone_in(world.user("coordinator"), world.a_root)
    assert not permissions.can_view_everyone_in(world.user("employee"), world.team1)
    assert not permissions.can_view_everyone_in(world.user("other_municipality_admin"), world.team1)
    assert permissions.can_view_everyone_in(world.user("other_municipality_admin"), world.b_team)


def test_competence_of_another_municipality_is_404_in_a_drill_down(world, gaps):
    user = world.user("coordinator")
    assert permissions.get_competence_for_user(user, world.team1, gaps.competences[0].pk)
    with pytest.raises(Http404):
        permissions.get_competence_for_user(user, world.team1, gaps.b_competence.pk)
    assert permissions.get_own_employee(world.user("coordinator")) is None
    assert permissions.get_own_employee(world.user("employee")) == world.employee
