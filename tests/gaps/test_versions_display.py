"""Issue 10 #9c, display side: after a framework revision, while some profiles still use the old
version, the heatmap and the priorities show the same competence once per version with a version
marker, placed together under the newest version. The figures themselves are unchanged."""

from __future__ import annotations

import pytest

from kapabel.competences import services
from kapabel.gaps import selectors
from kapabel.gaps.models import GapAggregate
from tests.gaps.data import add_second_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def half_moved(world, gaps):
    """The job-role profile moved to version 2; the unit profile (Forvaltning 2) still on version 1."""
    v2, copies = add_second_version(gaps)
    new = services.profile_create_version(profile=gaps.role_profile, framework_version=v2, actor="t")
    services.profile_publish(profile=new, actor="t")
    return v2, copies


def test_heatmap_groups_a_competence_under_its_newest_version_with_markers(world, gaps, half_moved, login):
    _v2, copies = half_moved
    old = gaps.competences[3]  # still targeted by the unit profile of Forvaltning 2
    data = selectors.heatmap(world.user("coordinator"), world.a_root)
    assert [c.pk for c in data.competences] == [*(c.pk for c in copies), old.pk]
    # The figures are the maintained aggregates, one column per competence as before.
    focus = data.rows[0]
    for competence, cell in zip(data.competences, focus.cells, strict=True):
        stored = GapAggregate.objects.get(unit=world.a_root, competence=competence)
        assert (cell.people, cell.known, cell.below) == (stored.people, stored.known, stored.below)
    body = login(world.user("coordinator")).get(f"/gaps/units/{world.a_root.pk}/").content.decode()
    assert body.count('aria-hidden="true">v2</span>') == 4 and body.count('aria-hidden="true">v1</span>') == 1
    assert body.index('aria-hidden="true">v1</span>') > body.rindex('aria-hidden="true">v2</span>')


def test_priorities_keep_the_versions_of_a_competence_together(world, gaps, half_moved, login):
    _v2, copies = half_moved
    old = gaps.competences[3]
    rows = selectors.priorities(world.user("coordinator"), world.a_root)["rows"]
    order = [r["competence"].pk for r in rows]
    assert order.index(old.pk) == order.index(copies[3].pk) + 1
    body = login(world.user("coordinator")).get(f"/gaps/units/{world.a_root.pk}/priorities/").content.decode()
    assert 'aria-hidden="true">v1</span>' in body and 'aria-hidden="true">v2</span>' in body
