"""Issue 10 #9c, display side: after a framework revision, while some profiles still use the old
version, the heatmap, the priorities and the trend follow a competence across versions through the
"same" mappings: its counters are added into its newest shown version, so it appears once, with one
set of figures, under that version's marker."""

from __future__ import annotations

import pytest

from kapabel.competences import services
from kapabel.gaps import selectors
from kapabel.gaps.models import GapAggregate
from tests.gaps.data import add_second_version

pytestmark = pytest.mark.django_db

ADDITIVE = ("people", "known", "below", "gap_sum", "weighted_gap_sum")


@pytest.fixture
def half_moved(world, gaps):
    """The job-role profile moved to version 2; the unit profile (Forvaltning 2) still on version 1."""
    v2, copies = add_second_version(gaps)
    new = services.profile_create_version(profile=gaps.role_profile, framework_version=v2, actor="t")
    services.profile_publish(profile=new, actor="t")
    return v2, copies


def summed(unit, *competences):
    rows = GapAggregate.objects.filter(unit=unit, competence__in=competences)
    return tuple(sum(getattr(r, m) for r in rows) for m in ADDITIVE)


def test_heatmap_shows_a_competence_once_under_its_newest_version(world, gaps, half_moved, login):
    _v2, copies = half_moved
    old = gaps.competences[3]  # still targeted by the unit profile of Forvaltning 2
    assert GapAggregate.objects.filter(unit=world.a_root, competence=old, people__gt=0).exists()
    data = selectors.heatmap(world.user("coordinator"), world.a_root)
    assert [c.pk for c in data.competences] == [c.pk for c in copies]
    # Each cell: the counters of both versions added together.
    for row in data.rows:
        for competence, old_version, cell in zip(data.competences, gaps.competences, row.cells, strict=True):
            figures = tuple(getattr(cell, m) for m in ADDITIVE)
            assert figures == summed(row.unit, competence, old_version)
    focus = data.rows[0].cells[3]
    assert focus.people == summed(world.a_root, old)[0] + summed(world.a_root, copies[3])[0]
    # The drill-down cell is the merged heatmap cell.
    user = world.user("coordinator")
    for competence, cell in zip(data.competences, data.rows[0].cells, strict=True):
        drill = selectors.heatmap_cell(user, world.a_root, competence)
        assert (drill.people, drill.known, drill.below, drill.gap_sum, drill.suppressed) == (
            cell.people,
            cell.known,
            cell.below,
            cell.gap_sum,
            cell.suppressed,
        )
    body = login(user).get(f"/gaps/units/{world.a_root.pk}/").content.decode()
    assert body.count('aria-hidden="true">v2</span>') == 4 and 'aria-hidden="true">v1</span>' not in body


def test_priorities_show_a_competence_once_with_both_versions_added(world, gaps, half_moved, login):
    _v2, copies = half_moved
    old = gaps.competences[3]
    rows = selectors.priorities(world.user("coordinator"), world.a_root)["rows"]
    order = [r["competence"].pk for r in rows]
    assert sorted(order) == sorted(c.pk for c in copies)
    row = next(r for r in rows if r["competence"].pk == copies[3].pk)
    assert tuple(getattr(row["cell"], m) for m in ADDITIVE) == summed(world.a_root, old, copies[3])
    body = login(world.user("coordinator")).get(f"/gaps/units/{world.a_root.pk}/priorities/").content.decode()
    assert 'aria-hidden="true">v1</span>' not in body and 'aria-hidden="true">v2</span>' in body
